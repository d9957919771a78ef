package importer

import (
	"fmt"
	"maps"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

const commentAuthor = "守望"

// ResultHeader heads the column the error workbook adds to each data row.
const ResultHeader = "导入结果"

// WriteErrorWorkbook writes the user's own workbook back with every bad cell
// filled red and carrying a comment with the message, and a 导入结果 column
// saying for each data row whether it was imported and, if not, why — so
// staff fix the file in place and upload it again. Every roster sheet read
// is marked, each issue on its own sheet. A CSV source becomes a workbook
// with the same rows.
func WriteErrorWorkbook(src string, book *sheet.Book, f *HouseholdFile, dst string) error {
	rep := f.Report
	var x *excelize.File
	var err error
	if book.Format() == "xlsx" {
		if x, err = excelize.OpenFile(src); err != nil {
			return fmt.Errorf("error workbook: reopen %s: %w", src, err)
		}
	} else if x, err = csvAsWorkbook(book, rep.Sheet); err != nil {
		return err
	}
	defer x.Close()
	st, err := newErrStyles(x)
	if err != nil {
		return err
	}
	sheets := f.Sheets
	if len(sheets) == 0 { // a HouseholdFile built by hand: its one sheet
		sheets = []*RosterSheet{{Name: rep.Sheet, HeaderRows: f.HeaderRows, RowResults: f.RowResults, DataRows: f.DataRows, LastCol: f.LastCol, ResultCol: f.ResultCol}}
	}
	// Issues by sheet. The store names the first sheet for what it finds
	// (out of scope, an ID registered elsewhere): a household of another
	// sheet is marked where it is.
	bySheet := map[string]*[2][]monitor.Issue{} // warnings, errors
	for k, list := range [][]monitor.Issue{rep.Warnings, rep.Errors} {
		for _, is := range list {
			name := is.Sheet
			if i, ok := f.sheetOf[is.Household]; ok && name == rep.Sheet && i < len(sheets) {
				name = sheets[i].Name
			}
			if bySheet[name] == nil {
				bySheet[name] = new([2][]monitor.Issue)
			}
			bySheet[name][k] = append(bySheet[name][k], is)
		}
	}
	rejected := rejectedAfterParse(f)
	for i, s := range sheets {
		results := maps.Clone(s.RowResults)
		for _, in := range f.Households {
			if in.Household == nil || f.sheetIndex(in.Household.Code) != i {
				continue
			}
			if reason, ok := rejected[in.Household.Code]; ok {
				for _, r := range append([]int{in.Row}, in.MemberRows...) {
					if _, done := results[r]; !done {
						results[r] = reason
					}
				}
			}
		}
		issues := bySheet[s.Name]
		if issues == nil {
			issues = new([2][]monitor.Issue)
		}
		if err := markSheet(x, st, s, issues[0], issues[1], results, rep.Committed); err != nil {
			return err
		}
	}
	if err := x.SaveAs(dst); err != nil {
		return fmt.Errorf("error workbook: save %s: %w", dst, err)
	}
	return nil
}

// sheetIndex is the index into Sheets of a valid household's sheet.
func (f *HouseholdFile) sheetIndex(code string) int {
	if i, ok := f.sheetOf[code]; ok {
		return i
	}
	return 0
}

// rejectedAfterParse gives the households the store refused after parsing
// (out of scope, an ID registered in another household) their reason: the
// first error naming them.
func rejectedAfterParse(f *HouseholdFile) map[string]string {
	out := map[string]string{}
	for _, c := range f.Report.RejectedHouseholds {
		out[c] = ""
	}
	for _, is := range f.Report.Errors {
		if r, ok := out[is.Household]; ok && r == "" {
			out[is.Household] = "整户未导入：" + is.Message
		}
	}
	return out
}

type errStyles struct{ red, yellow, head int }

func newErrStyles(x *excelize.File) (errStyles, error) {
	red, err := x.NewStyle(&excelize.Style{
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font:   &excelize.Font{Color: "9C0006"},
		Border: []excelize.Border{{Type: "left", Color: "C00000", Style: 2}, {Type: "right", Color: "C00000", Style: 2}, {Type: "top", Color: "C00000", Style: 2}, {Type: "bottom", Color: "C00000", Style: 2}},
	})
	if err != nil {
		return errStyles{}, err
	}
	yellow, _ := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}})
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	return errStyles{red: red, yellow: yellow, head: head}, nil
}

// markSheet marks one roster sheet: its issues' cells (warnings yellow,
// errors red), and the 导入结果 column beside its data.
func markSheet(x *excelize.File, st errStyles, s *RosterSheet, warnings, errors []monitor.Issue, rowResults map[int]string, committed bool) error {
	sh := s.Name
	comments := map[string][]string{}
	for k, list := range [][]monitor.Issue{warnings, errors} {
		style := []int{st.yellow, st.red}[k]
		for _, is := range list {
			if is.Row <= 0 || is.Col <= 0 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(is.Col, is.Row)
			comments[cell] = append(comments[cell], is.Code+"："+is.Message)
			if err := x.SetCellStyle(sh, cell, cell, style); err != nil {
				return err
			}
		}
	}
	// An error workbook uploaded again carries the last round's comments
	// and result column: both are replaced, not doubled.
	if old, err := x.GetComments(sh); err == nil {
		for _, c := range old {
			if c.Author == commentAuthor {
				x.DeleteComment(sh, c.Cell)
			}
		}
	}
	for cell, texts := range comments {
		if err := x.AddComment(sh, excelize.Comment{Cell: cell, Author: commentAuthor, Paragraph: []excelize.RichTextRun{{Text: strings.Join(texts, "\n")}}}); err != nil {
			return err
		}
	}
	col := s.LastCol + 1
	if s.ResultCol > 0 {
		col = s.ResultCol
	}
	colName, _ := excelize.ColumnNumberToName(col)
	first, last := s.HeaderRows[0], s.HeaderRows[len(s.HeaderRows)-1]
	top, _ := excelize.CoordinatesToCellName(col, first)
	bottom, _ := excelize.CoordinatesToCellName(col, last)
	if first != last {
		if err := x.MergeCell(sh, top, bottom); err != nil {
			return err
		}
	}
	x.SetCellStr(sh, top, ResultHeader)
	x.SetCellStyle(sh, top, bottom, st.head)
	x.SetColWidth(sh, colName, colName, 48)
	rowIssues := map[int][]string{}
	for _, is := range errors {
		if is.Col == 0 && is.Row > 0 {
			rowIssues[is.Row] = append(rowIssues[is.Row], is.Message)
		}
	}
	results := make(map[int]string, len(s.DataRows)+len(rowResults))
	for _, r := range s.DataRows {
		results[int(r)] = ""
	}
	for r, res := range rowResults {
		results[r] = res
	}
	for row, result := range results {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		text := "已通过校验"
		if committed {
			text = "已导入"
		}
		if result != "" {
			text = "未导入：" + strings.TrimPrefix(result, "整户未导入：")
			if strings.HasPrefix(result, "非数据行") {
				text = result
			} else {
				x.SetCellStyle(sh, cell, cell, st.red)
			}
		}
		if extra := rowIssues[row]; len(extra) > 0 && result == "" {
			text += "；" + strings.Join(extra, "；")
		}
		if err := x.SetCellStr(sh, cell, text); err != nil {
			return err
		}
	}
	return nil
}

func csvAsWorkbook(book *sheet.Book, name string) (*excelize.File, error) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", name)
	rs, err := book.Rows(name)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		r := rs.Row()
		for _, c := range r.Cells {
			cell, _ := excelize.CoordinatesToCellName(c.Col, r.Num)
			x.SetCellStr(name, cell, c.Value)
		}
	}
	return x, rs.Err()
}
