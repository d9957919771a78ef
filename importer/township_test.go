package importer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/fixtures"
	"github.com/shouwang/shouwang/monitor"
)

// TestTownshipWorkbook reads every village sheet of a township's workbook,
// in order, each edited its own way, and skips the 汇总 sheet of formulas,
// the empty sheet and the hidden list of drop-down values.
func TestTownshipWorkbook(t *testing.T) {
	for _, defects := range []bool{false, true} {
		name := "OK_SixVillages"
		if defects {
			name = "ErrDefectsAcrossSheets"
		}
		t.Run(name, func(t *testing.T) {
			path, ans := writeFixture(t, "东城街道.xlsx", func(f *os.File) (*fixtures.Answers, error) {
				return fixtures.WriteTownship(f, fixtures.Township{Seed: 3, Defects: defects})
			})
			f := parseFile(t, path)
			sameAsAnswers(t, f, ans)
			if got, want := len(f.Report.Sheets), len(ans.Sheets); got != want {
				t.Fatalf("%d sheets reported, want %d: %+v", got, want, f.Report.Sheets)
			}
			total := 0
			for i, s := range f.Report.Sheets {
				w := ans.Sheets[i]
				if s.Name != w.Name || (s.SkippedReason == "") != (w.SkippedReason == "") || s.Households != w.Households ||
					len(s.HeaderRows) != len(w.HeaderRows) || len(w.HeaderRows) > 0 && s.HeaderRows[0] != w.HeaderRows[0] {
					t.Errorf("sheet %d = %+v, want %+v", i, s, w)
				}
				total += s.Households
			}
			if got, want := f.Report.Households.InFile, total; got != want {
				t.Fatalf("InFile = %d, the sheets' households add up to %d", got, want)
			}
			if got, want := total, 80-map[bool]int{false: 0, true: 1}[defects]; got != want {
				t.Fatalf("%d households read, want %d", got, want)
			}
			reasons := map[string]string{}
			for _, s := range f.Report.Sheets {
				reasons[s.Name] = s.SkippedReason
			}
			for name, want := range map[string]string{"汇总": "汇总表", "空白": "空工作表", "选项": "选项"} {
				if !strings.Contains(reasons[name], want) {
					t.Errorf("sheet %s skipped for %q, want a reason naming %s", name, reasons[name], want)
				}
			}
			warned := map[string]int{}
			for _, w := range f.Report.Warnings {
				warned[w.Code]++
				switch w.Code {
				case monitor.CodeSheetSkipped, monitor.CodeIDUpgraded, "place_inferred", monitor.CodeSexMismatch:
				default:
					t.Errorf("unexpected warning:%s", issuesText([]monitor.Issue{w}))
				}
				if w.Code == monitor.CodeIDUpgraded && !strings.Contains(w.Message, w.Value) {
					t.Errorf("id_upgraded names one form only: %s", w.Message)
				}
			}
			if warned[monitor.CodeSheetSkipped] != 3 || warned["place_inferred"] != 1 || warned[monitor.CodeIDUpgraded] == 0 {
				t.Errorf("warnings by code %v, want 3 sheet_skipped, 1 place_inferred and some id_upgraded", warned)
			}
		})
	}
}

// TestWriteErrorWorkbookSheets marks each issue on its own sheet, adds the
// 导入结果 column to every roster sheet and leaves the others alone; a
// household the store refuses is marked on its own sheet though the store
// names the first.
func TestWriteErrorWorkbookSheets(t *testing.T) {
	path, ans := writeFixture(t, "东城街道.xlsx", func(f *os.File) (*fixtures.Answers, error) {
		return fixtures.WriteTownship(f, fixtures.Township{Seed: 3, Defects: true})
	})
	f := parseFile(t, path)
	// As the store reports a household of the fourth village registered
	// elsewhere: on the first sheet's name, at the household's row.
	var other *monitor.Household
	var otherRow int
	for _, in := range f.Households {
		if in.Household.Village == ans.Sheets[5].Name {
			other, otherRow = in.Household, in.Row
			break
		}
	}
	f.Report.Errors = append(f.Report.Errors, monitor.Issue{Sheet: f.Report.Sheet, Row: otherRow, Column: f.IDColumn, Col: 0,
		Code: "id_registered_elsewhere", Message: "已登记在系统中另一户", Household: other.Code})
	f.Report.RejectedHouseholds = append(f.Report.RejectedHouseholds, other.Code)

	dst := filepath.Join(t.TempDir(), "errors.xlsx")
	if err := importer.WriteErrorWorkbook(path, openBook(t, path), f, dst); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, e := range ans.Errors {
		comments, err := x.GetComments(e.Sheet)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range comments {
			_, row, _ := excelize.CellNameToCoordinates(c.Cell)
			text := c.Text
			for _, r := range c.Paragraph {
				text += r.Text
			}
			found = found || row == e.Row && strings.Contains(text, e.Code)
		}
		if !found {
			t.Errorf("no %s comment on sheet %s row %d", e.Code, e.Sheet, e.Row)
		}
	}
	resultCol := func(sheet string, headerRow int) int {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for c, v := range rows[headerRow-1] {
			if v == importer.ResultHeader {
				return c + 1
			}
		}
		return 0
	}
	for _, s := range ans.Sheets {
		col := 0
		if len(s.HeaderRows) > 0 {
			col = resultCol(s.Name, s.HeaderRows[0])
		}
		if (col > 0) != (s.SkippedReason == "") {
			t.Errorf("sheet %s: 导入结果 column %d (skipped %q)", s.Name, col, s.SkippedReason)
		}
	}
	// The household the store refused: marked on its own sheet.
	sheet := ans.Sheets[5]
	cell, _ := excelize.CoordinatesToCellName(resultCol(sheet.Name, sheet.HeaderRows[0]), otherRow)
	if got, _ := x.GetCellValue(sheet.Name, cell); !strings.Contains(got, "已登记在系统中另一户") {
		t.Errorf("%s!%s = %q, want the store's reason", sheet.Name, cell, got)
	}
	first := ans.Sheets[1]
	cell, _ = excelize.CoordinatesToCellName(resultCol(first.Name, first.HeaderRows[0]), otherRow)
	if got, _ := x.GetCellValue(first.Name, cell); strings.Contains(got, "已登记在系统中另一户") {
		t.Errorf("%s!%s = %q: the other sheet's household marked on the first", first.Name, cell, got)
	}
}
