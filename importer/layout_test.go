package importer_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

// TestParseHouseholdsFixture pins down what the plain one-row roster gives,
// so that the layout tests below can compare against it.
func TestParseHouseholdsFixture(t *testing.T) {
	b := layout{}.build(fixture())
	f := parseGrid(t, b.sheet)
	noIssues(t, f)
	rep := f.Report
	if got, want := rep.Sheet, "花名册"; got != want {
		t.Fatalf("Sheet = %q, want %q", got, want)
	}
	if got, want := rep.HeaderRows, []int{3}; !reflect.DeepEqual(got, want) {
		t.Fatalf("HeaderRows = %v, want %v", got, want)
	}
	if got, want := rep.IncomeYear, 2022; got != want {
		t.Fatalf("IncomeYear = %d, want %d (from 统计截止时间 in the unit line)", got, want)
	}
	if got, want := rep.Households.InFile, 3; got != want {
		t.Fatalf("InFile = %d, want %d", got, want)
	}
	if got, want := len(f.Households), 3; got != want {
		t.Fatalf("valid households = %d, want %d", got, want)
	}
	h := f.Households[0]
	if got, want := h.Row, 4; got != want {
		t.Fatalf("Row = %d, want %d", got, want)
	}
	if got, want := h.MemberRows, []int{4, 5}; !reflect.DeepEqual(got, want) {
		t.Fatalf("MemberRows = %v, want %v", got, want)
	}
	want := monitor.Household{
		Code: "5001190001000100", Township: "东城街道", Village: "皂角井社区", Group: "7组",
		HeadName: "陆华", HeadIDNumber: idLuHua, Size: 2, Type: "脱贫户", Category: "脱贫不稳定户",
		IdentifiedIn: monitor.YearMonth{Year: 2022, Month: 3}, Risks: []string{"因病"},
		Members: []monitor.Member{
			{IDNumber: idLuHua, Name: "陆华", Relation: "户主", Sex: "男", BirthDate: monitor.Date{Year: 1956, Month: 10, Day: 23},
				LaborSkill: "普通劳动力", MedicalInsured: true},
			{IDNumber: idXiangXia, Name: "向霞", Relation: "配偶", Sex: "女", BirthDate: monitor.Date{Year: 1958, Month: 8, Day: 31},
				LaborSkill: "弱劳动力或半劳动力", MedicalInsured: true},
		},
		Incomes: []monitor.Income{{Year: 2022, Wage: monitor.Yuan(30000), Business: monitor.Yuan(10000), Property: monitor.Yuan(500),
			Transfer: monitor.Yuan(1500), BusinessCost: monitor.Yuan(2000), Net: monitor.Yuan(40000), PerCapita: monitor.Yuan(20000)}},
	}
	if got := *h.Household; !reflect.DeepEqual(got, want) {
		t.Fatalf("household:\n got %+v\nwant %+v", got, want)
	}
	h3 := f.Households[2].Household
	if got, want := h3.Incomes[0].PerCapita, monitor.Money(766667); got != want {
		t.Fatalf("PerCapita = %s, want %s", got, want)
	}
	if got, want := strings.Join(h3.Risks, "、"), "因学、因病"; got != want {
		t.Fatalf("Risks = %s, want %s", got, want)
	}
	if got, want := h3.Members[2].Relation, "之子"; got != want { // the national code list's form
		t.Fatalf("Relation = %s, want %s", got, want)
	}
	if got, want := h3.Members[2].MedicalInsured, false; got != want {
		t.Fatalf("MedicalInsured = %v, want %v", got, want)
	}
	if got, want := f.Households[1].Household.HousingUnsafe, true; got != want {
		t.Fatalf("HousingUnsafe = %v, want %v", got, want)
	}
}

// TestHeaderBand finds the header wherever it stands and however many rows
// it has.
func TestHeaderBand(t *testing.T) {
	base := baseline(t)
	income := []string{"工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "人均纯收入"}
	basic := []string{"乡镇", "村", "组", "户编号", "户主姓名", "人口数", "户类型", "监测对象类别", "识别监测时间", "致贫返贫风险"}
	guarantees := []string{"是否住房出现安全问题", "是否饮水出现安全问题"}
	members := []string{"姓名", "证件号码", "与户主关系", "性别", "劳动技能", "在校生状况", "是否参加城乡居民基本医疗保险"}
	wanYuan := func(hs []household) []household {
		for i := range hs {
			h := &hs[i]
			h.wage, h.business, h.property = toWan(h.wage), toWan(h.business), toWan(h.property)
			h.transfer, h.cost, h.perHead = toWan(h.transfer), toWan(h.cost), toWan(h.perHead)
		}
		return hs
	}
	tests := []struct {
		name       string
		layout     layout
		edit       func([]household) []household
		headerRows []int
		column     string // Issue.Column the header gives 工资性收入
		year       int    // income year; 2022 (from the unit line) when 0
	}{
		{name: "OK_HeaderInRow1", layout: layout{above: [][]any{}}, headerRows: []int{1}, column: "工资性收入", year: parseOptions.DefaultYear},
		{name: "OK_TitleAndUnitLineAbove", layout: layout{}, headerRows: []int{3}, column: "工资性收入"},
		{name: "OK_UnitLineInTwoCells", layout: layout{above: [][]any{titleRow, {"填报单位：东城街道办事处", nil, nil, nil, nil, nil,
			nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, "统计截止时间：2022年12月31日"}}},
			headerRows: []int{3}, column: "工资性收入"},
		{name: "OK_TwoRowHeaderGroupsMergedAcross", layout: layout{groups: []group{
			{"家庭基本情况", basic}, {"家庭收入情况(元)", income}, {"“三保障”及饮水安全", guarantees}, {"家庭成员情况", members}}},
			headerRows: []int{3, 4}, column: "家庭收入情况(元)/工资性收入"},
		{name: "OK_TwoRowHeaderOnlyIncomeGrouped", layout: layout{groups: []group{{"家庭收入情况（元）", income}}},
			headerRows: []int{3, 4}, column: "家庭收入情况(元)/工资性收入"},
		{name: "OK_TwoRowHeaderWanYuanGroup", layout: layout{groups: []group{{"家庭收入情况（万元）", income}}}, edit: wanYuan,
			headerRows: []int{3, 4}, column: "家庭收入情况(万元)/工资性收入"},
		{name: "OK_OneRowHeaderWanYuanColumns", layout: layout{rename: map[string]string{"工资性收入": "工资性收入（万元）",
			"生产经营性收入": "生产经营性收入(万元)", "财产性收入": "财产性收入（万元）", "转移性收入": "转移性收入（万元）",
			"生产经营性支出": "生产经营性支出（万元）", "人均纯收入": "人均纯收入（万元）"}}, edit: wanYuan,
			headerRows: []int{3}, column: "工资性收入(万元)"},
		// Every column under a group header: no single header merged down
		// to give the band away.
		{name: "OK_TwoRowHeaderEveryColumnGrouped", layout: layout{cols: stdCols[1:], groups: []group{
			{"家庭基本情况", basic}, {"家庭收入情况（万元）", income}, {"“三保障”及饮水安全", guarantees}, {"家庭成员情况", members}}},
			edit: wanYuan, headerRows: []int{3, 4}, column: "家庭收入情况(万元)/工资性收入"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := fixture()
			if tt.edit != nil {
				hs = tt.edit(hs)
			}
			// A negative wage in the last household names the column.
			hs[2].wage = -1
			b := tt.layout.build(hs)
			f := parseGrid(t, b.sheet)
			if got, want := f.Report.HeaderRows, tt.headerRows; !reflect.DeepEqual(got, want) {
				t.Fatalf("HeaderRows = %v, want %v", got, want)
			}
			if got, want := len(f.Report.Errors), 1; got != want {
				t.Fatalf("%d errors, want %d:%s", got, want, issuesText(f.Report.Errors))
			}
			if got, want := f.Report.Errors[0].Column, tt.column; got != want {
				t.Fatalf("Column = %q, want %q", got, want)
			}
			if got, want := f.Report.Errors[0].Row, b.rows[2][0]; got != want {
				t.Fatalf("Row = %d, want %d", got, want)
			}
			year := tt.year
			if year == 0 {
				year = 2022
			}
			if got, want := f.Report.IncomeYear, year; got != want {
				t.Fatalf("IncomeYear = %d, want %d", got, want)
			}
			// The first two households are the baseline's.
			g, w := households(f), households(base)
			if got, want := len(g), 2; got != want {
				t.Fatalf("%d valid households %v, want %d", got, codes(f), want)
			}
			for i := range g {
				g[i].Incomes[0].Year = 2022
				if !reflect.DeepEqual(g[i], w[i]) {
					t.Fatalf("household %d:\n got %+v\nwant %+v", i, g[i], w[i])
				}
			}
		})
	}
}

// toWan turns a yuan figure into the 万元 a (万元) column holds.
func toWan(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v) / 10000
	case float64:
		return v / 10000
	}
	return v
}

// TestRosterSheet finds the roster behind instruction and summary sheets.
func TestRosterSheet(t *testing.T) {
	instructions := sheetSpec{name: "填表说明", rows: [][]any{
		textRow("填表说明："), textRow("1. 户编号、姓名、证件号码必须填写；"), textRow("2. 证件号码请设置为文本格式；"), textRow("3. 金额单位为元。"),
	}}
	summary := sheetSpec{name: "汇总", rows: [][]any{
		textRow("各村监测户汇总"), {"村", "户数", "人数", "备注"}, {"皂角井社区", 2, 3, nil}, {"长亭社区", 1, 3, nil},
	}}
	roster := layout{}.build(fixture()).sheet
	tests := []struct {
		name   string
		sheets []sheetSpec
	}{
		{name: "OK_SecondSheet", sheets: []sheetSpec{instructions, roster}},
		{name: "OK_ThirdSheetAfterSummary", sheets: []sheetSpec{instructions, summary, roster}},
		{name: "OK_FirstOfThree", sheets: []sheetSpec{roster, instructions, {name: "Sheet3"}}},
	}
	base := baseline(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseFile(t, writeBook(t, bookSpec{sheets: tt.sheets}))
			if got, want := f.Report.Sheet, "花名册"; got != want {
				t.Fatalf("Sheet = %q, want %q", got, want)
			}
			noIssues(t, f, monitor.CodeSheetSkipped)
			sameHouseholds(t, f, base)
			// Every other sheet is listed as skipped, with its reason.
			for _, s := range f.Report.Sheets {
				if (s.SkippedReason == "") != (s.Name == "花名册") {
					t.Fatalf("sheet %q: skipped reason %q", s.Name, s.SkippedReason)
				}
			}
			if got, want := len(f.Report.Sheets), len(tt.sheets); got != want {
				t.Fatalf("%d sheets reported, want %d", got, want)
			}
		})
	}
}

// TestHeaderAliases reads each column under the names townships give it.
func TestHeaderAliases(t *testing.T) {
	base := baseline(t)
	aliases := map[string][]string{
		"证件号码":   {"证件号码", "身份证号", "身份证号码", "公民身份号码"},
		"户主姓名":   {"户主姓名", "户主"},
		"人口数":    {"家庭人口数", "人口数"},
		"监测对象类别": {"监测对象类别", "监测类型", "监测对象类型"},
		"识别监测时间": {"识别监测时间", "纳入监测时间", "识别时间"},
		"致贫返贫风险": {"致贫返贫风险", "风险类型", "主要风险"},
	}
	for key, names := range aliases {
		for _, name := range names {
			t.Run("OK_"+name, func(t *testing.T) {
				f := parseGrid(t, layout{rename: map[string]string{key: name}}.build(fixture()).sheet)
				noIssues(t, f)
				sameHouseholds(t, f, base)
			})
		}
	}
}

// TestHeaderText reads headers however they are typed: line breaks, spaces,
// full-width brackets, units, required-field stars.
func TestHeaderText(t *testing.T) {
	base := baseline(t)
	tests := []struct {
		name   string
		rename map[string]string
	}{
		{name: "OK_LineBreaks", rename: map[string]string{"户编号": "户\n编号", "证件号码": "证件\r\n号码", "是否参加城乡居民基本医疗保险": "是否参加城乡居民\n基本医疗保险"}},
		{name: "OK_Spaces", rename: map[string]string{"户编号": "户 编 号", "姓名": "姓\u3000名", "村": " 村 ", "工资性收入": "工资性收入 "}},
		{name: "OK_FullWidthBrackets", rename: map[string]string{"乡镇": "乡（镇）", "村": "村（社区）", "工资性收入": "工资性收入（元）", "人均纯收入": "人均纯收入（元/人）"}},
		{name: "OK_HalfWidthBrackets", rename: map[string]string{"乡镇": "乡(镇)", "村": "村(社区)", "工资性收入": "工资性收入(元)"}},
		{name: "OK_Stars", rename: map[string]string{"户编号": "*户编号", "姓名": "※姓名", "证件号码": "*证件号码"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseGrid(t, layout{rename: tt.rename}.build(fixture()).sheet)
			noIssues(t, f)
			sameHouseholds(t, f, base)
		})
	}
}

// TestHouseholdCells reads household columns merged down, repeated, or
// written on the first row only, with or without blank rows between
// households: all give the same households.
func TestHouseholdCells(t *testing.T) {
	base := baseline(t)
	tests := []struct {
		name   string
		layout layout
	}{
		{name: "OK_Repeated", layout: layout{style: repeated}},
		{name: "OK_FirstRowOnly", layout: layout{style: firstRow}},
		{name: "OK_MergedDown", layout: layout{style: merged}},
		{name: "OK_BlankRowsBetween", layout: layout{style: firstRow, gap: 2}},
		{name: "OK_MergedDownBlankRowsBetween", layout: layout{style: merged, gap: 1}},
		{name: "OK_TwoRowHeaderMergedDown", layout: layout{style: merged, groups: []group{{"家庭收入情况(元)",
			[]string{"工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "人均纯收入"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.layout.build(fixture())
			f := parseGrid(t, b.sheet)
			noIssues(t, f)
			sameHouseholds(t, f, base)
			for i, h := range f.Households {
				if got, want := h.MemberRows, b.rows[i]; !reflect.DeepEqual(got, want) {
					t.Fatalf("household %d MemberRows = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestNotDataRows: a 合计 row and a signature line under the data are
// neither members nor errors.
func TestNotDataRows(t *testing.T) {
	base := baseline(t)
	total := make([]any, len(stdCols))
	total[0] = "合计"
	total[6] = 6 // 人口数
	total[11] = 62000
	tests := []struct {
		name  string
		below [][]any
		merge func(first int) []string
	}{
		{name: "OK_TotalRow", below: [][]any{total}},
		{name: "OK_TotalRowSpaced", below: [][]any{{"合  计", nil, nil, nil, nil, nil, 6}}},
		{name: "OK_SignatureMergedAcross", below: [][]any{nil, textRow("填表人：李佳\u3000\u3000\u3000审核人：张明\u3000\u3000\u3000联系电话：023-71412345")},
			merge: func(first int) []string { return []string{"A" + strconv.Itoa(first+1) + ":Z" + strconv.Itoa(first+1)} }},
		{name: "OK_SignatureInCells", below: [][]any{{"填表人：李佳", nil, nil, nil, nil, nil, nil, nil, "审核人：张明", nil, nil, nil, nil, "联系电话：023-71412345"}}},
		{name: "OK_TotalAndSignature", below: [][]any{total, nil, textRow("填表人：李佳　审核人：张明　填报日期：2023年1月5日")},
			merge: func(first int) []string { return []string{"A" + strconv.Itoa(first+2) + ":Z" + strconv.Itoa(first+2)} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := layout{style: merged, below: tt.below}
			b := l.build(fixture())
			if tt.merge != nil {
				b.sheet.merges = append(b.sheet.merges, tt.merge(b.below)...)
			}
			f := parseGrid(t, b.sheet)
			noIssues(t, f)
			sameHouseholds(t, f, base)
			if got, want := f.Report.Households.InFile, 3; got != want {
				t.Fatalf("InFile = %d, want %d", got, want)
			}
		})
	}
}

// TestProgress tells the caller about every 10,000 rows passed, also when
// the row at the boundary is blank.
func TestProgress(t *testing.T) {
	s := layout{}.build(fixture()).sheet
	late := []any{4, "东城街道", "长亭社区", "2组", "5001190002000199", "田宇", 1, "一般农户", nil, nil, nil,
		12000, 0, 0, 0, 0, 12000, "否", "否", "田宇", mkID("19540323", 179), "户主", "男", "普通劳动力", nil, "是"}
	for len(s.rows) < 10004 {
		s.rows = append(s.rows, nil)
	}
	s.rows = append(s.rows, late) // row 10005
	path := writeBook(t, bookSpec{sheets: []sheetSpec{s}})
	var calls []int
	opt := parseOptions
	opt.Progress = func(rows int) { calls = append(calls, rows) }
	f, err := importer.ParseHouseholds(openBook(t, path), "roster.xlsx", opt)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.Households), 4; got != want {
		t.Fatalf("%d households, want %d", got, want)
	}
	if got, want := len(calls), 1; got != want {
		t.Fatalf("Progress called %d times %v, want %d (rows 10–10004 are blank, the last row is 10005)", got, calls, want)
	}
}
