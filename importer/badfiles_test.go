package importer_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// importPath does what an upload does: open the file, then parse it.
func importPath(path string, lim sheet.Limits) error {
	b, err := sheet.Open(path, lim)
	if err != nil {
		return err
	}
	defer b.Close()
	_, err = importer.ParseHouseholds(b, filepath.Base(path), parseOptions)
	return err
}

func writeBytes(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	relsNS  = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
	relType = `http://schemas.openxmlformats.org/officeDocument/2006/relationships/`
)

// xlsxParts is a minimal workbook with one sheet; workbookPad spaces in the
// workbook part and sheetPad empty rows in the sheet make either a zip bomb.
func xlsxParts(t *testing.T, workbookPad, sheetPad int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("_rels/.rels", `<Relationships `+relsNS+`><Relationship Id="rId1" Type="`+relType+`officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="`+strings.TrimSuffix(relType, "/")+`">`+
		`<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets>`+strings.Repeat(" ", workbookPad)+`</workbook>`)
	add("xl/_rels/workbook.xml.rels", `<Relationships `+relsNS+`><Relationship Id="rId1" Type="`+relType+`worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	add("xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		strings.Repeat("<row/>", sheetPad)+`</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cfb is an OLE compound file: the magic, a header, and a directory entry
// with the given stream name in UTF-16LE.
func cfb(stream string) []byte {
	data := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
	for _, r := range stream {
		data = append(data, byte(r), 0)
	}
	return append(data, make([]byte, 512)...)
}

// TestBadFiles refuses files that are not readable workbooks with the sheet
// package's FormatError, whose message tells the user what to do.
func TestBadFiles(t *testing.T) {
	zipOfText := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("readme.txt")
		w.Write([]byte("not a workbook"))
		zw.Close()
		return buf.Bytes()
	}
	sample, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		lim  sheet.Limits
		code string
	}{
		{name: "ErrNotAWorkbookPDF", data: []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), code: sheet.CodeNotAWorkbook},
		{name: "ErrNotAWorkbookZip", data: zipOfText(), code: sheet.CodeNotAWorkbook},
		{name: "ErrNotAWorkbookHTML", data: []byte("<html><body><table><tr><td>户编号</td></tr></table></body></html>"), code: sheet.CodeNotAWorkbook},
		{name: "ErrNotAWorkbookEmpty", data: []byte{}, code: sheet.CodeNotAWorkbook},
		{name: "ErrZipBombWorkbookPart", data: xlsxParts(t, 8<<20, 0), code: sheet.CodeZipBomb},
		{name: "ErrZipBombSheetPart", data: xlsxParts(t, 0, 2<<20), code: sheet.CodeZipBomb},
		{name: "ErrPasswordProtected", data: cfb("EncryptionInfo"), code: sheet.CodePasswordProtected},
		{name: "ErrLegacyXLS", data: cfb("Workbook"), code: sheet.CodeLegacyXLS},
		{name: "ErrFileTooLarge", data: sample, lim: sheet.Limits{MaxFileBytes: 10 << 10}, code: sheet.CodeFileTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := importPath(writeBytes(t, "upload.xlsx", tt.data), tt.lim)
			var fe *sheet.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v (%T), want *sheet.FormatError", err, err)
			}
			if got, want := fe.Code, tt.code; got != want {
				t.Fatalf("Code = %s (%s), want %s", got, fe.Message, want)
			}
			if !strings.ContainsAny(fe.Message, "请文") {
				t.Fatalf("Message = %q, want a Chinese explanation", fe.Message)
			}
		})
	}
}

// TestNotARoster refuses a readable file that holds no roster, or a roster
// without a required column, saying which columns it looked for.
func TestNotARoster(t *testing.T) {
	noVillage := layout{cols: append(append([]string{}, stdCols[:2]...), stdCols[3:]...)}.build(fixture()).sheet
	tests := []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{name: "ErrNoHeaderCSV", path: func(t *testing.T) string {
			return writeBytes(t, "notes.csv", []byte("会议记录\n今天讨论了防止返贫工作\n"))
		}, want: "户编号"},
		{name: "ErrNoHeaderWorkbook", path: func(t *testing.T) string {
			return writeBook(t, bookSpec{sheets: []sheetSpec{{name: "Sheet1", rows: [][]any{textRow("填表说明"), {"姓名", "电话"}}}}})
		}, want: "户编号"},
		{name: "ErrMissingVillageColumn", path: func(t *testing.T) string {
			return writeBook(t, bookSpec{sheets: []sheetSpec{noVillage}})
		}, want: "“村”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := importPath(tt.path(t), sheet.Limits{})
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := monitor.ErrorCode(err), monitor.EINVALID; got != want {
				t.Fatalf("ErrorCode = %s (%v), want %s", got, err, want)
			}
			if msg := monitor.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Fatalf("message %q does not mention %s", msg, tt.want)
			}
		})
	}
}
