package importer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

// natHeader is a national export's household columns, trimmed.
var natHeader = []any{"乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "户类型", "监测对象类别", "识别监测时间",
	"致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "致贫/返贫风险4", "致贫/返贫风险5",
	"风险是否已消除", "风险消除方式", "消除监测时间", "是否住房出现安全问题", "是否饮水出现安全问题"}

// natRow is one person's row; risks fill the five risk columns.
func natRow(code, name, id, rel string, risks []string, eliminated, method string, month any) []any {
	row := []any{"东城街道", "皂角井社区", code, name, id, rel, "脱贫户", "边缘易致贫户", "202203", nil, nil, nil, nil, nil,
		eliminated, method, month, "否", "否"}
	for i, r := range risks {
		row[9+i] = r
	}
	return row
}

// TestRiskAndElimination reads the five risk columns into the household's
// risks (因安全住房/因安全饮水 as 其他 with the check set while the risk
// stands) and 风险是否已消除, 风险消除方式, 消除监测时间 (the month's first
// day), also as number and date cells.
func TestRiskAndElimination(t *testing.T) {
	tests := []struct {
		name                   string
		risks                  []string
		eliminated, method     string
		month                  any
		wantRisks              []string
		wantHousing, wantWater bool
		wantOn                 monitor.Date
		wantMethod, wantCode   string
	}{
		{name: "OK_FiveColumns", risks: []string{"因病", "因学", "因残", "缺劳动力", "因意外事故"}, eliminated: "否",
			wantRisks: []string{"因病", "因学", "因残", "缺劳动力", "因意外事故"}},
		{name: "OK_Duplicates", risks: []string{"因病", "因病"}, eliminated: "否", wantRisks: []string{"因病"}},
		{name: "OK_UnsafeHousing", risks: []string{"因病", "因安全住房"}, eliminated: "否", wantRisks: []string{"因病", "其他"}, wantHousing: true},
		{name: "OK_UnsafeWater", risks: []string{"因安全饮水", "其他"}, eliminated: "否", wantRisks: []string{"其他"}, wantWater: true},
		{name: "OK_UnsafeHousingEliminated", risks: []string{"因安全住房"}, eliminated: "是", method: "帮扶消除", month: "202306",
			wantRisks: []string{"其他"}, wantOn: monitor.Date{Year: 2023, Month: 6, Day: 1}, wantMethod: "帮扶消除"},
		{name: "OK_MonthAsNumber", risks: []string{"因病"}, eliminated: "是", method: "自然消除", month: 202211,
			wantRisks: []string{"因病"}, wantOn: monitor.Date{Year: 2022, Month: 11, Day: 1}, wantMethod: "自然消除"},
		{name: "OK_MonthAsDateCell", risks: []string{"因病"}, eliminated: "是", method: "帮扶消除", month: dateCell{2022, 11, 1, "yyyymm"},
			wantRisks: []string{"因病"}, wantOn: monitor.Date{Year: 2022, Month: 11, Day: 1}, wantMethod: "帮扶消除"},
		{name: "ErrUnknownMethod", risks: []string{"因病"}, eliminated: "是", method: "稳定消除", month: "202306", wantCode: monitor.CodeUnknownValue},
		{name: "ErrUnknownRisk", risks: []string{"因病返贫"}, eliminated: "否", wantCode: monitor.CodeUnknownValue},
		{name: "ErrBadMonth", risks: []string{"因病"}, eliminated: "是", method: "帮扶消除", month: "2023年13月", wantCode: monitor.CodeDateFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseRows(t, natHeader,
				natRow("1001", "陆华", idLuHua, "户主", tt.risks, tt.eliminated, tt.method, tt.month),
				natRow("1001", "向霞", idXiangXia, "配偶", tt.risks, tt.eliminated, tt.method, tt.month))
			if tt.wantCode != "" {
				if _, ok := issueAt(f.Report.Errors, 3, tt.wantCode); !ok || len(f.Households) != 0 {
					t.Fatalf("want %s on row 3:%s", tt.wantCode, issuesText(f.Report.Errors))
				}
				return
			}
			noIssues(t, f)
			h := f.Households[0].Household
			if got := h.Risks; !reflect.DeepEqual(got, tt.wantRisks) {
				t.Fatalf("Risks = %v, want %v", got, tt.wantRisks)
			}
			if h.HousingUnsafe != tt.wantHousing || h.WaterUnsafe != tt.wantWater {
				t.Fatalf("housing %v water %v, want %v %v", h.HousingUnsafe, h.WaterUnsafe, tt.wantHousing, tt.wantWater)
			}
			if got, want := h.RiskEliminated, tt.eliminated == "是"; got != want {
				t.Fatalf("RiskEliminated = %v, want %v", got, want)
			}
			if h.EliminatedOn != tt.wantOn || h.EliminationMethod != tt.wantMethod {
				t.Fatalf("eliminated %v by %q, want %v by %q", h.EliminatedOn, h.EliminationMethod, tt.wantOn, tt.wantMethod)
			}
		})
	}
	t.Run("WarnEliminatedWithoutMonth", func(t *testing.T) {
		f := parseRows(t, natHeader, natRow("1001", "陆华", idLuHua, "户主", []string{"因病"}, "是", "帮扶消除", nil))
		noIssues(t, f, "missing_eliminated_on")
		if !f.Households[0].Household.RiskEliminated {
			t.Fatal("not eliminated")
		}
	})
	t.Run("ErrRiskDiffersOnAMemberRow", func(t *testing.T) {
		f := parseRows(t, natHeader,
			natRow("1001", "陆华", idLuHua, "户主", []string{"因病"}, "否", "", nil),
			natRow("1001", "向霞", idXiangXia, "配偶", []string{"因学"}, "否", "", nil))
		is, ok := issueAt(f.Report.Errors, 4, monitor.CodeInconsistent)
		if !ok || is.Column != "致贫/返贫风险1" {
			t.Fatalf("want inconsistent_household on 致贫/返贫风险1 row 4:%s", issuesText(f.Report.Errors))
		}
	})
}

// TestHeadRowSpeaks: the household's values are the head's row's; a member
// row before it that says otherwise is the cell reported.
func TestHeadRowSpeaks(t *testing.T) {
	spouse := natRow("1001", "向霞", idXiangXia, "配偶", []string{"因病"}, "否", "", nil)
	spouse[6] = "一般农户"
	f := parseRows(t, natHeader, spouse, natRow("1001", "陆华", idLuHua, "户主", []string{"因病"}, "否", "", nil))
	is, ok := issueAt(f.Report.Errors, 3, monitor.CodeInconsistent)
	if !ok || is.Column != "户类型" || is.Value != "一般农户" || !strings.Contains(is.Message, "户主所在的第 4 行为“脱贫户”") {
		t.Fatalf("want the spouse's 户类型 reported against the head's row:%s", issuesText(f.Report.Errors))
	}
}

// TestAfterEliminationColumns keeps the 风险消除后… columns apart from the
// current values of the same names — a prefix, or a group over them — with
// one warning for them all.
func TestAfterEliminationColumns(t *testing.T) {
	t.Run("OK_Prefix", func(t *testing.T) {
		header := append([]any{}, natHeader...)
		header = append(header, "工资性收入", "风险消除后工资性收入", "风险消除后家庭纯收入", "风险消除后是否住房损毁")
		row := append(natRow("1001", "陆华", idLuHua, "户主", []string{"因病"}, "是", "帮扶消除", "202306"), 8000, 20000, 20000, "否")
		f := parseRows(t, header, row)
		checkAfter(t, f, 3, "风险消除后工资性收入")
	})
	t.Run("OK_Group", func(t *testing.T) {
		upper := append([]any{}, natHeader...)
		lower := make([]any, len(natHeader))
		upper = append(upper, "工资性收入", "风险消除后情况", nil, nil)
		lower = append(lower, nil, "工资性收入", "家庭纯收入", "是否住房出现安全问题")
		row := append(natRow("1001", "陆华", idLuHua, "户主", []string{"因病"}, "是", "帮扶消除", "202306"), 8000, 20000, 20000, "是")
		s := sheetSpec{rows: [][]any{unitRow, upper, lower, row}}
		for c := range natHeader {
			s.merges = append(s.merges, colName(c+1)+"2:"+colName(c+1)+"3")
		}
		s.merges = append(s.merges, colName(len(natHeader)+1)+"2:"+colName(len(natHeader)+1)+"3",
			colName(len(natHeader)+2)+"2:"+colName(len(natHeader)+4)+"2")
		f := parseGrid(t, s)
		checkAfter(t, f, 3, "风险消除后情况/工资性收入")
	})
}

func checkAfter(t *testing.T, f *importer.HouseholdFile, n int, first string) {
	t.Helper()
	noIssues(t, f, "unknown_column")
	if len(f.Report.Warnings) != 1 || f.Report.Warnings[0].Column != first || !strings.Contains(f.Report.Warnings[0].Message, "3 列") {
		t.Fatalf("want one warning for the group, first %q:%s", first, issuesText(f.Report.Warnings))
	}
	h := f.Households[0].Household
	if got, want := h.Incomes[0].Wage, monitor.Yuan(8000); got != want {
		t.Fatalf("Wage = %s, want %s (the current value, not the after-elimination one)", got, want)
	}
	if h.HousingUnsafe {
		t.Fatal("HousingUnsafe read from the after-elimination column")
	}
}

// TestStatedDate reads the date the file states above its header and
// decides the income year by it: the 12 months before the date, recorded
// under the year most of them fall in.
func TestStatedDate(t *testing.T) {
	tests := []struct {
		name     string
		above    [][]any
		wantYear int
		wantDate monitor.Date
		wantWarn string
	}{
		{name: "OK_DataDateJanuary", above: [][]any{textRow("监测对象信息"), textRow("数据日期：2023-01-10")},
			wantYear: 2022, wantDate: monitor.Date{Year: 2023, Month: 1, Day: 10}, wantWarn: "income_year_from_date"},
		{name: "OK_ExportTimeWithClock", above: [][]any{textRow("导出时间：2023-06-30 09:12")},
			wantYear: 2022, wantDate: monitor.Date{Year: 2023, Month: 6, Day: 30}, wantWarn: "income_year_from_date"},
		{name: "OK_ExportTimeJuly", above: [][]any{textRow("导出时间：2023-07-01 09:12")},
			wantYear: 2023, wantDate: monitor.Date{Year: 2023, Month: 7, Day: 1}},
		{name: "OK_CutOffYearEnd", above: [][]any{titleRow, unitRow},
			wantYear: 2022, wantDate: monitor.Date{Year: 2022, Month: 12, Day: 31}},
		{name: "OK_DateCellBesideLabel", above: [][]any{{"数据日期", dateCell{2023, 2, 1, "yyyy-mm-dd"}}},
			wantYear: 2022, wantDate: monitor.Date{Year: 2023, Month: 2, Day: 1}, wantWarn: "income_year_from_date"},
		{name: "OK_EightDigits", above: [][]any{textRow("数据日期:20230110")},
			wantYear: 2022, wantDate: monitor.Date{Year: 2023, Month: 1, Day: 10}, wantWarn: "income_year_from_date"},
		{name: "OK_YearOfDataWins", above: [][]any{textRow("2021年度防止返贫监测对象信息"), textRow("数据日期：2023-01-10")},
			wantYear: 2021, wantDate: monitor.Date{Year: 2023, Month: 1, Day: 10}},
		{name: "OK_BareYearInTitle", above: [][]any{textRow("东城街道2022年防止返贫监测对象花名册")}, wantYear: 2022},
		{name: "OK_Nothing", above: [][]any{}, wantYear: parseOptions.DefaultYear, wantWarn: monitor.CodeYearAssumed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := append(append([][]any{}, tt.above...), natHeader, natRow("1001", "陆华", idLuHua, "户主", []string{"因病"}, "否", "", nil))
			f := parseGrid(t, sheetSpec{rows: rows})
			noIssues(t, f, tt.wantWarn)
			if got := f.Report.IncomeYear; got != tt.wantYear {
				t.Fatalf("IncomeYear = %d, want %d", got, tt.wantYear)
			}
			if got := f.Households[0].Household.Incomes; len(got) > 0 && got[0].Year != tt.wantYear {
				t.Fatalf("income recorded under %d", got[0].Year)
			}
			if got := f.DataDate; got != tt.wantDate {
				t.Fatalf("DataDate = %v, want %v", got, tt.wantDate)
			}
			if tt.wantWarn != "" && len(f.Report.Warnings) != 1 {
				t.Fatalf("want one %s warning:%s", tt.wantWarn, issuesText(f.Report.Warnings))
			}
		})
	}
}

// TestIncomeYearOf is the rule, at its edges.
func TestIncomeYearOf(t *testing.T) {
	for _, tt := range []struct {
		d    monitor.Date
		want int
	}{
		{monitor.Date{Year: 2023, Month: 1, Day: 1}, 2022},
		{monitor.Date{Year: 2023, Month: 6, Day: 30}, 2022},
		{monitor.Date{Year: 2023, Month: 7, Day: 1}, 2023},
		{monitor.Date{Year: 2022, Month: 12, Day: 31}, 2022},
	} {
		if got := importer.IncomeYearOf(tt.d); got != tt.want {
			t.Errorf("IncomeYearOf(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
