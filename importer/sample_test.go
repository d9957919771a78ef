package importer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

const samplePath = "../testdata/households.xlsx"

// answers is the part of testdata/answers.json about the household import.
type answers struct {
	InFile   int `json:"households_in_file"`
	Valid    int `json:"households_valid"`
	Members  int `json:"members_valid"`
	Rejected []struct {
		Code   string `json:"household_code"`
		Row    int    `json:"row"`
		Defect string `json:"defect"`
	} `json:"rejected"`
	ByCategory map[string]int `json:"monitored_by_category"`
	ByVillage  map[string]int `json:"households_by_village"`
}

func readAnswers(t *testing.T) answers {
	t.Helper()
	data, err := os.ReadFile("../testdata/answers.json")
	if err != nil {
		t.Fatal(err)
	}
	var a answers
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// defectCode maps the defect names of answers.json to issue codes.
var defectCode = map[string]string{
	"id_checksum":      monitor.CodeIDChecksum,
	"id_as_number":     monitor.CodeIDNumeric,
	"duplicate_id":     monitor.CodeIDDuplicate,
	"negative_income":  monitor.CodeNegativeAmount,
	"unknown_category": monitor.CodeUnknownValue,
}

// defectColumn is the header, as the importer names it, of the column each
// defect of the sample is in.
var defectColumn = map[string]string{
	"id_checksum":      "家庭成员情况/证件号码",
	"id_as_number":     "家庭成员情况/证件号码",
	"duplicate_id":     "家庭成员情况/证件号码",
	"negative_income":  "家庭收入情况(元)/工资性收入",
	"unknown_category": "家庭基本情况/监测类型",
}

func parseSample(t *testing.T) *importer.HouseholdFile {
	t.Helper()
	return parseFile(t, samplePath)
}

// TestParseSample imports testdata/households.xlsx as answers.json says.
func TestParseSample(t *testing.T) {
	a := readAnswers(t)
	f := parseSample(t)
	rep := f.Report

	t.Run("OK_Band", func(t *testing.T) {
		if got, want := rep.Sheet, "花名册"; got != want {
			t.Fatalf("Sheet = %q, want %q", got, want)
		}
		if got, want := rep.HeaderRows, []int{3, 4}; !reflect.DeepEqual(got, want) {
			t.Fatalf("HeaderRows = %v, want %v", got, want)
		}
		if got, want := rep.IncomeYear, 2022; got != want {
			t.Fatalf("IncomeYear = %d, want %d", got, want)
		}
		if got, want := f.LastCol, 32; got != want {
			t.Fatalf("LastCol = %d, want %d (AF, 备注)", got, want)
		}
	})

	t.Run("OK_Counts", func(t *testing.T) {
		if got, want := rep.Households.InFile, a.InFile; got != want {
			t.Fatalf("households in file = %d, want %d", got, want)
		}
		if got, want := len(f.Households), a.Valid; got != want {
			t.Fatalf("valid households = %d, want %d", got, want)
		}
		if got, want := rep.Households.Rejected, len(a.Rejected); got != want {
			t.Fatalf("rejected = %d, want %d", got, want)
		}
		members := 0
		for _, h := range f.Households {
			members += len(h.Household.Members)
		}
		if got, want := members, a.Members; got != want {
			t.Fatalf("valid members = %d, want %d", got, want)
		}
	})

	t.Run("OK_RejectedAsAnswered", func(t *testing.T) {
		var want []string
		for _, r := range a.Rejected {
			want = append(want, r.Code)
		}
		if got := rep.RejectedHouseholds; !reflect.DeepEqual(got, want) {
			t.Fatalf("RejectedHouseholds = %v, want %v", got, want)
		}
		for _, r := range a.Rejected {
			code := defectCode[r.Defect]
			is, ok := issueAt(rep.Errors, r.Row, code)
			if !ok {
				t.Fatalf("%s: no %s error at row %d; errors:%s", r.Code, code, r.Row, issuesText(rep.Errors))
			}
			if got, want := is.Household, r.Code; got != want {
				t.Fatalf("row %d: Household = %s, want %s", r.Row, got, want)
			}
			if got, want := is.Column, defectColumn[r.Defect]; got != want {
				t.Fatalf("row %d: Column = %q, want %q", r.Row, got, want)
			}
			if _, ok := find(f, r.Code); ok {
				t.Fatalf("%s is among the valid households", r.Code)
			}
			if got := f.RowResults[r.Row]; !strings.HasPrefix(got, "整户未导入") {
				t.Fatalf("RowResults[%d] = %q", r.Row, got)
			}
		}
		// Nothing else is an error.
		if got, want := len(rep.Errors), len(a.Rejected); got != want {
			t.Fatalf("%d errors, want %d:%s", got, want, issuesText(rep.Errors))
		}
	})

	t.Run("OK_DuplicateNamesTheOtherRow", func(t *testing.T) {
		var rows []int
		for _, r := range a.Rejected {
			if r.Defect == "duplicate_id" {
				rows = append(rows, r.Row)
			}
		}
		if got, want := len(rows), 2; got != want {
			t.Fatalf("%d duplicate rows in answers, want %d", got, want)
		}
		for i, row := range rows {
			is, _ := issueAt(rep.Errors, row, monitor.CodeIDDuplicate)
			other := rows[1-i]
			if !strings.Contains(is.Message, "第 "+strconv.Itoa(other)+" 行") {
				t.Fatalf("row %d message does not name row %d: %s", row, other, is.Message)
			}
		}
	})

	t.Run("OK_ByCategoryAndVillage", func(t *testing.T) {
		cats, villages := map[string]int{}, map[string]int{}
		for _, h := range f.Households {
			if h.Household.Category != "" {
				cats[h.Household.Category]++
			}
			villages[h.Household.Village]++
		}
		if !reflect.DeepEqual(cats, a.ByCategory) {
			t.Fatalf("by category = %v, want %v", cats, a.ByCategory)
		}
		if !reflect.DeepEqual(villages, a.ByVillage) {
			t.Fatalf("by village = %v, want %v", villages, a.ByVillage)
		}
	})

	t.Run("OK_MessyValues", func(t *testing.T) {
		tests := []struct {
			code  string
			check func(h *monitor.Household) (got, want string)
		}{
			{"5001190003000102", func(h *monitor.Household) (string, string) { // 2022年9月, merged down, lower-case x
				return h.IdentifiedIn.String() + " " + h.Members[0].IDNumber + " " + h.Members[1].IDNumber,
					"202209 50011919661125647X 500119196708044887"
			}},
			{"5001190004000103", func(h *monitor.Household) (string, string) { // 户编号 stored as a number
				return h.Code + " " + strconv.Itoa(len(h.Members)), "5001190004000103 4"
			}},
			{"5001190004000109", func(h *monitor.Household) (string, string) { // a real date cell
				return h.IdentifiedIn.String(), "202202"
			}},
			{"5001190002000113", func(h *monitor.Household) (string, string) { // 2022.03
				return h.IdentifiedIn.String(), "202203"
			}},
			{"5001190005000104", func(h *monitor.Household) (string, string) { // 2022/11/15
				return h.IdentifiedIn.String(), "202211"
			}},
			{"5001190006000129", func(h *monitor.Household) (string, string) { // 2022-09-15, ID with spaces
				return h.IdentifiedIn.String() + " " + h.Members[2].IDNumber, "202209 500119201005172130"
			}},
			{"5001190001000100", func(h *monitor.Household) (string, string) {
				in := h.Incomes[0]
				return in.Net.String() + " " + in.PerCapita.String() + " " + h.Group, "53702.00 13425.50 7组"
			}},
			{"5001190006000105", func(h *monitor.Household) (string, string) {
				return strings.Join(h.Risks, "、"), "缺劳动力、因病"
			}},
		}
		for _, tt := range tests {
			h, ok := find(f, tt.code)
			if !ok {
				t.Fatalf("%s not valid", tt.code)
			}
			if got, want := tt.check(h); got != want {
				t.Fatalf("%s: got %q, want %q", tt.code, got, want)
			}
		}
	})

	t.Run("OK_NotDataRows", func(t *testing.T) {
		for _, row := range []int{305, 307} {
			if got := f.RowResults[row]; !strings.HasPrefix(got, "非数据行") {
				t.Fatalf("RowResults[%d] = %q, want 非数据行…", row, got)
			}
			for _, is := range append(append([]monitor.Issue{}, rep.Errors...), rep.Warnings...) {
				if is.Row == row {
					t.Fatalf("issue on row %d:%s", row, issuesText([]monitor.Issue{is}))
				}
			}
		}
	})
}

// TestWriteErrorWorkbookSample writes the sample back with its bad cells
// marked and a 导入结果 column.
func TestWriteErrorWorkbookSample(t *testing.T) {
	f := parseSample(t)
	book := openBook(t, samplePath)
	dst := filepath.Join(t.TempDir(), "households_errors.xlsx")
	if err := importer.WriteErrorWorkbook(samplePath, book, f, dst); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const sh = "花名册"
	comments, err := x.GetComments(sh)
	if err != nil {
		t.Fatal(err)
	}
	byCell := map[string]string{}
	for _, c := range comments {
		text := c.Text
		for _, r := range c.Paragraph {
			text += r.Text
		}
		byCell[c.Cell] = text
	}

	bad := []struct {
		cell, code string
	}{
		{"W73", monitor.CodeIDChecksum},
		{"W87", monitor.CodeIDNumeric},
		{"W106", monitor.CodeIDDuplicate},
		{"W172", monitor.CodeIDDuplicate},
		{"M173", monitor.CodeNegativeAmount},
		{"I198", monitor.CodeUnknownValue},
	}
	for _, b := range bad {
		t.Run("OK_Marked"+b.cell, func(t *testing.T) {
			if got := byCell[b.cell]; !strings.Contains(got, b.code) {
				t.Fatalf("comment on %s = %q, want it to contain %s", b.cell, got, b.code)
			}
			idx, err := x.GetCellStyle(sh, b.cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := x.GetStyle(idx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Fill.Type != "pattern" || len(st.Fill.Color) == 0 || st.Fill.Color[0] == "" {
				t.Fatalf("%s fill = %+v, want a pattern fill with a colour", b.cell, st.Fill)
			}
		})
	}

	t.Run("OK_GoodCellsUnmarked", func(t *testing.T) {
		for _, cell := range []string{"W72", "W5", "M172", "I197"} {
			if got, ok := byCell[cell]; ok {
				t.Fatalf("comment on %s: %q", cell, got)
			}
		}
	})

	t.Run("OK_ResultColumn", func(t *testing.T) {
		tests := []struct {
			cell, prefix string
		}{
			{"AG3", importer.ResultHeader},
			{"AG5", "已通过校验"},
			{"AG11", "已通过校验"}, // a member row under merged household cells
			{"AG72", "未导入"},   // the other row of a rejected household
			{"AG73", "未导入"},
			{"AG87", "未导入"},
			{"AG106", "未导入"},
			{"AG172", "未导入"},
			{"AG173", "未导入"},
			{"AG198", "未导入"},
			{"AG305", "非数据行"},
		}
		for _, tt := range tests {
			v, err := x.GetCellValue(sh, tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(v, tt.prefix) {
				t.Fatalf("%s = %q, want %q…", tt.cell, v, tt.prefix)
			}
		}
		mcs, err := x.GetMergeCells(sh)
		if err != nil {
			t.Fatal(err)
		}
		headerMerged := false
		for _, m := range mcs {
			headerMerged = headerMerged || m.GetStartAxis() == "AG3" && m.GetEndAxis() == "AG4"
		}
		if !headerMerged {
			t.Fatal("AG3:AG4 not merged over the two header rows")
		}
		if v, _ := x.GetCellValue(sh, "AF3"); v != "备注" {
			t.Fatalf("AF3 = %q, want the user's 备注 header untouched", v)
		}
	})

	t.Run("OK_UserDataKept", func(t *testing.T) {
		for cell, want := range map[string]string{"W73": "500119195333183550", "E5": "5001190001000100", "V4": "姓名"} {
			if got, _ := x.GetCellValue(sh, cell); got != want {
				t.Fatalf("%s = %q, want %q", cell, got, want)
			}
		}
		if got, want := x.GetSheetList(), []string{"填表说明", "花名册", "Sheet3"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("sheets = %v, want %v", got, want)
		}
	})
}

// TestWriteErrorWorkbookReupload follows the workflow the error workbook is
// for: staff fix a cell in it, upload it again, and get a fresh error
// workbook with one 导入结果 column and no stale marks.
func TestWriteErrorWorkbookReupload(t *testing.T) {
	const sh = "花名册"
	first := filepath.Join(t.TempDir(), "round1.xlsx")
	if err := importer.WriteErrorWorkbook(samplePath, openBook(t, samplePath), parseSample(t), first); err != nil {
		t.Fatal(err)
	}
	// The user corrects the ID number on row 73 and saves, leaving the
	// comments and the result column as they are.
	x, err := excelize.OpenFile(first)
	if err != nil {
		t.Fatal(err)
	}
	fixed := mkID("19530718", 355)
	if err := x.SetCellStr(sh, "W73", fixed); err != nil {
		t.Fatal(err)
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
	x.Close()

	f := parseFile(t, first)
	t.Run("OK_Reparsed", func(t *testing.T) {
		if got, want := len(f.Households), 95; got != want {
			t.Fatalf("%d valid households, want %d:%s", got, want, issuesText(f.Report.Errors))
		}
		if got, want := len(f.Report.Errors), 5; got != want {
			t.Fatalf("%d errors, want %d:%s", got, want, issuesText(f.Report.Errors))
		}
	})
	t.Run("OK_ResultColumnNotUnknown", func(t *testing.T) {
		for _, w := range f.Report.Warnings {
			if w.Column == importer.ResultHeader {
				t.Fatalf("the importer's own result column is reported:%s", issuesText([]monitor.Issue{w}))
			}
		}
		if got, want := f.LastCol, 32; got != want {
			t.Fatalf("LastCol = %d, want %d (the user's last column, AF)", got, want)
		}
	})
	second := filepath.Join(t.TempDir(), "round2.xlsx")
	if err := importer.WriteErrorWorkbook(first, openBook(t, first), f, second); err != nil {
		t.Fatalf("WriteErrorWorkbook on the re-uploaded error workbook: %v", err)
	}
	y, err := excelize.OpenFile(second)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	t.Run("OK_OneResultColumn", func(t *testing.T) {
		for cell, prefix := range map[string]string{"AG3": importer.ResultHeader, "AG73": "已通过校验", "AG87": "未导入"} {
			if v, _ := y.GetCellValue(sh, cell); !strings.HasPrefix(v, prefix) {
				t.Fatalf("%s = %q, want %q…", cell, v, prefix)
			}
		}
		if v, _ := y.GetCellValue(sh, "AH3"); v != "" {
			t.Fatalf("AH3 = %q: a second result column", v)
		}
	})
	t.Run("OK_NoStaleComments", func(t *testing.T) {
		comments, err := y.GetComments(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comments {
			text := c.Text
			for _, r := range c.Paragraph {
				text += r.Text
			}
			if c.Cell == "W73" && strings.Contains(text, monitor.CodeIDChecksum) {
				t.Fatalf("W73 was fixed but keeps %q", text)
			}
			if c.Cell == "W87" && strings.Count(text, monitor.CodeIDNumeric) != 1 {
				t.Fatalf("W87 comment = %q, want id_numeric once", text)
			}
		}
	})
}
