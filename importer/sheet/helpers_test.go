package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// part is one zip entry of a hand-made package.
type part struct{ name, body string }

// zipBytes builds a zip from parts, in order.
func zipBytes(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relTyp = `http://schemas.openxmlformats.org/officeDocument/2006/relationships/`
)

// workbookParts returns the workbook and its relationships for sheets named
// S1, S2, ... stored as xl/worksheets/sheetN.xml, with shared strings and
// styles.
func workbookParts(nSheets int, date1904 bool) []part {
	var sheets, rels strings.Builder
	for i := 1; i <= nSheets; i++ {
		fmt.Fprintf(&sheets, `<sheet name="S%d" sheetId="%d" r:id="rId%d"/>`, i, i, i)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>`, i, relTyp, i)
	}
	fmt.Fprintf(&rels, `<Relationship Id="rIdS" Type="%ssharedStrings" Target="/xl/sharedStrings.xml"/>`, relTyp)
	fmt.Fprintf(&rels, `<Relationship Id="rIdT" Type="%sstyles" Target="styles.xml"/>`, relTyp)
	pr := ""
	if date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	return []part{
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relTyp + `officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ` + nsMain + ` ` + nsRel + `>` + pr +
			`<sheets>` + sheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			rels.String() + `</Relationships>`},
	}
}

// testStyles has one cell style per interesting number format; the index
// of each is what a c element's s attribute refers to.
const testStyles = `<styleSheet ` + nsMain + `><numFmts count="4">` +
	`<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>` +
	`<numFmt numFmtId="165" formatCode="0.00&quot;天&quot;"/>` +
	`<numFmt numFmtId="166" formatCode="[h]:mm"/>` +
	`<numFmt numFmtId="167" formatCode="[Red]#,##0"/>` +
	`</numFmts><cellXfs count="8">` +
	`<xf numFmtId="0"/>` + // 0 General
	`<xf numFmtId="14"/>` + // 1 built-in date
	`<xf numFmtId="164"/>` + // 2 custom Chinese date
	`<xf numFmtId="165"/>` + // 3 custom number with a quoted 天
	`<xf numFmtId="166"/>` + // 4 elapsed time
	`<xf numFmtId="167"/>` + // 5 coloured number
	`<xf numFmtId="57"/>` + // 6 built-in East Asian date
	`<xf numFmtId="49"/>` + // 7 text
	`</cellXfs></styleSheet>`

// sheetXLSX builds a workbook with one sheet S1 whose sheetData is data (or,
// when data starts with "<?xml" or "<worksheet" or a prefix, the whole part)
// and the given shared strings.
func sheetXLSX(t testing.TB, data string, sst ...string) []byte {
	t.Helper()
	body := data
	if !strings.HasPrefix(data, "<?xml") && !strings.Contains(data, "worksheet") {
		body = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<worksheet ` + nsMain + `><dimension ref="A1"/><sheetData>` + data + `</sheetData></worksheet>`
	}
	var ss strings.Builder
	ss.WriteString(`<sst ` + nsMain + ` count="1" uniqueCount="1">`)
	for _, s := range sst {
		if strings.HasPrefix(s, "<") {
			ss.WriteString(s) // a raw <si> element
		} else {
			ss.WriteString("<si><t>" + s + "</t></si>")
		}
	}
	ss.WriteString(`</sst>`)
	parts := append(workbookParts(1, false),
		part{"xl/worksheets/sheet1.xml", body},
		part{"xl/sharedStrings.xml", ss.String()},
		part{"xl/styles.xml", testStyles})
	return zipBytes(t, parts...)
}

func openBytes(t testing.TB, data []byte, name string) *Book {
	t.Helper()
	b, err := OpenReader(bytes.NewReader(data), int64(len(data)), name, DefaultLimits())
	if err != nil {
		t.Fatalf("OpenReader(%s): %v", name, err)
	}
	return b
}

// readSheet reads every row of a sheet, copying the cells.
func readSheet(t testing.TB, b *Book, sheet string) ([]Row, []Merge) {
	t.Helper()
	rs, err := b.Rows(sheet)
	if err != nil {
		t.Fatalf("Rows(%q): %v", sheet, err)
	}
	defer rs.Close()
	var rows []Row
	for rs.Next() {
		r := rs.Row()
		rows = append(rows, Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)})
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("reading %q: %v", sheet, err)
	}
	return rows, rs.Merges()
}

// fmtRows renders rows compactly for comparisons and failure messages:
// "1: A=Text:x B=Number:2".
func fmtRows(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d:", r.Num)
		for _, c := range r.Cells {
			fmt.Fprintf(&b, " %s=%s:%q", colName(c.Col), c.Kind, c.Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// cellAt finds a cell in rows read with readSheet.
func cellAt(rows []Row, num, col int) (Cell, bool) {
	for _, r := range rows {
		if r.Num != num {
			continue
		}
		for _, c := range r.Cells {
			if c.Col == col {
				return c, true
			}
		}
	}
	return Cell{}, false
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want *FormatError %s", err, err, code)
	}
	if fe.Code != code {
		t.Fatalf("code = %s (%s), want %s", fe.Code, fe.Message, code)
	}
	if fe.Message == "" || fe.Error() != fe.Message {
		t.Fatalf("Error() = %q, Message = %q", fe.Error(), fe.Message)
	}
}

// firstDiff shows the first line where two renderings differ, shortened.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d: got %.120q, want %.120q", i+1, a, b)
		}
	}
	return "none"
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
