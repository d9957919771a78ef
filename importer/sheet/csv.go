package sheet

import (
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvBook holds a CSV file decoded to UTF-8. The whole file is read: it is
// below MaxFileBytes, and decoding GB18030 or UTF-16 is simplest in one go.
// Values are substrings of the text wherever no unquoting is needed.
type csvBook struct {
	sheet string
	text  string
	comma byte
}

// binaryMagic lists signatures of files people upload by mistake that could
// otherwise pass as text.
var binaryMagic = []string{"%PDF", "\x89PNG", "\xFF\xD8\xFF", "GIF8", "Rar!", "7z\xBC\xAF", "\x1F\x8B", "{\\rtf"}

func openCSV(r io.ReaderAt, size int64, name string) (*csvBook, error) {
	// Read straight into the string's memory: a UTF-8 file then costs its
	// size once, not twice.
	var sb strings.Builder
	sb.Grow(int(size))
	if n, err := io.Copy(&sb, io.NewSectionReader(r, 0, size)); n < size {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	text, err := decodeText(sb.String())
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
func decodeText(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, "\xFF\xFE"):
		t, _, err := transform.String(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), raw)
		if err != nil {
			return "", errNotWorkbook("文件内容无法识别为文字。")
		}
		return checkText(t)
	case strings.HasPrefix(raw, "\xFE\xFF"):
		t, _, err := transform.String(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder(), raw)
		if err != nil {
			return "", errNotWorkbook("文件内容无法识别为文字。")
		}
		return checkText(t)
	}
	for _, m := range binaryMagic {
		if strings.HasPrefix(raw, m) {
			return "", errNotWorkbook("文件内容不是表格（可能是 PDF、图片、压缩包或 Word 文件）。")
		}
	}
	if isBinary(raw) {
		return "", errNotWorkbook("文件内容不是表格，也不是可读的文字（可能是 PDF、图片或其他程序的文件）。")
	}
	raw = strings.TrimPrefix(raw, "\xEF\xBB\xBF")
	if utf8.ValidString(raw) {
		return checkText(raw)
	}
	t, _, err := transform.String(simplifiedchinese.GB18030.NewDecoder(), raw)
	if err != nil {
		return "", errNotWorkbook("文件内容无法识别为文字（既不是 UTF-8 也不是 GBK 编码）。")
	}
	return checkText(t)
}

// isBinary looks at the start of the file for bytes that never occur in text:
// NUL, or more than a few other control characters.
func isBinary(raw string) bool {
	sample := raw[:min(len(raw), 64<<10)]
	if strings.IndexByte(sample, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range []byte(sample) {
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
func sniffComma(text string) byte {
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
	return byte(comma)
}

func (c *csvBook) rows() *Rows {
	return &Rows{cs: &csvScan{text: c.text, comma: c.comma}}
}

// csvScan splits records the way encoding/csv does with LazyQuotes (a stray
// quote is kept as text, an unclosed quote runs to the end of the file),
// FieldsPerRecord -1 and no comment character; TestCSVAgreesWithEncodingCSV
// and FuzzCSV hold it to that. It is our own so that the caps on cells per
// row and rows are checked field by field: encoding/csv builds a whole
// record first, and one line of fifty million commas would cost gigabytes.
type csvScan struct {
	text  string
	pos   int
	comma byte
	line  int // physical lines passed (newlines consumed)
	last  int // line on which the previous record ended
	row   int
}

// nextCSV reads the next record with a non-blank field. Blank lines count as
// rows (as in Excel), while a quoted field spanning lines keeps its record
// in one row.
func (r *Rows) nextCSV() bool {
	s := r.cs
	for {
		if !s.skipBlankLines() {
			return false
		}
		s.row += s.line + 1 - s.last
		r.rowNum = s.row
		if err := r.newRow(); err != nil {
			r.err = err
			return false
		}
		r.cells, r.vals, r.pend, r.unsorted = r.cells[:0], r.vals[:0], r.pend[:0], false
		if err := r.csvRecord(); err != nil {
			r.err = err
			return false
		}
		s.last = s.line
		if len(r.cells) > 0 {
			r.finishRow()
			return true
		}
	}
}

// skipBlankLines passes empty lines, as encoding/csv does (a lone \r at the
// end of the file is one); it reports whether a record follows.
func (s *csvScan) skipBlankLines() bool {
	for s.pos < len(s.text) {
		switch t := s.text[s.pos:]; {
		case t[0] == '\n':
			s.pos++
			s.line++
		case t == "\r":
			s.pos++
		case t[0] == '\r' && t[1] == '\n':
			s.pos += 2
			s.line++
		default:
			return true
		}
	}
	return false
}

// csvRecord reads one record starting at s.pos, which is not at a blank
// line, and leaves s.pos after its line end.
func (r *Rows) csvRecord() error {
	s := r.cs
	for col := 1; ; col++ {
		if err := r.newCell(r.rowNum); err != nil {
			return err
		}
		var end bool
		if s.pos < len(s.text) && s.text[s.pos] == '"' {
			end = r.csvQuoted(col)
		} else {
			end = r.csvPlain(col)
		}
		if len(r.vals) > maxRowBytes {
			return r.rowTooLong()
		}
		if end {
			return nil
		}
	}
}

// csvPlain reads an unquoted field, a substring of the text; it reports
// whether the record ended.
func (r *Rows) csvPlain(col int) bool {
	s := r.cs
	t := s.text[s.pos:]
	i := 0
	for i < len(t) && t[i] != s.comma && t[i] != '\n' {
		i++
	}
	f := t[:i]
	end := i == len(t) || t[i] == '\n'
	if end {
		// \r\n ends a line, and a \r at the end of the file is dropped.
		f = strings.TrimSuffix(f, "\r")
	}
	if f != "" {
		r.addCell(Cell{Col: col, Value: f, Kind: Text})
	}
	s.pos += i
	if i < len(t) {
		s.pos++ // the comma or newline
		if t[i] == '\n' {
			s.line++
		}
	}
	return end
}

// csvQuoted reads a quoted field: "" is a quote, and with lazy quotes a
// quote not followed by the comma or the line end is kept as text.
func (r *Rows) csvQuoted(col int) bool {
	s := r.cs
	s.pos++ // the opening quote
	start := len(r.vals)
	for {
		t := s.text[s.pos:]
		q := strings.IndexByte(t, '"')
		if q < 0 {
			// Unclosed: the field runs to the end of the file.
			r.vals = appendCSVText(r.vals, strings.TrimSuffix(t, "\r"), &s.line)
			s.pos = len(s.text)
			r.pendCSV(col, start)
			return true
		}
		r.vals = appendCSVText(r.vals, t[:q], &s.line)
		s.pos += q + 1
		t = s.text[s.pos:]
		switch {
		case len(t) > 0 && t[0] == '"':
			r.vals = append(r.vals, '"')
			s.pos++
		case len(t) > 0 && t[0] == s.comma:
			s.pos++
			r.pendCSV(col, start)
			return false
		case len(t) == 0:
			r.pendCSV(col, start)
			return true
		case t[0] == '\n':
			s.pos++
			s.line++
			r.pendCSV(col, start)
			return true
		case t == "\r":
			s.pos++
			r.pendCSV(col, start)
			return true
		case t[0] == '\r' && t[1] == '\n':
			s.pos += 2
			s.line++
			r.pendCSV(col, start)
			return true
		default:
			r.vals = append(r.vals, '"')
		}
	}
}

// appendCSVText appends quoted field text, turning \r\n into \n and
// counting the lines it spans.
func appendCSVText(dst []byte, t string, line *int) []byte {
	for {
		i := strings.IndexByte(t, '\n')
		if i < 0 {
			return append(dst, t...)
		}
		*line++
		seg := t[:i]
		seg = strings.TrimSuffix(seg, "\r")
		dst = append(dst, seg...)
		dst = append(dst, '\n')
		t = t[i+1:]
	}
}

func (r *Rows) pendCSV(col, start int) {
	if len(r.vals) == start {
		return
	}
	r.pend = append(r.pend, pending{cell: len(r.cells), from: start, to: len(r.vals)})
	r.addCell(Cell{Col: col, Kind: Text})
}
