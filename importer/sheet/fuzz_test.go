package sheet

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets run their seed corpus (testdata/fuzz/Fuzz*) as ordinary
// tests; `go test ./importer/sheet -run '^$' -fuzz FuzzCSV -fuzztime 60s`
// searches further. Each asserts no panic, errors only of *FormatError, and
// output bounded by the input: no more cells than the input could hold and
// no value longer than the input.

// fuzzLimits are small caps, so that the fuzzer reaches them often.
var fuzzLimits = Limits{MaxSharedStrings: 1000, MaxSharedStringBytes: 64 << 10,
	MaxCellsPerRow: 300, MaxRows: 2000, MaxCells: 20000}

// drain reads every sheet of b and checks the output against the caps and
// maxValue; it returns the rows rendered by fmtRows for the first sheet.
func drain(t *testing.T, b *Book, lim Limits, maxValue int) string {
	t.Helper()
	var first string
	var total int64
	for i, s := range b.Sheets() {
		rs, err := b.Rows(s)
		if err != nil {
			checkFormatError(t, err)
			continue
		}
		var rows []Row
		prev := 0
		for rs.Next() {
			r := rs.Row()
			if len(r.Cells) == 0 || len(r.Cells) > lim.MaxCellsPerRow {
				t.Fatalf("row %d has %d cells", r.Num, len(r.Cells))
			}
			for j, c := range r.Cells {
				if c.Value == "" || len(c.Value) > maxValue || c.Kind == Blank {
					t.Fatalf("row %d cell %d: %s %.40q (max %d bytes)", r.Num, c.Col, c.Kind, c.Value, maxValue)
				}
				if j > 0 && c.Col <= r.Cells[j-1].Col {
					t.Fatalf("row %d: columns out of order", r.Num)
				}
			}
			total += int64(len(r.Cells))
			if i == 0 {
				rows = append(rows, Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)})
			}
			prev = r.Num
		}
		_ = prev
		if err := rs.Err(); err != nil {
			checkFormatError(t, err)
		}
		rs.Close()
		if i == 0 {
			first = fmtRows(rows)
		}
	}
	if total > lim.MaxCells {
		t.Fatalf("%d cells read, cap %d", total, lim.MaxCells)
	}
	return first
}

func checkFormatError(t *testing.T, err error) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FormatError", err, err)
	}
	if fe.Message == "" || fe.Code == "" {
		t.Fatalf("empty FormatError %+v", fe)
	}
}

// FuzzCSV reads arbitrary text as CSV and, where it is plain UTF-8, holds
// the reader to encoding/csv.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("姓名,证件号码\r\n张三,500119197609282000\r\n"))
	f.Add([]byte("a,\"b\"\"c\",\"多\r\n行\"\n\n,,\nd"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := fuzzLimits.withDefaults()
		b, err := OpenReader(bytes.NewReader(data), int64(len(data)), "f.csv", lim)
		if err != nil {
			checkFormatError(t, err)
			return
		}
		if b.Format() != "csv" {
			return
		}
		got := drain(t, b, lim, 3*len(data)+4) // an undecodable GBK byte becomes U+FFFD, 3 bytes
		if utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			want, ok := csvReference(t, string(data), lim)
			if ok && got != want {
				t.Fatalf("differs from encoding/csv: %s", firstDiff(got, want))
			}
		}
	})
}

// csvReference reads text with encoding/csv as the reader did before it
// had its own scanner; ok is false when the caps would have stopped it.
func csvReference(t *testing.T, text string, lim Limits) (string, bool) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = rune(sniffComma(text))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	var rows []Row
	row, line, cells := 0, 0, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("encoding/csv: %v", err)
		}
		first, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		row += first - line
		line = last + strings.Count(rec[len(rec)-1], "\n")
		cells += len(rec)
		if len(rec) > lim.MaxCellsPerRow || int64(cells) > lim.MaxCells || row > lim.MaxRows {
			return "", false
		}
		var r Row
		for i, v := range rec {
			if v != "" {
				r.Cells = append(r.Cells, Cell{Col: i + 1, Value: v, Kind: Text})
			}
		}
		if len(r.Cells) > 0 {
			r.Num = row
			rows = append(rows, r)
		}
	}
	return fmtRows(rows), true
}

func TestCSVAgreesWithEncodingCSV(t *testing.T) {
	inputs := []string{
		"a,b\n", "a,b", "a,b\r\n", "a,b\r", "a\r,b\n", "\r\n\r\na\n", "\n\n\n",
		"\"a\nb\",c\nd\n", "\"a\r\nb\"\r\nc", "\"unclosed\nrest", "\"unclosed\r",
		"\"a\"b,c\n", "a\"b\"c,d\n", "\"\",\"\"\"\"\n", "x,\"y\"\r\n\"z\"", "\"a\"\r\"b\"\n",
		"a;b;c\nd;e\n", "a\tb\n\"c\td\"\te\n", " , \n", "\r", "a,\n,b\n,,\n", "\"a\"\"\n\"\n",
		"\"\n\"\n\"\n", "a\r\r\nb\n", "\"a\"\r\r\n",
	}
	for i, in := range inputs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			lim := DefaultLimits()
			b, err := OpenReader(strings.NewReader(in), int64(len(in)), "f.csv", lim)
			if err != nil {
				t.Fatal(err)
			}
			got := drain(t, b, lim, len(in)+4)
			want, _ := csvReference(t, in, lim)
			if got != want {
				t.Fatalf("%q:\n%s\nwant (encoding/csv):\n%s", in, got, want)
			}
		})
	}
}

// FuzzXLSX reads a workbook whose sheet part and shared strings part are
// the fuzzer's, through the zip and the byte scanner.
func FuzzXLSX(f *testing.F) {
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>44607</v></c></row></sheetData>`+
		`<mergeCells><mergeCell ref="A1:B2"/></mergeCells></worksheet>`), []byte(`<sst><si><t>姓名</t></si><si><r><t>a</t></r><rPh><t>x</t></rPh></si></sst>`))
	f.Add([]byte(`<worksheet><sheetData><row><c t="inlineStr"><is><t>&amp;_x000D_</t></is></c><c t="d"><v>2022-02-15</v></c><c t="b"><v>true</v></c></row>`),
		[]byte(`<sst><si/><si><t>`))
	f.Fuzz(func(t *testing.T, sheetXML, sstXML []byte) {
		data := zipBytes(t, append(workbookParts(1, false),
			part{"xl/worksheets/sheet1.xml", string(sheetXML)},
			part{"xl/sharedStrings.xml", string(sstXML)},
			part{"xl/styles.xml", testStyles})...)
		lim := fuzzLimits.withDefaults()
		b, err := OpenReader(bytes.NewReader(data), int64(len(data)), "f.xlsx", lim)
		if err != nil {
			checkFormatError(t, err)
			return
		}
		drain(t, b, lim, max(len(sheetXML), len(sstXML))+32)
	})
}

// FuzzXLS reads a Workbook stream of the fuzzer's in an OLE compound file:
// the BIFF8 records, SST and CONTINUE splits, sheet offsets and cell
// records are all its to break.
func FuzzXLS(f *testing.F) {
	f.Add(writeXLS(xlsSpec{codepage: 1200, formats: excelFormats, xfs: excelXFs(), sst: rosterSST, sstSplit: 40,
		sheets: []xlsSheetSpec{{name: "花名册", body: rosterSheet}, {name: "选项", hidden: 1}}}))
	f.Fuzz(func(t *testing.T, stream []byte) {
		if len(stream) > 1<<20 {
			return
		}
		data := cfbFile(t, cfbStream{"Workbook", stream})
		lim := fuzzLimits.withDefaults()
		b, err := OpenReader(bytes.NewReader(data), int64(len(data)), "f.xls", lim)
		if err != nil {
			checkFormatError(t, err)
			return
		}
		drain(t, b, lim, 2*len(data)+64)
	})
}

// TestWriteFuzzCorpus writes the seed corpus under testdata/fuzz when
// SHEET_WRITE_CORPUS is set: small valid files of each reader and broken
// ones (cut short, with lying counts and offsets).
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("SHEET_WRITE_CORPUS") == "" {
		t.Skip("set SHEET_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	write := func(target, name string, args ...[]byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		for _, a := range args {
			fmt.Fprintf(&b, "[]byte(%q)\n", a)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	csvs := map[string]string{
		"roster_crlf":      "户编号,姓名,证件号码\r\n1,张三,500119197609282000\r\n",
		"quotes_and_lines": "a,\"b\"\"c\",\"多\r\n行\"\n\n,,\nd,\"unclosed",
		"tabs":             "姓名\t人口数\n\"李\t四\"\t4\n",
		"semicolons":       "\r\n\ra;b;c\n\"x\"y;z\r",
		"bare_quotes":      "a\"b,\"c\"d\"\n\"\"\"\n",
		"many_commas":      strings.Repeat(",", 500) + "x\n",
		"html":             "<html><td>1</td></html>",
		"utf16":            "\xFF\xFEa\x00,\x00b\x00\n\x00",
		"gbk":              "\xd0\xd5\xc3\xfb,\xc8\xcb\xbf\xda\xca\xfd\n",
	}
	for name, text := range csvs {
		write("FuzzCSV", name, []byte(text))
	}
	xlsx := map[string][2]string{
		"shared_and_merge": {`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>44607</v></c></row></sheetData><mergeCells><mergeCell ref="A1:B2"/></mergeCells></worksheet>`,
			`<sst count="2"><si><t>姓名</t></si><si><r><t>a</t></r><rPh><t>x</t></rPh></si></sst>`},
		"inline_date_bool": {`<worksheet><sheetData><row><c t="inlineStr"><is><t>&amp;_x000D_</t></is></c><c t="d"><v>2022-02-15</v></c><c t="b"><v>true</v></c><c t="e"><v>#N/A</v></c></row></sheetData></worksheet>`,
			`<sst><si/></sst>`},
		"formula_str_no_refs": {`<worksheet><sheetData><row><c t="str"><f>A1&amp;"x"</f><v>ab</v></c><c><v>1</v></c><c r="C9"><v>2</v></c></row><row r="3"><c r="B3" s="99"><v>5</v></c></row></sheetData></worksheet>`,
			``},
		"cut_short":        {`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>`, `<sst><si><t>x`},
		"bad_index":        {`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c><c r="A1" t="s"><v>-1</v></c></row></sheetData></worksheet>`, `<sst><si><t>x</t></si></sst>`},
		"unsorted_columns": {`<worksheet><sheetData><row r="2"><c r="C2"><v>3</v></c><c r="A2"><v>1</v></c><c r="C2"><v>4</v></c></row></sheetData></worksheet>`, ``},
		"comments_cdata":   {`<?xml version="1.0"?><!-- x --><worksheet><sheetData><row><c t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row></sheetData></worksheet>`, ``},
	}
	for name, p := range xlsx {
		write("FuzzXLSX", name, []byte(p[0]), []byte(p[1]))
	}
	sheet := func(b *biff) {
		b.rec(recLabelSST, rc(0, 0, 0), le32(0))
		b.rec(recRK, rc(0, 1, 16), rkInt(44607))
		b.rec(recFormula, rc(1, 0, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, le16(0), le32(0), le16(0))
		b.rec(recString, xlStr("公式", 2, false))
		b.rec(recMergedCells, le16(1), le16(0), le16(1), le16(0), le16(1))
	}
	roster := writeXLS(xlsSpec{codepage: 1200, formats: excelFormats, xfs: excelXFs(), sst: rosterSST, sstSplit: 40,
		sheets: []xlsSheetSpec{{name: "花名册", body: rosterSheet}, {name: "选项", hidden: 1, body: sheet}}})
	small := writeXLS(xlsSpec{codepage: 936, xfs: excelXFs(), sst: []string{"户主", strings.Repeat("长", 50)}, sstSplit: 30,
		sheets: []xlsSheetSpec{{name: "S", body: sheet}}})
	lying := slices.Clone(small)
	binary.LittleEndian.PutUint32(lying[bytes.Index(lying, []byte{0x85, 0x00})+4:], 0xFFFFFF)
	xls := map[string][]byte{
		"excel_roster": roster,
		"small_gbk":    small,
		"cut_short":    roster[:len(roster)*2/3],
		"lying_offset": lying,
		"filepass":     writeXLS(xlsSpec{filepass: true, sheets: []xlsSheetSpec{{name: "S", body: sheet}}}),
		"biff5":        writeXLS(xlsSpec{version: 0x0500, sheets: []xlsSheetSpec{{name: "S", body: sheet}}}),
	}
	for name, s := range xls {
		write("FuzzXLS", name, s)
	}
}
