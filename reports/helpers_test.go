package reports_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
	"github.com/xuri/excelize/v2"
)

var asOf = monitor.Date{Year: 2022, Month: 12, Day: 31}

func meta() reports.Meta {
	return reports.Meta{Place: "南川区东城街道", AsOf: asOf, Year: 2022, GeneratedBy: "张敏"}
}

func d(y, m, day int) monitor.Date { return monitor.Date{Year: y, Month: m, Day: day} }

// Two households in 皂角井社区 and one in 黄渔村, with valid ID numbers.
func households() []*monitor.Household {
	return []*monitor.Household{
		{
			Code: "5001190001000100", Township: "东城街道", Village: "皂角井社区", Group: "3组", HeadName: "王德明",
			Size: 3, Type: monitor.TypeLifted, Category: monitor.CatUnstable, IdentifiedIn: monitor.YearMonth{Year: 2022, Month: 3},
			Risks: []string{"因病", "缺劳动力"}, Phone: "13800000001",
			Incomes: []monitor.Income{{Year: 2021, PerCapita: 523050}, {Year: 2022, PerCapita: 612345}},
			Members: []monitor.Member{
				{IDNumber: id("500119195703110012"), Name: "王德明", Relation: "户主", Sex: "男", BirthDate: d(1957, 3, 11), Health: "长期慢性病", LaborSkill: "弱劳动力或半劳动力"},
				{IDNumber: id("500119196001020024"), Name: "李秀英", Relation: "配偶", Sex: "女", BirthDate: d(1960, 1, 2), Health: "健康", LaborSkill: "无劳动力"},
				{IDNumber: id("500119201009090034"), Name: "王小川", Relation: "孙子", Sex: "男", BirthDate: d(2010, 9, 9), Health: "健康", SchoolStatus: "七年级"},
			},
		},
		{
			Code: "5001190001000101", Township: "东城街道", Village: "皂角井社区", Group: "5组", HeadName: "陈桂芳",
			Size: 1, Type: monitor.TypeOrdinary, Category: monitor.CatEdge, IdentifiedIn: monitor.YearMonth{Year: 2021, Month: 6},
			Risks: []string{"因学"}, RiskEliminated: true, EliminationMethod: "帮扶消除", EliminatedOn: d(2022, 11, 20),
			Members: []monitor.Member{
				{IDNumber: id("500119197505050046"), Name: "陈桂芳", Relation: "户主", Sex: "女", BirthDate: d(1975, 5, 5), Health: "健康", LaborSkill: "普通劳动力"},
			},
		},
		{
			Code: "5001190006000200", Township: "东城街道", Village: "黄渔村", Group: "1组", HeadName: "刘成",
			Size: 2, Type: monitor.TypeOrdinary, Category: monitor.CatEmergency, IdentifiedIn: monitor.YearMonth{Year: 2022, Month: 8},
			Risks: []string{"因自然灾害"},
			Members: []monitor.Member{
				{IDNumber: id("500119198001010058"), Name: "刘成", Relation: "户主", Sex: "男", BirthDate: d(1980, 1, 1), Health: "健康", LaborSkill: "普通劳动力"},
				{IDNumber: id("500119198202020068"), Name: "赵琴", Relation: "配偶", Sex: "女", BirthDate: d(1982, 2, 2), Health: "健康", LaborSkill: "普通劳动力"},
			},
		},
	}
}

// id gives a 17-digit stem its correct check character.
func id(s string) string { return s[:17] + string(monitor.IDCheckChar(s[:17])) }

func rosterRows(hs []*monitor.Household) []reports.RosterHousehold {
	var rows []reports.RosterHousehold
	for _, h := range hs {
		rows = append(rows, reports.RosterHousehold{H: h, Cadre: &monitor.Cadre{Name: "周强", Unit: "区农业农村委", Phone: "13900000009"}})
	}
	return rows
}

func open(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reopen workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func val(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

func raw(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

func want(t testing.TB, f *excelize.File, sheet, ref, expect string) {
	t.Helper()
	if got := val(t, f, sheet, ref); got != expect {
		t.Errorf("%s!%s = %q, want %q", sheet, ref, got, expect)
	}
}

// wantRow checks a row's cells from column A (formatted as Excel shows
// them); "*" skips a cell.
func wantRow(t testing.TB, f *excelize.File, sheet string, row int, cells ...string) {
	t.Helper()
	for i, c := range cells {
		if c == "*" {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, row)
		want(t, f, sheet, ref, c)
	}
}

// header returns the texts of a header row, without the line breaks long
// headers are shown with.
func header(t testing.TB, f *excelize.File, sheet string, row int) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var h []string
	for _, c := range rows[row-1] {
		h = append(h, strings.ReplaceAll(c, "\n", ""))
	}
	return h
}

// col finds the 1-based column of a header text in a row.
func col(t testing.TB, f *excelize.File, sheet string, row int, name string) string {
	t.Helper()
	for i, h := range header(t, f, sheet, row) {
		if h == name {
			c, _ := excelize.ColumnNumberToName(i + 1)
			return c
		}
	}
	t.Fatalf("%s: no header %q in row %d", sheet, name, row)
	return ""
}

// findRow returns the first row whose column c shows v, or 0.
func findRow(t testing.TB, f *excelize.File, sheet, c, v string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	ci, _ := excelize.ColumnNameToNumber(c)
	for i, r := range rows {
		if ci-1 < len(r) && r[ci-1] == v {
			return i + 1
		}
	}
	return 0
}

// wantDateCell checks that a cell is a real date: a number, not text, with
// a yyyy-mm-dd style format, showing expect.
func wantDateCell(t testing.TB, f *excelize.File, sheet, ref, format, expect string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s: cell type %v, want a number (date serial)", sheet, ref, typ)
	}
	if r := raw(t, f, sheet, ref); strings.Contains(r, "-") {
		t.Errorf("%s!%s: raw value %q is text, want a serial number", sheet, ref, r)
	}
	sid, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(sid)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil || *st.CustomNumFmt != format {
		t.Errorf("%s!%s: number format %v, want %q", sheet, ref, st.CustomNumFmt, format)
	}
	want(t, f, sheet, ref, expect)
}

// numFmt is the number format of a cell: a built-in id or a custom code.
func numFmt(t testing.TB, f *excelize.File, sheet, ref string) (int, string) {
	t.Helper()
	sid, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(sid)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return st.NumFmt, *st.CustomNumFmt
	}
	return st.NumFmt, ""
}

func readCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatalf("CSV has no UTF-8 byte-order mark: % x", b[:min(len(b), 8)])
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	return recs
}

func sheets(f *excelize.File) string { return strings.Join(f.GetSheetList(), ",") }
