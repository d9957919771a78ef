package sheet

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// buildWithExcelize writes a workbook the way the rest of the project does:
// Sheet1 through the cell API (shared strings), 第二页 through the
// StreamWriter (inline strings, formulas with cached values).
func buildWithExcelize(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const s1 = "Sheet1"
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	cn := `yyyy"年"m"月"d"日"`
	cnStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &cn})
	must(err)
	cn2 := `[$-804]yyyy"年"mm"月"dd"日" hh:mm`
	cnStyle2, err := f.NewStyle(&excelize.Style{CustomNumFmt: &cn2})
	must(err)
	moneyFmt := `#,##0.00"元"`
	moneyStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	must(err)

	must(f.SetCellValue(s1, "A1", "姓名"))
	must(f.SetCellValue(s1, "B1", 5001190006000117))
	must(f.SetCellValue(s1, "C1", 13425.5))
	must(f.SetCellValue(s1, "D1", true))
	must(f.SetCellValue(s1, "E1", false))
	must(f.SetCellValue(s1, "F1", `a&b<c>"d'`))
	must(f.SetCellValue(s1, "G1", "  两边有空格  "))
	must(f.SetCellValue(s1, "H1", "第一行\n第二行"))
	must(f.SetCellValue(s1, "I1", "500119197609282000"))
	must(f.SetCellValue(s1, "J1", ""))
	// Row 2: dates, row 3 left blank.
	must(f.SetCellValue(s1, "A2", 44607))
	must(f.SetCellStyle(s1, "A2", "A2", dateStyle))
	must(f.SetCellValue(s1, "B2", 45292))
	must(f.SetCellStyle(s1, "B2", "B2", cnStyle))
	must(f.SetCellValue(s1, "C2", 44607.75))
	must(f.SetCellStyle(s1, "C2", "C2", cnStyle2))
	must(f.SetCellValue(s1, "D2", time.Date(2022, 2, 15, 0, 0, 0, 0, time.UTC)))
	must(f.SetCellValue(s1, "E2", 1234.5))
	must(f.SetCellStyle(s1, "E2", "E2", moneyStyle))
	must(f.SetCellValue(s1, "F2", "2022年3月"))
	must(f.SetCellStyle(s1, "F2", "F2", dateStyle)) // text stays text whatever the style
	// Row 4-5: a merged title, then a formula without a cached value.
	must(f.SetCellValue(s1, "A4", "合并标题"))
	must(f.MergeCell(s1, "A4", "C5"))
	must(f.SetCellFormula(s1, "D5", "SUM(B1:C1)"))
	must(f.SetCellValue(s1, "A7", -3))

	// Second sheet through the StreamWriter, as the exporters do.
	const s2 = "第二页"
	_, err = f.NewSheet(s2)
	must(err)
	sw, err := f.NewStreamWriter(s2)
	must(err)
	must(sw.SetRow("A1", []any{"户编号", "人口数", "合计", "是否", "日期"}))
	must(sw.SetRow("A2", []any{"5001190006000117", 4, excelize.Cell{Formula: "B2*2", Value: 8}, true,
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}))
	must(sw.SetRow("B4", []any{nil, "跳过一列", excelize.Cell{Formula: `"文"&"本"`, Value: "文本"}}))
	must(sw.MergeCell("A6", "E6"))
	must(sw.SetRow("A6", []any{"签字："}))
	must(sw.Flush())

	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

func TestExcelizeWorkbook(t *testing.T) {
	data := buildWithExcelize(t)
	b := openBytes(t, data, "excelize.xlsx")
	defer b.Close()

	t.Run("sheets_in_workbook_order", func(t *testing.T) {
		if got := b.Sheets(); len(got) != 2 || got[0] != "Sheet1" || got[1] != "第二页" {
			t.Fatalf("Sheets() = %q", got)
		}
		if b.Format() != "xlsx" || b.Date1904() {
			t.Fatalf("Format() = %s, Date1904() = %v", b.Format(), b.Date1904())
		}
	})

	t.Run("cell_api_sheet_reads_cell_by_cell", func(t *testing.T) {
		rows, merges := readSheet(t, b, "Sheet1")
		want := "1: A=Text:\"姓名\" B=Number:\"5001190006000117\" C=Number:\"13425.5\" D=Bool:\"1\" E=Bool:\"0\" " +
			"F=Text:\"a&b<c>\\\"d'\" G=Text:\"  两边有空格  \" H=Text:\"第一行\\n第二行\" I=Text:\"500119197609282000\"\n" +
			"2: A=Date:\"44607\" B=Date:\"45292\" C=Date:\"44607.75\" D=Date:\"44607\" E=Number:\"1234.5\" F=Text:\"2022年3月\"\n" +
			"4: A=Text:\"合并标题\"\n" +
			"7: A=Number:\"-3\"\n"
		if got := fmtRows(rows); got != want {
			t.Errorf("rows:\n%s\nwant:\n%s", got, want)
		}
		if len(merges) != 1 || merges[0] != (Merge{FirstRow: 4, FirstCol: 1, LastRow: 5, LastCol: 3}) {
			t.Errorf("merges = %v", merges)
		}
	})

	t.Run("stream_writer_sheet_reads_cell_by_cell", func(t *testing.T) {
		rows, merges := readSheet(t, b, "第二页")
		want := "1: A=Text:\"户编号\" B=Text:\"人口数\" C=Text:\"合计\" D=Text:\"是否\" E=Text:\"日期\"\n" +
			"2: A=Text:\"5001190006000117\" B=Number:\"4\" C=Number:\"8\" D=Bool:\"1\" E=Date:\"45292\"\n" +
			"4: C=Text:\"跳过一列\" D=Text:\"文本\"\n" +
			"6: A=Text:\"签字：\"\n"
		if got := fmtRows(rows); got != want {
			t.Errorf("rows:\n%s\nwant:\n%s", got, want)
		}
		if len(merges) != 1 || merges[0] != (Merge{FirstRow: 6, FirstCol: 1, LastRow: 6, LastCol: 5}) {
			t.Errorf("merges = %v", merges)
		}
	})

	t.Run("open_by_path_matches_reader", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "book.xlsm")
		if err := writeFile(path, data); err != nil {
			t.Fatal(err)
		}
		pb, err := Open(path, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		defer pb.Close()
		got, _ := readSheet(t, pb, "Sheet1")
		want, _ := readSheet(t, b, "Sheet1")
		if fmtRows(got) != fmtRows(want) {
			t.Errorf("Open and OpenReader differ:\n%s\n%s", fmtRows(got), fmtRows(want))
		}
	})

	t.Run("unknown_sheet_is_an_error", func(t *testing.T) {
		if _, err := b.Rows("没有这个表"); err == nil {
			t.Fatal("Rows of a missing sheet succeeded")
		}
	})
}

// TestMatchesExcelize checks the two readers agree on every raw value.
func TestMatchesExcelize(t *testing.T) {
	data := buildWithExcelize(t)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := openBytes(t, data, "excelize.xlsx")
	for _, name := range b.Sheets() {
		t.Run("same_values_in_"+name, func(t *testing.T) {
			rows, _ := readSheet(t, b, name)
			xr, err := f.GetRows(name, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for i, cols := range xr {
				for j, v := range cols {
					c, _ := cellAt(rows, i+1, j+1)
					if c.Value != v {
						t.Errorf("%s%d: got %q, excelize %q", colName(j+1), i+1, c.Value, v)
					}
				}
			}
		})
	}
}
