package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// readAll opens data and reads every row of sheet, returning the first
// error from opening, starting or reading it.
func readAll(data []byte, name, sheet string, lim Limits) (rows int, err error) {
	b, err := OpenReader(bytes.NewReader(data), int64(len(data)), name, lim)
	if err != nil {
		return 0, err
	}
	rs, err := b.Rows(sheet)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	for rs.Next() {
		rows++
	}
	return rows, rs.Err()
}

// wantTooComplex checks err is file_too_complex from the named cap and that
// its message says the phrase.
func wantTooComplex(t *testing.T, err error, limit, says string) {
	t.Helper()
	wantCode(t, err, CodeTooComplex)
	var fe *FormatError
	errors.As(err, &fe)
	if fe.Limit != limit {
		t.Errorf("Limit = %q, want %q (%s)", fe.Limit, limit, fe.Message)
	}
	if !strings.Contains(fe.Message, says) {
		t.Errorf("message %q lacks %q", fe.Message, says)
	}
}

// twoSheets is a workbook whose sheets S1 and S2 each hold the given data.
func twoSheets(t *testing.T, data string) []byte {
	t.Helper()
	ws := `<worksheet ` + nsMain + `><sheetData>` + data + `</sheetData></worksheet>`
	return zipBytes(t, append(workbookParts(2, false),
		part{"xl/worksheets/sheet1.xml", ws}, part{"xl/worksheets/sheet2.xml", ws},
		part{"xl/sharedStrings.xml", `<sst ` + nsMain + `/>`}, part{"xl/styles.xml", testStyles})...)
}

func TestLimits(t *testing.T) {
	row := func(r, cells int) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<row r="%d">`, r)
		for c := 1; c <= cells; c++ {
			fmt.Fprintf(&b, `<c r="%s%d"><v>%d</v></c>`, colName(c), r, c)
		}
		b.WriteString(`</row>`)
		return b.String()
	}
	one := `<row r="1"><c r="A1"><v>1</v></c></row>`
	tests := []struct {
		name        string
		data        func(t *testing.T) []byte
		file, sheet string
		lim         Limits
		limit, says string // "" when the file must be read
	}{
		{"shared_strings_over_count_refused", func(t *testing.T) []byte {
			return sheetXLSX(t, one, "a", "b", "c", "d")
		}, "u.xlsx", "S1", Limits{MaxSharedStrings: 3}, "MaxSharedStrings", "共享字符串（xl/sharedStrings.xml）超过 3 个上限"},
		{"shared_strings_at_count_read", func(t *testing.T) []byte {
			return sheetXLSX(t, one, "a", "b", "c")
		}, "u.xlsx", "S1", Limits{MaxSharedStrings: 3}, "", ""},
		{"shared_string_bytes_over_cap_refused", func(t *testing.T) []byte {
			return sheetXLSX(t, one, strings.Repeat("长", 100))
		}, "u.xlsx", "S1", Limits{MaxSharedStringBytes: 300}, "MaxSharedStringBytes", "共享字符串（xl/sharedStrings.xml）超过 300 字节上限"},
		{"empty_shared_strings_pay_their_overhead", func(t *testing.T) []byte {
			return sheetXLSX(t, one, strings.Repeat("<si/>", 7))
		}, "u.xlsx", "S1", Limits{MaxSharedStringBytes: 6 * sharedStringOverhead}, "MaxSharedStringBytes", "每个字符串另计 16 字节"},
		{"cells_per_row_over_cap_refused", func(t *testing.T) []byte {
			return sheetXLSX(t, row(1, 2)+row(2, 4))
		}, "u.xlsx", "S1", Limits{MaxCellsPerRow: 3}, "MaxCellsPerRow", "工作表“S1”第 2 行超过 3 个单元格上限"},
		{"blank_cells_count_per_row", func(t *testing.T) []byte {
			return sheetXLSX(t, `<row r="1"><c r="A1" s="1"/><c r="B1" s="1"/><c r="C1" s="1"/><c r="D1" s="1"/></row>`)
		}, "u.xlsx", "S1", Limits{MaxCellsPerRow: 3}, "MaxCellsPerRow", "第 1 行"},
		{"cells_without_refs_count_per_row", func(t *testing.T) []byte {
			return sheetXLSX(t, `<row>`+strings.Repeat(`<c><v>1</v></c>`, 20000)+`</row>`)
		}, "u.xlsx", "S1", Limits{}, "MaxCellsPerRow", "超过 16384 个单元格上限"},
		{"rows_over_cap_refused_empty_ones_too", func(t *testing.T) []byte {
			return sheetXLSX(t, one+`<row r="2"/><row r="3"/>`)
		}, "u.xlsx", "S1", Limits{MaxRows: 2}, "MaxRows", "工作表“S1”超过 2 行上限"},
		{"rows_at_cap_read", func(t *testing.T) []byte {
			return sheetXLSX(t, one+`<row r="2"/>`)
		}, "u.xlsx", "S1", Limits{MaxRows: 2}, "", ""},
		{"cells_over_cap_refused", func(t *testing.T) []byte {
			return sheetXLSX(t, row(1, 3)+row(2, 3))
		}, "u.xlsx", "S1", Limits{MaxCells: 5}, "MaxCells", "单元格总数超过 5 个上限（读到工作表“S1”第 2 行时）"},
		{"default_caps_say_wan", func(t *testing.T) []byte {
			return sheetXLSX(t, one)
		}, "u.xlsx", "S1", Limits{MaxRows: 20000, MaxSharedStrings: 4000000}, "", ""},
		{"meta_part_over_cap_refused", func(t *testing.T) []byte {
			parts := workbookParts(1, false)
			parts[1].body = strings.Replace(parts[1].body, "<sheets>", "<sheets>"+strings.Repeat(" ", maxMetaBytes), 1)
			return zipBytes(t, parts...)
		}, "u.xlsx", "S1", Limits{MaxRatio: 1 << 40}, "MetaPartBytes", "xl/workbook.xml 解压后超过 16 MB 上限"},
		{"styles_over_cap_refused", func(t *testing.T) []byte {
			styles := `<styleSheet><cellXfs>` + strings.Repeat(`<xf/>`, maxStyles+1) + `</cellXfs></styleSheet>`
			return zipBytes(t, append(workbookParts(1, false),
				part{"xl/worksheets/sheet1.xml", `<worksheet><sheetData>` + one + `</sheetData></worksheet>`},
				part{"xl/styles.xml", styles})...)
		}, "u.xlsx", "S1", Limits{MaxRatio: 1 << 40}, "Styles", "单元格格式超过"},
		{"token_over_16MB_refused", func(t *testing.T) []byte {
			return sheetXLSX(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>`+strings.Repeat("a", maxToken)+`</t></is></c></row>`)
		}, "u.xlsx", "S1", Limits{MaxRatio: 1 << 40}, "TokenBytes", "xl/worksheets/sheet1.xml 中有一段连续内容超过 16 MB 上限"},
		{"csv_rows_over_cap_refused", func(t *testing.T) []byte {
			return []byte("a\nb\n\nc\n")
		}, "名单.csv", "名单", Limits{MaxRows: 2}, "MaxRows", "工作表“名单”超过 2 行上限"},
		{"csv_fields_over_cap_refused_before_the_line_ends", func(t *testing.T) []byte {
			return []byte("a,b\n" + strings.Repeat(",", 1<<20) + "\n")
		}, "名单.csv", "名单", Limits{MaxCellsPerRow: 100}, "MaxCellsPerRow", "工作表“名单”第 2 行超过 100 个单元格上限"},
		{"csv_cells_over_cap_refused", func(t *testing.T) []byte {
			return []byte("a,b\nc,d\ne,f\n")
		}, "名单.csv", "名单", Limits{MaxCells: 5}, "MaxCells", "单元格总数超过 5 个上限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(tt.data(t), tt.file, tt.sheet, tt.lim)
			if tt.limit == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantTooComplex(t, err, tt.limit, tt.says)
		})
	}
}

func TestRowBytesCap(t *testing.T) {
	defer func(n int) { maxRowBytes = n }(maxRowBytes)
	maxRowBytes = 10
	t.Run("xlsx", func(t *testing.T) {
		_, err := readAll(sheetXLSX(t, `<row r="3"><c r="A3" t="inlineStr"><is><t>0123456789ab</t></is></c></row>`), "u.xlsx", "S1", Limits{})
		wantTooComplex(t, err, "RowBytes", "工作表“S1”第 3 行的文字超过")
	})
	t.Run("csv", func(t *testing.T) {
		_, err := readAll([]byte("\"0123456789ab\"\n"), "c.csv", "c", Limits{})
		wantTooComplex(t, err, "RowBytes", "工作表“c”第 1 行的文字超过")
	})
}

func TestCountSaysWanAndYi(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{1048576, "1048576"}, {4000000, "400万"}, {100000000, "1亿"}, {16384, "16384"}, {20000, "2万"}}
	for _, tt := range tests {
		if got := count(tt.n); got != tt.want {
			t.Errorf("count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestBookReadsSheetsAgainWithoutReloading is the reuse callers rely on:
// one Book, its strings loaded once, each sheet read as often as needed, and
// a sheet read twice charged once against MaxCells.
func TestBookReadsSheetsAgainWithoutReloading(t *testing.T) {
	data := twoSheets(t, `<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>`)
	b, err := OpenReader(bytes.NewReader(data), int64(len(data)), "u.xlsx", Limits{MaxCells: 4})
	if err != nil {
		t.Fatal(err)
	}
	var sst *strTable
	for pass, sheet := range []string{"S1", "S1", "S2", "S1", "S2"} {
		rs, err := b.Rows(sheet)
		if err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		for rs.Next() {
		}
		if err := rs.Err(); err != nil {
			t.Fatalf("pass %d (%s): %v", pass, sheet, err)
		}
		rs.Close()
		if pass == 0 {
			sst = b.x.sst
		} else if b.x.sst != sst {
			t.Fatalf("pass %d reloaded the shared strings", pass)
		}
	}
	if got, want := b.cells.total, int64(4); got != want {
		t.Fatalf("cells charged = %d, want %d", got, want)
	}
}

func TestStrTable(t *testing.T) {
	tab := newStrTable("p", DefaultLimits(), 3)
	var want []string
	long := strings.Repeat("x", strChunk+5)
	for i := 0; i < 200000; i++ {
		s := fmt.Sprintf("姓名%d", i)
		switch {
		case i%1000 == 7:
			s = ""
		case i%50000 == 500:
			s = long
		}
		want = append(want, s)
		if err := tab.add([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	tab.done()
	if tab.len() != len(want) {
		t.Fatalf("len = %d, want %d", tab.len(), len(want))
	}
	for i, w := range want {
		if got := tab.get(i); got != w {
			t.Fatalf("get(%d) = %.20q, want %.20q", i, got, w)
		}
	}
	if t2 := newStrTable("p", DefaultLimits(), 0); true {
		t2.add(nil)
		t2.done()
		if t2.get(0) != "" {
			t.Fatal("a table of one empty string")
		}
	}
}

func TestHiddenSheetsXLSX(t *testing.T) {
	parts := workbookParts(3, false)
	parts[1].body = strings.Replace(parts[1].body, `name="S2"`, `name="S2" state="hidden"`, 1)
	parts[1].body = strings.Replace(parts[1].body, `name="S3"`, `name="S3" state="veryHidden"`, 1)
	data := zipBytes(t, parts...)
	b := openBytes(t, data, "h.xlsx")
	for _, tt := range []struct {
		sheet  string
		hidden bool
	}{{"S1", false}, {"S2", true}, {"S3", true}, {"nope", false}} {
		if got := b.Hidden(tt.sheet); got != tt.hidden {
			t.Errorf("Hidden(%s) = %v, want %v", tt.sheet, got, tt.hidden)
		}
	}
}
