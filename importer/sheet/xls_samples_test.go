package sheet

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestXLSMatchesXLSX reads the project's sample workbooks as LibreOffice
// Calc 7.4 saved them in Excel 97–2003 format (soffice --headless
// --convert-to xls) and holds every sheet to the .xlsx original: names,
// hidden state, merges, and each cell's kind and value (numbers compared as
// numbers: the .xlsx keeps Excel's text, the .xls a double).
func TestXLSMatchesXLSX(t *testing.T) {
	// Formulas the .xlsx stores without a cached value, which LibreOffice
	// calculated when it converted the file.
	recalculated := map[string]bool{
		"households/花名册/305":              true,
		"industry_villages_2022/种植业统计/63": true,
	}
	for _, name := range []string{"households", "loans", "visits_2022", "industry_villages_2022", "summary_template"} {
		t.Run(name, func(t *testing.T) {
			want, err := Open(samplePath(name+".xlsx"), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			defer want.Close()
			got, err := Open(filepath.Join("testdata", "libreoffice", name+".xls"), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if got.Format() != "xls" {
				t.Fatalf("Format() = %s", got.Format())
			}
			if g, w := got.Sheets(), want.Sheets(); !slices.Equal(g, w) {
				t.Fatalf("Sheets() = %q, want %q", g, w)
			}
			if got.Date1904() != want.Date1904() {
				t.Errorf("Date1904() = %v", got.Date1904())
			}
			for _, s := range want.Sheets() {
				if got.Hidden(s) != want.Hidden(s) {
					t.Errorf("Hidden(%s) = %v", s, got.Hidden(s))
				}
				wr, wm := readSheet(t, want, s)
				gr, gm := readSheet(t, got, s)
				byMerge := func(a, b Merge) int {
					return cmp.Or(a.FirstRow-b.FirstRow, a.FirstCol-b.FirstCol, a.LastRow-b.LastRow, a.LastCol-b.LastCol)
				}
				slices.SortFunc(wm, byMerge)
				slices.SortFunc(gm, byMerge)
				if !slices.Equal(gm, wm) {
					t.Errorf("%s merges = %v, want %v", s, gm, wm)
				}
				for i := range gr {
					key := fmt.Sprintf("%s/%s/%d", name, s, gr[i].Num)
					if recalculated[key] {
						gr[i].Cells = slices.DeleteFunc(gr[i].Cells, func(c Cell) bool {
							_, ok := cellAt(wr, gr[i].Num, c.Col)
							return !ok
						})
					}
				}
				if g, w := numbersAsNumbers(gr), numbersAsNumbers(wr); g != w {
					t.Errorf("%s: %s", s, firstDiff(g, w))
				}
			}
		})
	}
	t.Run("et_is_read_like_xls", func(t *testing.T) {
		b, err := Open(filepath.Join("testdata", "libreoffice", "loans.xls"), DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if b.Format() != "xls" {
			t.Fatal(b.Format())
		}
	})
}

// numbersAsNumbers renders rows with numeric values normalised to 15
// significant digits, Excel's precision.
func numbersAsNumbers(rows []Row) string {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Num: r.Num, Cells: slices.Clone(r.Cells)}
		for j := range out[i].Cells {
			c := &out[i].Cells[j]
			if c.Kind == Number || c.Kind == Date {
				if f, err := strconv.ParseFloat(c.Value, 64); err == nil {
					c.Value = strconv.FormatFloat(f, 'g', 15, 64)
				}
			}
		}
	}
	return fmtRows(out)
}
