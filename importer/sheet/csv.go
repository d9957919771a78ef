package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// csvBook holds a CSV file decoded to UTF-8. The whole file is read: it is
// below MaxFileBytes, and decoding GB18030 or UTF-16 is simplest in one go.
type csvBook struct {
	sheet string
	text  string
	comma rune
}

// binaryMagic lists signatures of files people upload by mistake that could
// otherwise pass as text.
var binaryMagic = [][]byte{
	[]byte("%PDF"), []byte("\x89PNG"), []byte("\xFF\xD8\xFF"), []byte("GIF8"),
	[]byte("Rar!"), []byte("7z\xBC\xAF"), []byte("\x1F\x8B"), []byte("{\\rtf"),
}

func openCSV(r io.ReaderAt, size int64, name string) (*csvBook, error) {
	raw := make([]byte, size)
	if n, err := r.ReadAt(raw, 0); n < len(raw) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	text, err := decodeText(raw)
	if err != nil {
		return nil, err
	}
	sheet := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if name == "" || sheet == "" || sheet == "." {
		sheet = "Sheet1"
	}
	return &csvBook{sheet: sheet, text: text, comma: sniffComma(text)}, nil
}

// decodeText turns the file into UTF-8: UTF-16 with a byte order mark (Excel's
// "Unicode text"), UTF-8 with or without BOM, else GB18030 — what Chinese
// Excel and WPS write for "CSV (逗号分隔)", a superset of GBK and GB2312.
// Content that is not text at all is refused.
func decodeText(raw []byte) (string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
		if err != nil {
			return "", errNotWorkbook("文件内容无法识别为文字。")
		}
		return checkText(string(b))
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		b, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
		if err != nil {
			return "", errNotWorkbook("文件内容无法识别为文字。")
		}
		return checkText(string(b))
	}
	for _, m := range binaryMagic {
		if bytes.HasPrefix(raw, m) {
			return "", errNotWorkbook("文件内容不是表格（可能是 PDF、图片、压缩包或 Word 文件）。")
		}
	}
	if isBinary(raw) {
		return "", errNotWorkbook("文件内容不是表格，也不是可读的文字（可能是 PDF、图片或其他程序的文件）。")
	}
	raw = bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(raw) {
		return checkText(string(raw))
	}
	b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil {
		return "", errNotWorkbook("文件内容无法识别为文字（既不是 UTF-8 也不是 GBK 编码）。")
	}
	return checkText(string(b))
}

// isBinary looks at the start of the file for bytes that never occur in text:
// NUL, or more than a few other control characters.
func isBinary(raw []byte) bool {
	sample := raw[:min(len(raw), 64<<10)]
	if bytes.IndexByte(sample, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range sample {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A {
			ctl++
		}
	}
	return ctl > 8 && ctl*100 > len(sample)
}

// checkText refuses HTML and XML disguised as spreadsheets: many government
// systems export an "Excel" file that is really a web page or Excel 2003 XML,
// which would otherwise come out as garbage columns.
func checkText(s string) (string, error) {
	t := strings.TrimLeft(s, " \t\r\n\ufeff")
	if len(t) > 1 && t[0] == '<' && (t[1] == '!' || t[1] == '?' || isLetter(t[1])) {
		return "", &FormatError{Code: CodeNotAWorkbook, Message: "文件内容是网页(HTML)或 XML 格式，" +
			"只是扩展名像表格，系统无法直接读取。请用 WPS 或 Excel 打开它，另存为 .xlsx 后重新上传。" + saveAsXLSX}
	}
	return s, nil
}

func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// sniffComma picks the delimiter from the first non-empty line: comma, unless
// tabs (Excel's "文本文件(制表符分隔)") or semicolons (European locales) are
// more frequent there. Quoted text is not counted.
func sniffComma(text string) rune {
	var line string
	for rest := text; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		if strings.TrimSpace(l) != "" {
			line = l
			break
		}
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == '\t' || c == ';'):
			counts[c]++
		}
	}
	comma := ','
	for _, c := range []rune{'\t', ';'} {
		if counts[c] > counts[comma] {
			comma = c
		}
	}
	return comma
}

func (c *csvBook) rows() *Rows {
	cr := csv.NewReader(strings.NewReader(c.text))
	cr.Comma = c.comma
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &Rows{cr: cr}
}

// nextCSV reads the next record with a non-blank field. encoding/csv skips
// empty lines, so the row number is worked out from line positions: blank
// lines count as rows (as in Excel), while a quoted field spanning lines keeps
// its record in one row.
func (r *Rows) nextCSV() bool {
	for {
		rec, err := r.cr.Read()
		if err == io.EOF {
			return false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				err = errBadWorkbook(fmt.Sprintf("CSV 第 %d 行", pe.Line), pe.Err)
			}
			r.err = err
			return false
		}
		first, _ := r.cr.FieldPos(0)
		last, _ := r.cr.FieldPos(len(rec) - 1)
		r.csvRow += first - r.csvLine
		r.csvLine = last + strings.Count(rec[len(rec)-1], "\n")

		cells := r.cells[:0]
		for i, f := range rec {
			if f != "" {
				cells = append(cells, Cell{Col: i + 1, Value: f, Kind: Text})
			}
		}
		r.cells = cells
		if len(cells) > 0 {
			r.row = Row{Num: r.csvRow, Cells: cells}
			return true
		}
	}
}
