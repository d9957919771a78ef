package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestScannerFragments(t *testing.T) {
	tests := []struct {
		name string
		data string   // sheetData content, or a whole worksheet part
		sst  []string // shared strings
		want string   // fmtRows of the result
	}{
		{
			name: "entities_are_decoded",
			data: `<row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b &lt;c&gt; &quot;q&quot; &apos;s&apos; &#20013;&#x6587;</t></is></c>` +
				`<c r="B1" t="s"><v>0</v></c></row>`,
			sst:  []string{"R&amp;D &#x4E00;&#19968;"},
			want: "1: A=Text:\"a&b <c> \\\"q\\\" 's' 中文\" B=Text:\"R&D 一一\"\n",
		},
		{
			name: "namespace_prefixes_are_ignored",
			data: `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
				`<x:sheetData><x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2"><x:v>7</x:v></x:c></x:row></x:sheetData>` +
				`<x:mergeCells><x:mergeCell ref="A2:B2"/></x:mergeCells></x:worksheet>`,
			sst:  []string{"户主"},
			want: "2: A=Text:\"户主\" B=Number:\"7\"\n",
		},
		{
			name: "missing_r_attributes_take_next_row_and_column",
			data: `<row><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>` +
				`<row><c r="C2"><v>3</v></c><c><v>4</v></c></row><row r="5"><c><v>5</v></c></row><row><c r="B6"><v>6</v></c></row>`,
			want: "1: A=Number:\"1\" B=Text:\"x\"\n2: C=Number:\"3\" D=Number:\"4\"\n5: A=Number:\"5\"\n6: B=Number:\"6\"\n",
		},
		{
			name: "self_closing_cells_and_rows_are_blank",
			data: `<row r="1"><c r="A1" s="1"/><c r="B1"><v>2</v></c><c r="C1" t="s"/></row><row r="2"/>` +
				`<row r="3" spans="1:3"></row><row r="4"><c r="A4"><v>4</v></c></row>`,
			want: "1: B=Number:\"2\"\n4: A=Number:\"4\"\n",
		},
		{
			name: "single_quotes_and_any_attribute_order",
			data: `<row spans='1:2' r='3'><c t='s' s='0' r='B3'><v>0</v></c><c s="1" r='C3'><v>44607</v></c></row>`,
			sst:  []string{"单引号"},
			want: "3: B=Text:\"单引号\" C=Date:\"44607\"\n",
		},
		{
			name: "excel_x_escapes_are_decoded",
			data: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>a_x000D__x000A_b</t></is></c>` +
				`<c r="C1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>_xD83D__xDE00_ _x12_</t></is></c></row>`,
			sst:  []string{"x_x0009_y", "_x005F_x000D_"},
			want: "1: A=Text:\"x\\ty\" B=Text:\"a\\r\\nb\" C=Text:\"_x000D_\" D=Text:\"😀 _x12_\"\n",
		},
		{
			name: "formulas_keep_cached_values",
			data: `<row r="1"><c r="A1"><f>SUM(B1:C1)</f><v>3</v></c><c r="B1" t="str"><f>A1&amp;"x&lt;"</f><v>3x&lt;</v></c>` +
				`<c r="C1"><f t="shared" ref="C1:C9" si="0"/><v>5</v></c><c r="D1" t="str"><f>NOW()</f></c>` +
				`<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>`,
			want: "1: A=Number:\"3\" B=Text:\"3x<\" C=Number:\"5\" E=Error:\"#DIV/0!\"\n",
		},
		{
			name: "bool_error_and_raw_numbers",
			data: `<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="e"><v>#N/A</v></c>` +
				`<c r="D1"><v>5.00119E+17</v></c><c r="E1" t="n"><v>5001190006000117</v></c><c r="F1"><v>-0.5</v></c>` +
				`<c r="G1" t="b"><v>true</v></c><c r="H1"><v></v></c></row>`,
			want: "1: A=Bool:\"1\" B=Bool:\"0\" C=Error:\"#N/A\" D=Number:\"5.00119E+17\" E=Number:\"5001190006000117\" F=Number:\"-0.5\" G=Bool:\"1\"\n",
		},
		{
			name: "iso_date_cells_become_serials",
			data: `<row r="1"><c r="A1" t="d"><v>2022-02-15T00:00:00</v></c><c r="B1" t="d"><v>2022-02-15T12:00:00Z</v></c>` +
				`<c r="C1" t="d"><v>2024-01-01</v></c><c r="D1" t="d"><v>not a date</v></c></row>`,
			want: "1: A=Date:\"44607\" B=Date:\"44607.5\" C=Date:\"45292\" D=Text:\"not a date\"\n",
		},
		{
			name: "date_styles_from_builtin_and_custom_formats",
			data: `<row r="1"><c r="A1" s="0"><v>44607</v></c><c r="B1" s="1"><v>44607</v></c><c r="C1" s="2"><v>44607</v></c>` +
				`<c r="D1" s="3"><v>44607</v></c><c r="E1" s="4"><v>0.5</v></c><c r="F1" s="5"><v>44607</v></c>` +
				`<c r="G1" s="6"><v>44607</v></c><c r="H1" s="7"><v>44607</v></c><c r="I1" s="99"><v>44607</v></c>` +
				`<c r="J1" s="1" t="s"><v>0</v></c></row>`,
			sst: []string{"2022-02-15"},
			want: "1: A=Number:\"44607\" B=Date:\"44607\" C=Date:\"44607\" D=Number:\"44607\" E=Date:\"0.5\" " +
				"F=Number:\"44607\" G=Date:\"44607\" H=Number:\"44607\" I=Number:\"44607\" J=Text:\"2022-02-15\"\n",
		},
		{
			name: "rich_text_runs_join_without_phonetics",
			data: `<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>张</t></r><r><t xml:space="preserve"> 三 </t></r>` +
				`<rPh sb="0" eb="1"><t>ちょう</t></rPh><phoneticPr fontId="1"/></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>`,
			sst: []string{`<si><r><rPr><sz val="11"/></rPr><t>李</t></r><r><t>四</t></r><rPh sb="0" eb="1"><t>り</t></rPh></si>`,
				`<si/>`},
			want: "1: A=Text:\"张 三 \" B=Text:\"李四\"\n",
		},
		{
			name: "text_is_kept_untrimmed_and_line_ends_normalised",
			data: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">  x  </t></is></c>" +
				"<c r=\"B1\" t=\"inlineStr\"><is><t>a\r\nb\rc</t></is></c><c r=\"C1\" t=\"str\"><v> </v></c></row>",
			want: "1: A=Text:\"  x  \" B=Text:\"a\\nb\\nc\" C=Text:\" \"\n",
		},
		{
			name: "comments_processing_instructions_and_quoted_gt",
			data: `<?xml version="1.0"?><!-- <row r="9"><c r="A9"><v>9</v></c></row> --><worksheet ` + nsMain + `>` +
				`<sheetPr codeName='a>b'/><sheetData><!-- skipped --><row r="1"><c r="A1"><v>1</v></c></row>` +
				`<![CDATA[<row r="8">]]><?pi x?></sheetData><conditionalFormatting sqref="A1"><cfRule type="expression"><formula>A1&gt;5</formula></cfRule>` +
				`</conditionalFormatting></worksheet>`,
			want: "1: A=Number:\"1\"\n",
		},
		{
			name: "pretty_printed_whitespace",
			data: "\n  <row r=\"1\">\n    <c r=\"A1\" t=\"s\">\n      <v>0</v>\n    </c>\n    <c r=\"B1\">\n      <v>2</v>\n    </c>\n  </row>\n",
			sst:  []string{"缩进"},
			want: "1: A=Text:\"缩进\" B=Number:\"2\"\n",
		},
		{
			name: "out_of_order_columns_are_sorted_last_wins",
			data: `<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c><c r="C1"><v>33</v></c></row>`,
			want: "1: A=Number:\"1\" C=Number:\"33\"\n",
		},
		{
			name: "cells_outside_sheetData_are_ignored",
			data: `<worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>` +
				`<extLst><ext><row r="2"><c r="A2"><v>2</v></c></row></ext></extLst></worksheet>`,
			want: "1: A=Number:\"1\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := openBytes(t, sheetXLSX(t, tt.data, tt.sst...), "t.xlsx")
			rows, _ := readSheet(t, b, "S1")
			if got := fmtRows(rows); got != tt.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestScannerMerges(t *testing.T) {
	data := `<worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row></sheetData>` +
		`<mergeCells count="3"><mergeCell ref="A1:AF1"/><mergeCell ref='B3:A2'/><mergeCell ref="C5"/><mergeCell ref="bad"/></mergeCells></worksheet>`
	b := openBytes(t, sheetXLSX(t, data), "m.xlsx")
	rs, err := b.Rows("S1")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	t.Run("none_before_the_end", func(t *testing.T) {
		if !rs.Next() {
			t.Fatal("no first row")
		}
		if m := rs.Merges(); len(m) != 0 {
			t.Fatalf("merges before end = %v", m)
		}
	})
	t.Run("all_after_the_end", func(t *testing.T) {
		for rs.Next() {
		}
		want := []Merge{{1, 1, 1, 32}, {2, 1, 3, 2}, {5, 3, 5, 3}}
		if got := fmt.Sprint(rs.Merges()); got != fmt.Sprint(want) {
			t.Fatalf("merges = %s, want %v", got, want)
		}
	})
}

// TestScannerBufferBoundaries crosses many buffer refills at varying offsets
// and grows the buffer for a value larger than it.
func TestScannerBufferBoundaries(t *testing.T) {
	long := strings.Repeat("长文本&amp;", 30000) // ~300 KB raw, larger than the buffer
	var data strings.Builder
	var want strings.Builder
	for i := 1; i <= 3000; i++ {
		pad := strings.Repeat(" ", i%97) // shift tag positions against the buffer edge
		fmt.Fprintf(&data, `<row r="%d">%s<c r="A%d" t="inlineStr"><is><t>v%d&amp;</t></is></c>%s<c r="C%d"><v>%d.25</v></c></row>`,
			i, pad, i, i, pad, i, i)
		fmt.Fprintf(&want, "%d: A=Text:%q C=Number:%q\n", i, fmt.Sprintf("v%d&", i), fmt.Sprintf("%d.25", i))
	}
	fmt.Fprintf(&data, `<row r="3001"><c r="B3001" t="inlineStr"><is><t>%s</t></is></c></row>`, long)
	fmt.Fprintf(&want, "3001: B=Text:%q\n", strings.Repeat("长文本&", 30000))

	b := openBytes(t, sheetXLSX(t, data.String()), "big.xlsx")
	rows, _ := readSheet(t, b, "S1")
	if got := fmtRows(rows); got != want.String() {
		t.Errorf("got %d rows; first difference: %s", len(rows), firstDiff(got, want.String()))
	}
}

func TestAppendText(t *testing.T) {
	tests := []struct {
		name, in, want string
		xesc           bool
	}{
		{"plain_text_is_copied", "abc 中文", "abc 中文", true},
		{"unknown_entity_is_kept", "a&nbsp;b & c", "a&nbsp;b & c", true},
		{"bad_char_refs_are_kept", "&#xZZ; &#; &#x; &#99999999;", "&#xZZ; &#; &#x; &#99999999;", true},
		{"x_escape_ignored_without_flag", "_x000D_", "_x000D_", false},
		{"x_escape_needs_four_hex_digits", "_x00D_ _x000G_ _x000D", "_x00D_ _x000G_ _x000D", true},
		{"lone_surrogate_escape_is_replaced", "_xD83D_a", "\uFFFDa", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendText(nil, []byte(tt.in), tt.xesc)); got != tt.want {
				t.Errorf("appendText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in       string
		col, row int
		ok       bool
	}{
		{"A1", 1, 1, true}, {"AF307", 32, 307, true}, {"$B$5", 2, 5, true}, {"xfd1048576", 16384, 1048576, true},
		{"C", 3, 0, true}, {"", 0, 0, false}, {"A1B", 0, 0, false}, {"XFE1", 0, 0, false}, {"A1048577", 0, 0, false},
	}
	for _, tt := range tests {
		name := "parses_" + tt.in
		if !tt.ok {
			name = "rejects_" + tt.in
		}
		if tt.in == "" {
			name = "rejects_empty"
		}
		t.Run(name, func(t *testing.T) {
			col, row, ok := parseRef([]byte(tt.in))
			if col != tt.col || row != tt.row || ok != tt.ok {
				t.Errorf("parseRef(%q) = %d, %d, %v", tt.in, col, row, ok)
			}
		})
	}
}

func TestDate1904Workbook(t *testing.T) {
	sheet := `<worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1" s="1"><v>43145</v></c>` +
		`<c r="B1" t="d"><v>2022-02-15</v></c></row></sheetData></worksheet>`
	data := zipBytes(t, append(workbookParts(1, true),
		part{"xl/worksheets/sheet1.xml", sheet}, part{"xl/styles.xml", testStyles})...)
	b := openBytes(t, data, "1904.xlsx")
	t.Run("date1904_is_reported", func(t *testing.T) {
		if !b.Date1904() {
			t.Fatal("Date1904() = false")
		}
	})
	t.Run("serials_are_in_the_1904_system", func(t *testing.T) {
		rows, _ := readSheet(t, b, "S1")
		want := "1: A=Date:\"43145\" B=Date:\"43145\"\n"
		if got := fmtRows(rows); got != want {
			t.Fatalf("rows:\n%s\nwant:\n%s", got, want)
		}
		y, m, d, ok := DateFromSerial(43145, b.Date1904())
		if !ok || y != 2022 || m != 2 || d != 15 {
			t.Fatalf("DateFromSerial = %d-%d-%d %v", y, m, d, ok)
		}
	})
}

// FuzzSheetXML feeds arbitrary sheet XML through the scanner: whatever the
// bytes, reading must end with rows or an error, never a panic or a hang.
func FuzzSheetXML(f *testing.F) {
	for _, s := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c></row>`,
		`<row><c t="inlineStr"><is><r><t>a&amp;</t></r><rPh><t>x</t></rPh></is></c><c><f>1</f><v>1</v></c></row>`,
		`<!-- x --><![CDATA[y]]><?p?><row r='2'><c r='C2' t='d'><v>2022-02-15</v></c><c t="b"/></row>`,
		`<x:row x:r="3"><x:c r="A3" s="1"><x:v>44607</x:v></x:c></x:row></sheetData><mergeCells><mergeCell ref="A1:B2"/>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		zb := sheetXLSX(t, data, "s0")
		b, err := OpenReader(bytes.NewReader(zb), int64(len(zb)), "f.xlsx", DefaultLimits())
		if err != nil {
			return
		}
		rs, err := b.Rows("S1")
		if err != nil {
			return
		}
		for rs.Next() {
			r := rs.Row()
			for i := 1; i < len(r.Cells); i++ {
				if r.Cells[i].Col <= r.Cells[i-1].Col {
					t.Fatalf("row %d: cells out of order", r.Num)
				}
			}
		}
		rs.Merges()
		rs.Close()
	})
}
