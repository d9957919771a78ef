package reports

import (
	"archive/zip"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// book is a workbook being written: the excelize file and its styles.
type book struct {
	f      *excelize.File
	sheets int // sheets created; the first one renames Sheet1
	st     styles
}

// styles are created once per workbook and looked up by index per cell.
type styles struct {
	title, subtitle, header, note int
	cells                         [nRowKinds][nKinds]int
	units                         map[string][nRowKinds]int // counts such as 3户 in subtotal rows
}

// Fonts: 宋体 is what the forms staff file use and what Excel and WPS on
// their machines have; elsewhere the viewer substitutes a CJK font.
const (
	bodyFont  = "宋体"
	titleFont = "黑体"
)

func newBook() (*book, error) {
	b := &book{f: excelize.NewFile()}
	if err := b.makeStyles(); err != nil {
		_ = b.f.Close()
		return nil, err
	}
	return b, nil
}

func (b *book) makeStyles() error {
	thin := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	b.st.title = mk(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: titleSize, Family: titleFont},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	b.st.subtitle = mk(&excelize.Style{
		Font:      &excelize.Font{Size: subtitleSize, Family: bodyFont, Color: "404040"},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true},
	})
	b.st.note = mk(&excelize.Style{
		Font:      &excelize.Font{Size: noteSize, Family: bodyFont},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true},
	})
	b.st.header = mk(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 11, Family: bodyFont},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Border:    thin,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	fills := [nRowKinds]excelize.Fill{
		rowSub:   {Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		rowTotal: {Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}},
	}
	for rk := range nRowKinds {
		for k := range nKinds {
			b.st.cells[rk][k] = mk(cellStyle(k, rk, thin, fills[rk], nil))
		}
	}
	b.st.units = map[string][nRowKinds]int{}
	return err
}

// cellStyle is the style of a body cell of kind k in a row of kind rk.
func cellStyle(k kind, rk rowKind, border []excelize.Border, fill excelize.Fill, format *string) *excelize.Style {
	s := &excelize.Style{
		Font:      &excelize.Font{Size: 11, Family: bodyFont, Bold: rk != rowData},
		Border:    border,
		Fill:      fill,
		Alignment: &excelize.Alignment{Vertical: "center"},
	}
	switch k {
	case kText:
		s.NumFmt = 49 // "@": what staff type over it stays text
	case kLong:
		s.NumFmt = 49
		s.Alignment.WrapText = true
	case kInt:
		s.NumFmt = 1 // 0
	case kYuan:
		s.NumFmt = 4 // #,##0.00
	case kWan:
		f := "#,##0.00##"
		s.CustomNumFmt = &f
	case kDate:
		f := "yyyy-mm-dd"
		s.CustomNumFmt = &f
		s.Alignment.Horizontal = "center"
	case kMonth:
		f := "yyyy-mm"
		s.CustomNumFmt = &f
		s.Alignment.Horizontal = "center"
	case kPct:
		s.NumFmt = 10 // 0.00%
	case kDec:
		f := "0.00##"
		s.CustomNumFmt = &f
	}
	if format != nil {
		s.NumFmt, s.CustomNumFmt = 0, format
	}
	return s
}

// unitStyle is a whole-number style that shows a unit after the number
// (3户, 10人) while the cell stays a number, for counts in subtotal rows.
func (b *book) unitStyle(unit string, rk rowKind) (int, error) {
	if ids, ok := b.st.units[unit]; ok {
		return ids[rk], nil
	}
	thin := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	fills := [nRowKinds]excelize.Fill{
		rowSub:   {Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		rowTotal: {Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}},
	}
	format := `0"` + unit + `"`
	var ids [nRowKinds]int
	for rk := range nRowKinds {
		id, err := b.f.NewStyle(cellStyle(kInt, rk, thin, fills[rk], &format))
		if err != nil {
			return 0, err
		}
		ids[rk] = id
	}
	b.st.units[unit] = ids
	return ids[rk], nil
}

// close releases the temporary files the stream writers used.
func (b *book) close() { _ = b.f.Close() }

// newSheet adds a sheet; the first one takes the place of Sheet1.
func (b *book) newSheet(name string) error {
	b.sheets++
	if b.sheets == 1 {
		return b.f.SetSheetName("Sheet1", name)
	}
	_, err := b.f.NewSheet(name)
	return err
}

// pageSetup prints a sheet one page wide. It must be set before the
// sheet's stream writer is created: the stream writes the sheet
// properties first.
func (b *book) pageSetup(sheet string) error {
	fit := true
	return b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// Paper sizes (OOXML numbering).
const (
	paperA4 = 9
	paperA3 = 8
)

// paper chooses the paper for a table of the given total column width:
// A4 portrait for a narrow one, landscape for a wider one, A3 landscape
// for the widest, one page wide and as many pages tall as it takes.
func (b *book) paper(sheet string, width float64) error {
	size, orient := paperA4, "portrait"
	switch {
	case width > 260:
		size, orient = paperA3, "landscape"
	case width > 110:
		orient = "landscape"
	}
	one, zero := 1, 0
	return b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero,
	})
}

// write streams the finished workbook to w. excelize's own Write assembles
// the whole archive in memory first; handing it a zip writer over w
// streams it instead.
// The first sheet is already the active one (excelize's new workbook has
// activeTab 0); SetActiveSheet would decode every in-memory stream sheet's
// XML to mark its tab, which cost 200 MB on a 16,000-row sheet.
func (b *book) write(w io.Writer) error {
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("reports: write workbook: %w", err)
	}
	return nil
}

// colName is the letters of a 1-based column number.
func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}
