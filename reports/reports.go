// Package reports turns monitor values into the workbooks supervisors file:
// rosters, flag lists, public notices, measure and loan ledgers, statistics
// by township and village (also filled into a district's own form), and the
// year's figures as a work review states them.
//
// Row inputs are iterators (iter.Seq2[T, error]), so a caller can stream
// them from a database cursor: each report writes its sheets with
// excelize's StreamWriter and streams the finished workbook to an
// io.Writer, and memory stays flat however many rows there are. An error
// yielded by the iterator stops the report and is returned before a byte
// of the workbook is written (a CSV has been written up to that row and
// must be discarded). Rows should arrive ordered by township and village,
// as the store's queries order them: subtotals are taken when the village
// changes. The package has no database access and no HTTP; it only formats
// what it is given, plus the totals it computes.
//
// Every workbook has a merged title row (report name, place and date), a
// second line saying whether ID numbers are masked (or that the workbook
// holds none), a frozen and styled header with an autofilter, column widths
// fitted to Chinese text, typed numbers and real date cells, and subtotal
// and total rows computed here. Text from user data is always written as
// text, never as a formula. A sheet that would pass MaxRows continues on a
// next sheet named 名称（续1） with the title and header repeated.
package reports

import (
	"fmt"
	"iter"

	"github.com/shouwang/shouwang/monitor"
)

// Meta says what a report is about and how to write it.
type Meta struct {
	// Place names the area the report covers, e.g. "南川区东城街道" or
	// "东城街道皂角井社区"; it begins the title.
	Place string
	// AsOf is the date the figures are as of (balances, ages, open flags).
	AsOf monitor.Date
	// Year is the reporting year (loans issued, new identifications).
	Year int
	// GeneratedBy names who produced the workbook (制表人).
	GeneratedBy string
	// Unmask writes ID numbers in full; by default they are masked as
	// 500119********1234. The workbook states which in its title area.
	Unmask bool
	// Format is XLSX (the default) or CSV; CSV is accepted by the flat
	// reports only (Roster, Flags, Measures, Loans).
	Format Format
}

// Format is the file format a report is written in.
type Format int

// Formats. CSV is UTF-8 with a byte-order mark (so Excel opens it as UTF-8),
// the same header as the workbook and no title, subtotal or total rows.
const (
	XLSX Format = iota
	CSV
)

// MaxRows is the number of rows a sheet may hold, Excel's limit. A report
// longer than that continues on a next sheet with the title and header
// repeated. It is a variable so that tests can set it low.
var MaxRows = 1048576

// Rows adapts a slice to the iterator the reports take.
func Rows[T any](s []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// maskNote is the second title line: whether the workbook holds full ID
// numbers. Workbooks without any ID column say so instead.
func maskNote(m Meta, hasIDs bool) string {
	switch {
	case !hasIDs:
		return "本表不含身份证号"
	case m.Unmask:
		return "身份证号未脱敏（含完整号码，注意保密）"
	}
	return "身份证号已脱敏"
}

// idText is an ID number as the report shows it.
func idText(m Meta, id string) string {
	if m.Unmask || id == "" {
		return id
	}
	return monitor.MaskID(id)
}

// cnDate writes a date the way a form's title does: 2022年12月31日.
func cnDate(d monitor.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
}

// title is "place + name（截至 date）".
func title(m Meta, name string) string {
	t := m.Place + name
	if !m.AsOf.IsZero() {
		t += "（截至" + cnDate(m.AsOf) + "）"
	}
	return t
}

// subtitle is the second line of every workbook.
func subtitle(m Meta, hasIDs bool) string {
	s := maskNote(m, hasIDs)
	if !m.AsOf.IsZero() {
		s += "　　数据截至：" + m.AsOf.String()
	}
	if m.GeneratedBy != "" {
		s += "　　制表人：" + m.GeneratedBy
	}
	return s
}

// errCSV refuses CSV for a report that is not a flat table.
func errCSV(report string) error {
	return monitor.Errorf(monitor.EINVALID, "%s只能导出为 Excel 工作簿（.xlsx），不能导出为 CSV", report)
}

// placeKey groups rows by township and village for subtotals.
type placeKey struct{ township, village string }
