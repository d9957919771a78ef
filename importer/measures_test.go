package importer_test

import (
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

var measureHeader = []any{"序号", "户编号", "户主姓名", "户主身份证号", "帮扶措施类别", "具体措施", "受益成员身份证号",
	"开始日期", "结束日期", "金额（元）", "公益岗位月数", "状态", "备注"}

func parseMeasureRows(t *testing.T, rows ...[]any) *importer.MeasureFile {
	t.Helper()
	grid := append([][]any{{"东城街道帮扶措施台账"}, measureHeader}, rows...)
	f, err := importer.ParseMeasures(openBook(t, writeBook(t, bookSpec{sheets: []sheetSpec{{name: "措施", rows: grid}}})), "措施.xlsx", parseOptions)
	if err != nil {
		t.Fatalf("ParseMeasures: %v", err)
	}
	return f
}

func TestParseMeasures(t *testing.T) {
	tests := []struct {
		name string
		row  []any
		want monitor.Measure
	}{
		{"CategoryAndSubType", []any{1, "5001190001000100", "陆华", idLuHua, "产业帮扶", "种植补助", nil, "2023.3.1", nil, 2000, nil, "已落实", nil},
			monitor.Measure{HouseholdCode: "5001190001000100", Category: "产业帮扶", SubType: "种植补助", Start: monitor.Date{Year: 2023, Month: 3, Day: 1}, Amount: monitor.Yuan(2000), Status: monitor.MeasureInPlace}},
		{"SubTypeAfterSlash", []any{2, "5001190001000100", "陆华", nil, "就业帮扶/技能培训", nil, idXiangXia, dateCell{2023, 4, 1, ""}, dateCell{2023, 4, 30, ""}, nil, nil, "已结束", "厨师培训"},
			monitor.Measure{HouseholdCode: "5001190001000100", Category: "就业帮扶", SubType: "技能培训", MemberID: idXiangXia, Start: monitor.Date{Year: 2023, Month: 4, Day: 1}, End: monitor.Date{Year: 2023, Month: 4, Day: 30}, Status: monitor.MeasureEnded, Note: "厨师培训"}},
		{"AliasWithSubType", []any{3, nil, "梁光燕", idLiang, "低保", nil, nil, "2022年1月1日", nil, nil, nil, nil, nil},
			monitor.Measure{Category: "综合保障", SubType: "低保", Start: monitor.Date{Year: 2022, Month: 1, Day: 1}, Status: monitor.MeasureInPlace}},
		{"PublicJobMonths", []any{4, "5001190001000101", nil, nil, "公益性岗位", "保洁员", nil, "2024.1.1", nil, 6000, "6个月", "在岗", nil},
			monitor.Measure{HouseholdCode: "5001190001000101", Category: "公益岗位帮扶", SubType: "保洁员", Start: monitor.Date{Year: 2024, Month: 1, Day: 1}, Amount: monitor.Yuan(6000), Months: 6, Status: monitor.MeasureInPlace}},
		{"FutureStartIsPlanned", []any{5, "5001190001000101", nil, nil, "住房安全保障", "危房改造", nil, "2025.6.1", nil, nil, nil, nil, nil},
			monitor.Measure{HouseholdCode: "5001190001000101", Category: "住房安全保障", SubType: "危房改造", Start: monitor.Date{Year: 2025, Month: 6, Day: 1}, Status: monitor.MeasurePlanned}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseMeasureRows(t, tt.row)
			if len(f.Report.Errors) != 0 || len(f.Measures) != 1 {
				t.Fatalf("errors %v", f.Report.Errors)
			}
			if got := f.Measures[0].Measure; got != tt.want {
				t.Fatalf("measure =\n %+v, want\n %+v", got, tt.want)
			}
		})
	}
	t.Run("HouseholdByHeadID", func(t *testing.T) {
		f := parseMeasureRows(t, []any{1, nil, "梁光燕", idLiang, "产业帮扶", nil, nil, nil, nil, nil, nil, nil, nil})
		if r := f.Measures[0]; r.HeadIDNumber != idLiang || r.KeyColumn != "户主身份证号" || r.Row != 3 {
			t.Fatalf("record = %+v", r)
		}
	})
}

func TestParseMeasuresErrors(t *testing.T) {
	ok := []any{1, "5001190001000100", "陆华", idLuHua, "产业帮扶", "种植补助", nil, "2023.3.1", nil, 2000, nil, "已落实", nil}
	edit := func(col int, v any) []any {
		r := append([]any(nil), ok...)
		r[col-1] = v
		return r
	}
	tests := []struct {
		name   string
		row    []any
		code   string
		column string
	}{
		{"ErrUnknownCategory", edit(5, "扶志扶智"), monitor.CodeUnknownValue, "帮扶措施类别"},
		{"ErrCategoryRequired", edit(5, nil), monitor.CodeMissingRequired, "帮扶措施类别"},
		{"ErrNoHousehold", func() []any { r := edit(2, nil); r[3] = nil; return r }(), monitor.CodeMissingRequired, "户编号"},
		{"ErrMemberIDChecksum", edit(7, idXiangXia[:17]+"0"), monitor.CodeIDChecksum, "受益成员身份证号"},
		{"ErrEndBeforeStart", edit(9, "2023.1.1"), "date_order", "结束日期"},
		{"ErrDateFormat", edit(8, "去年春天"), monitor.CodeDateFormat, "开始日期"},
		{"ErrMonths", edit(11, "半年多"), monitor.CodeNumberFormat, "公益岗位月数"},
		{"ErrNegativeAmount", edit(10, -100), monitor.CodeNegativeAmount, "金额(元)"},
		{"ErrUnknownStatus", edit(12, "差不多"), monitor.CodeUnknownValue, "状态"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseMeasureRows(t, ok, tt.row)
			if len(f.Measures) != 1 || f.Report.Measures.Rejected != 1 || f.Report.Measures.InFile != 2 {
				t.Fatalf("measures %d counts %+v errors %v", len(f.Measures), f.Report.Measures, f.Report.Errors)
			}
			is, found := issueWith(f.Report.Errors, tt.code)
			if !found || is.Row != 4 || is.Column != tt.column || is.Col == 0 {
				t.Fatalf("issue = %+v, want row 4 column %q (errors %v)", is, tt.column, f.Report.Errors)
			}
		})
	}
}

func TestParseCadres(t *testing.T) {
	header := []any{"序号", "户编号", "户主姓名", "帮扶责任人", "工作单位", "职务", "联系电话", "帮扶开始时间", "帮扶结束时间"}
	grid := [][]any{{"帮扶责任人名单"}, header,
		{1, "5001190001000100", "陆华", "张明", "区农业农村委", "科员", 13912345678, "2022.3.1", "2023.6.30"},
		{2, "5001190001000100", "陆华", "李华", "区农业农村委", "副科长", "023-71234567", dateCell{2023, 7, 1, ""}, nil},
		{3, "5001190001000101", "梁光燕", nil, "区财政局", nil, "139", "2022.3.1", nil},
		{4, "5001190001000102", "唐雨飞", "王强", "区财政局", nil, "12345", "2022.3.1", "2021.1.1"},
	}
	f, err := importer.ParseCadres(openBook(t, writeBook(t, bookSpec{sheets: []sheetSpec{{name: "名单", rows: grid}}})), "名单.xlsx", parseOptions)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *f.Report.Cadres, (monitor.RecordCounts{InFile: 4, Rejected: 2}); got != want {
		t.Fatalf("counts = %+v, want %+v; errors %v", got, want, f.Report.Errors)
	}
	want := []monitor.Cadre{
		{HouseholdCode: "5001190001000100", Name: "张明", Unit: "区农业农村委", Phone: "13912345678", From: monitor.Date{Year: 2022, Month: 3, Day: 1}, To: monitor.Date{Year: 2023, Month: 6, Day: 30}},
		{HouseholdCode: "5001190001000100", Name: "李华", Unit: "区农业农村委", Phone: "023-71234567", From: monitor.Date{Year: 2023, Month: 7, Day: 1}},
	}
	for i, w := range want {
		if got := f.Cadres[i].Cadre; got != w {
			t.Errorf("cadre %d = %+v, want %+v", i, got, w)
		}
	}
	for _, c := range []struct {
		name, code string
		row        int
	}{{"ErrNameRequired", monitor.CodeMissingRequired, 5}, {"ErrEndBeforeStart", "date_order", 6}} {
		t.Run(c.name, func(t *testing.T) {
			is, ok := issueWith(f.Report.Errors, c.code)
			if !ok || is.Row != c.row {
				t.Fatalf("errors %v", f.Report.Errors)
			}
		})
	}
	t.Run("PhoneWarning", func(t *testing.T) {
		rows := map[int]bool{}
		for _, w := range f.Report.Warnings {
			if w.Code == "phone_format" {
				rows[w.Row] = true
			}
		}
		if rows[3] || rows[4] || !rows[5] || !rows[6] {
			t.Fatalf("phone_format on rows %v, want 5 and 6 only (a mobile and 023-71234567 are fine)", rows)
		}
	})
}

func TestRecordKindOf(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"Loans", func(*testing.T) string { return "../testdata/loans.xlsx" }, monitor.KindLoans},
		{"Roster", func(*testing.T) string { return "../testdata/households.xlsx" }, ""},
		{"Measures", func(t *testing.T) string {
			return writeBook(t, bookSpec{sheets: []sheetSpec{{name: "措施", rows: [][]any{measureHeader}}}})
		}, monitor.KindMeasures},
		{"Cadres", func(t *testing.T) string {
			return writeBook(t, bookSpec{sheets: []sheetSpec{{name: "名单", rows: [][]any{{"户编号", "户主姓名", "帮扶责任人", "工作单位", "联系电话"}}}}})
		}, monitor.KindCadres},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importer.RecordKindOf(openBook(t, tt.path(t)))
			if err != nil || got != tt.want {
				t.Fatalf("kind = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestMeasureCategoriesFold(t *testing.T) {
	for _, c := range monitor.MeasureCategories {
		f := parseMeasureRows(t, []any{1, "5001190001000100", nil, nil, c, nil, nil, nil, nil, nil, nil, nil, nil})
		if len(f.Measures) != 1 || f.Measures[0].Measure.Category != c {
			t.Errorf("%s: %v", c, f.Report.Errors)
		}
	}
	f := parseMeasureRows(t, []any{1, "5001190001000100", nil, nil, "扶志", nil, nil, nil, nil, nil, nil, nil, nil})
	if is, ok := issueWith(f.Report.Errors, monitor.CodeUnknownValue); !ok || !strings.Contains(is.Message, "产业帮扶、就业帮扶") {
		t.Fatalf("an unknown category lists the accepted ones: %v", f.Report.Errors)
	}
}
