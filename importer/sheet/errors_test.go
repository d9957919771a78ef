package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// cfb returns a minimal OLE compound file: the magic, padding, and the given
// UTF-16LE directory names, which is all the detection looks at.
func cfb(names ...string) []byte {
	b := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	for _, n := range names {
		b = append(b, utf16le(n)...)
		b = append(b, make([]byte, 64)...)
	}
	return b
}

// bombZip is a workbook whose only sheet is 10 MB of one repeated row: it
// compresses about a thousandfold.
func bombZip(t *testing.T) []byte {
	body := `<worksheet><sheetData>` + strings.Repeat(`<row r="1"></row>`, 10<<20/17) + `</sheetData></worksheet>`
	return zipBytes(t, append(workbookParts(1, false), part{"xl/worksheets/sheet1.xml", body})...)
}

// lyingZip is like bombZip but its headers declare a 100-byte sheet, to check
// the limit is enforced on the bytes actually inflated.
func lyingZip(t *testing.T) []byte {
	body := []byte(`<worksheet><sheetData>` + strings.Repeat(`<row r="1"></row>`, 10<<20/17) + `</sheetData></worksheet>`)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(body)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range workbookParts(1, false) {
		w, _ := zw.Create(p.name)
		io.WriteString(w, p.body)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(body), CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

func TestFormatErrors(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
	tests := []struct {
		name   string
		data   []byte
		lim    Limits
		code   string
		atRows bool   // the error comes from Rows/Next rather than Open
		says   string // a phrase the message must contain
	}{
		{"file_over_max_bytes_is_too_large", make([]byte, 2<<20), Limits{MaxFileBytes: 1 << 20}, CodeFileTooLarge, false, "文件大小 2 MB 超过上限 1 MB"},
		{"declared_size_over_limit_is_zip_bomb", nil, Limits{MaxUncompressedBytes: 1 << 20, MaxRatio: 1 << 40}, CodeZipBomb, true, "压缩炸弹"},
		{"ratio_over_limit_is_zip_bomb", nil, DefaultLimits(), CodeZipBomb, true, "压缩炸弹"},
		{"size_lie_is_zip_bomb_while_reading", nil, Limits{MaxUncompressedBytes: 1 << 20, MaxRatio: 1 << 40}, CodeZipBomb, true, "压缩炸弹"},
		{"cfb_with_encryption_info_is_password_protected", cfb("Root Entry", "EncryptionInfo", "EncryptedPackage"), Limits{}, CodePasswordProtected, false, "文件→文档加密→密码加密"},
		{"cfb_without_encryption_is_legacy_xls", cfb("Root Entry", "Workbook"), Limits{}, CodeLegacyXLS, false, "Microsoft Excel 文件(*.xlsx)"},
		{"cfb_word_document_is_not_a_workbook", cfb("Root Entry", "WordDocument"), Limits{}, CodeNotAWorkbook, false, ".xlsx、.xlsm 或 .csv"},
		{"png_is_not_a_workbook", png, Limits{}, CodeNotAWorkbook, false, ".xlsx、.xlsm 或 .csv"},
		{"pdf_is_not_a_workbook", []byte("%PDF-1.7\n1 0 obj\n"), Limits{}, CodeNotAWorkbook, false, ".xlsx、.xlsm 或 .csv"},
		{"html_disguised_as_xls_is_not_a_workbook", []byte("<html><table><tr><td>1</td></tr></table></html>"), Limits{}, CodeNotAWorkbook, false, "另存为 .xlsx"},
		{"empty_file_is_not_a_workbook", []byte{}, Limits{}, CodeNotAWorkbook, false, "空的"},
		{"zip_without_workbook_is_not_a_workbook", nil, Limits{}, CodeNotAWorkbook, false, ".xlsx、.xlsm 或 .csv"},
		{"xlsb_is_not_a_workbook", nil, Limits{}, CodeNotAWorkbook, false, ".xlsb"},
		{"truncated_zip_is_bad_workbook", nil, Limits{}, CodeBadWorkbook, false, "zip"},
		{"malformed_workbook_xml_is_bad_workbook", nil, Limits{}, CodeBadWorkbook, false, "xl/workbook.xml"},
		{"missing_sheet_part_is_bad_workbook", nil, Limits{}, CodeBadWorkbook, true, "xl/worksheets/sheet1.xml"},
		{"shared_string_out_of_range_is_bad_workbook", nil, Limits{}, CodeBadWorkbook, true, "共享字符串"},
	}
	// Zips are built here, where t is at hand.
	for i := range tests {
		tt := &tests[i]
		switch tt.name {
		case "declared_size_over_limit_is_zip_bomb", "ratio_over_limit_is_zip_bomb":
			tt.data = bombZip(t)
		case "size_lie_is_zip_bomb_while_reading":
			tt.data = lyingZip(t)
		case "zip_without_workbook_is_not_a_workbook":
			tt.data = zipBytes(t, part{"readme.txt", "hello"}, part{"photo.jpg", "\xFF\xD8\xFF"})
		case "xlsb_is_not_a_workbook":
			tt.data = zipBytes(t, part{"xl/workbook.bin", "\x83\x01"})
		case "truncated_zip_is_bad_workbook":
			full := sheetXLSX(t, `<row r="1"><c r="A1"><v>1</v></c></row>`)
			tt.data = full[:len(full)/2]
		case "malformed_workbook_xml_is_bad_workbook":
			tt.data = zipBytes(t, part{"xl/workbook.xml", `<workbook><sheets><sheet name="a"`})
		case "missing_sheet_part_is_bad_workbook":
			tt.data = zipBytes(t, workbookParts(1, false)...)
		case "shared_string_out_of_range_is_bad_workbook":
			tt.data = sheetXLSX(t, `<row r="1"><c r="A1" t="s"><v>5</v></c></row>`, "only one")
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := OpenReader(bytes.NewReader(tt.data), int64(len(tt.data)), "upload.xlsx", tt.lim)
			if !tt.atRows {
				if err == nil {
					t.Fatalf("OpenReader succeeded (format %s)", b.Format())
				}
				wantCode(t, err, tt.code)
				if !strings.Contains(err.Error(), tt.says) {
					t.Errorf("message %q lacks %q", err.Error(), tt.says)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenReader: %v", err)
			}
			rs, err := b.Rows("S1")
			if err == nil {
				for rs.Next() {
				}
				err = rs.Err()
				rs.Close()
			}
			wantCode(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("message %q lacks %q", err.Error(), tt.says)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	t.Run("missing_file_is_os_error", func(t *testing.T) {
		if _, err := Open(filepath.Join(t.TempDir(), "nope.xlsx"), DefaultLimits()); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("file_too_large_by_path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.csv")
		if err := writeFile(path, bytes.Repeat([]byte("a,b\n"), 1000)); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path, Limits{MaxFileBytes: 100})
		wantCode(t, err, CodeFileTooLarge)
	})
}

// TestGuardCountsInflatedBytes drives the guard directly, as a zip writer
// could declare any size.
func TestGuardCountsInflatedBytes(t *testing.T) {
	tests := []struct {
		name      string
		n, comp   int64
		max, rmax int64
		code      string
	}{
		{"under_limits_reads_through", 2 << 20, 1 << 20, 4 << 20, 200, ""},
		{"past_max_bytes_is_zip_bomb", 2 << 20, 1 << 20, 1 << 20, 200, CodeZipBomb},
		{"past_ratio_is_zip_bomb", 2 << 20, 1 << 10, 4 << 20, 200, CodeZipBomb},
		{"small_entries_may_compress_well", 1 << 20, 1, 4 << 20, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &guard{rc: io.NopCloser(bytes.NewReader(make([]byte, tt.n))), part: "p", max: tt.max, comp: tt.comp, ratioMax: tt.rmax}
			_, err := io.Copy(io.Discard, g)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code)
		})
	}
}

// FuzzOpen feeds arbitrary uploads through detection and reading: any input
// must end in rows or an error, never a panic.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("\xEF\xBB\xBF姓名\t年龄\n"))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00"))
	f.Add(cfb("EncryptionInfo"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := OpenReader(bytes.NewReader(data), int64(len(data)), "f.csv", DefaultLimits())
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		for _, s := range b.Sheets() {
			rs, err := b.Rows(s)
			if err != nil {
				continue
			}
			for rs.Next() {
			}
			rs.Close()
		}
	})
}
