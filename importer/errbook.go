package importer

import (
	"fmt"
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
// staff fix the file in place and upload it again. A CSV source becomes a
// workbook with the same rows.
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
	sh := rep.Sheet
	red, err := x.NewStyle(&excelize.Style{
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font:   &excelize.Font{Color: "9C0006"},
		Border: []excelize.Border{{Type: "left", Color: "C00000", Style: 2}, {Type: "right", Color: "C00000", Style: 2}, {Type: "top", Color: "C00000", Style: 2}, {Type: "bottom", Color: "C00000", Style: 2}},
	})
	if err != nil {
		return err
	}
	yellow, _ := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}})
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	comments := map[string][]string{}
	mark := func(is monitor.Issue, style int) error {
		if is.Row <= 0 || is.Col <= 0 {
			return nil
		}
		cell, _ := excelize.CoordinatesToCellName(is.Col, is.Row)
		comments[cell] = append(comments[cell], is.Code+"："+is.Message)
		return x.SetCellStyle(sh, cell, cell, style)
	}
	for _, is := range rep.Warnings {
		if err := mark(is, yellow); err != nil {
			return err
		}
	}
	for _, is := range rep.Errors {
		if err := mark(is, red); err != nil {
			return err
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
	col := f.LastCol + 1
	if f.ResultCol > 0 {
		col = f.ResultCol
	}
	colName, _ := excelize.ColumnNumberToName(col)
	first, last := f.HeaderRows[0], f.HeaderRows[len(f.HeaderRows)-1]
	top, _ := excelize.CoordinatesToCellName(col, first)
	bottom, _ := excelize.CoordinatesToCellName(col, last)
	if first != last {
		if err := x.MergeCell(sh, top, bottom); err != nil {
			return err
		}
	}
	x.SetCellStr(sh, top, ResultHeader)
	x.SetCellStyle(sh, top, bottom, head)
	x.SetColWidth(sh, colName, colName, 48)
	rowIssues := map[int][]string{}
	for _, is := range rep.Errors {
		if is.Col == 0 && is.Row > 0 {
			rowIssues[is.Row] = append(rowIssues[is.Row], is.Message)
		}
	}
	results := make(map[int]string, len(f.DataRows)+len(f.RowResults))
	for _, r := range f.DataRows {
		results[int(r)] = ""
	}
	for r, res := range f.RowResults {
		results[r] = res
	}
	for row, result := range results {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		text := "已通过校验"
		if rep.Committed {
			text = "已导入"
		}
		if result != "" {
			text = "未导入：" + strings.TrimPrefix(result, "整户未导入：")
			if strings.HasPrefix(result, "非数据行") {
				text = result
			} else {
				x.SetCellStyle(sh, cell, cell, red)
			}
		}
		if extra := rowIssues[row]; len(extra) > 0 && result == "" {
			text += "；" + strings.Join(extra, "；")
		}
		if err := x.SetCellStr(sh, cell, text); err != nil {
			return err
		}
	}
	if err := x.SaveAs(dst); err != nil {
		return fmt.Errorf("error workbook: save %s: %w", dst, err)
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
