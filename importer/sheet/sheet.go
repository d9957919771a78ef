// Package sheet reads the spreadsheets that village staff upload: Excel/WPS
// .xlsx and .xlsm workbooks and .csv text files.
//
// It streams a worksheet row by row with a hand-written XML scanner instead of
// building a document tree, so a 350,000-row roster reads several times faster
// than with excelize and in flat memory. Files that cannot be read (too large,
// zip bombs, password protected, legacy .xls, not a spreadsheet at all, broken)
// are refused with a *FormatError whose Message tells the user, in Chinese,
// what to do.
//
// The package only reads; writing stays with excelize.
package sheet

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Kind says what a cell held in the file.
type Kind uint8

// Cell kinds. Blank never appears in Row.Cells; it is the zero value.
const (
	Blank  Kind = iota
	Text        // shared string, inline string, t="str" formula result as text
	Number      // numeric value; Value is the raw XML text exactly as stored (e.g. "5001190006000117", "13425.5", "5.00119E+17")
	Date        // numeric value with a date/time number format; Value is the raw serial text, e.g. "44607"
	Bool        // "1" or "0"
	Error       // e.g. "#N/A"
)

// String returns the kind's name, for messages and test output.
func (k Kind) String() string {
	switch k {
	case Blank:
		return "Blank"
	case Text:
		return "Text"
	case Number:
		return "Number"
	case Date:
		return "Date"
	case Bool:
		return "Bool"
	case Error:
		return "Error"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Cell is one non-blank cell of a row.
type Cell struct {
	Col   int // 1-based column number
	Value string
	Kind  Kind
}

// Row is one row of a sheet as returned by Rows.Row.
type Row struct {
	// Num is the 1-based row number as Excel shows it: from the r= attribute,
	// or the previous row's plus one when absent. For CSV it is the row Excel
	// would show when opening the file (blank lines count, a quoted field
	// spanning lines stays in one row).
	Num int
	// Cells holds only non-blank cells, in ascending Col. The slice is reused
	// between Next calls: callers copy what they keep (the strings themselves
	// are never overwritten).
	Cells []Cell
}

// Merge is a merged range; all numbers are 1-based and inclusive.
type Merge struct{ FirstRow, FirstCol, LastRow, LastCol int }

// Limits guards against huge files and zip bombs. A zero or negative field
// means its default.
type Limits struct {
	MaxFileBytes         int64 // size of the uploaded file; default 100 MiB
	MaxUncompressedBytes int64 // bytes decompressed from any one zip entry, enforced while reading (declared sizes can lie); default 2 GiB
	MaxRatio             int64 // uncompressed/compressed ratio per entry allowed once above 1 MiB uncompressed; default 200
}

// DefaultLimits returns the limits used for uploads: 100 MiB files, 2 GiB per
// decompressed zip entry and a compression ratio of at most 200.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 100 << 20, MaxUncompressedBytes: 2 << 30, MaxRatio: 200}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxUncompressedBytes <= 0 {
		l.MaxUncompressedBytes = d.MaxUncompressedBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// Book is an opened workbook or CSV file.
type Book struct {
	format string
	name   string
	lim    Limits
	closer io.Closer // the file when opened by path

	x *xlsxBook // format "xlsx"
	c *csvBook  // format "csv"
}

// Open opens the file at path. The format is detected from the content, not
// the extension: a zip is read as xlsx, an OLE compound file is refused as
// password protected or legacy .xls/.et, and readable text is read as CSV.
func Open(path string, lim Limits) (*Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	b, err := OpenReader(f, st.Size(), path, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	b.closer = f
	return b, nil
}

// OpenReader is Open for an uploaded or in-memory file of size bytes; name is
// used for messages and as the CSV sheet name. r must stay readable until the
// Book is closed.
func OpenReader(r io.ReaderAt, size int64, name string, lim Limits) (*Book, error) {
	lim = lim.withDefaults()
	if size > lim.MaxFileBytes {
		return nil, errFileTooLarge(size, lim.MaxFileBytes)
	}
	if size <= 0 {
		return nil, errNotWorkbook("文件是空的（0 字节），可能选错了文件或上传没有完成。")
	}
	head := make([]byte, 8)
	n, err := r.ReadAt(head, 0)
	if n < len(head) && err != nil && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	b := &Book{name: name, lim: lim}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		b.format = "xlsx"
		b.x, err = openXLSX(r, size, lim)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		err = classifyCFB(r, size)
	default:
		b.format = "csv"
		b.c, err = openCSV(r, size, name)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Format returns "xlsx" (also for .xlsm) or "csv".
func (b *Book) Format() string { return b.format }

// Date1904 reports whether the workbook uses the 1904 date system; pass it to
// DateFromSerial. Always false for CSV.
func (b *Book) Date1904() bool { return b.x != nil && b.x.date1904 }

// Sheets returns the sheet names in workbook order, hidden sheets included.
// A CSV file has one sheet named after the file without its extension.
func (b *Book) Sheets() []string {
	if b.c != nil {
		return []string{b.c.sheet}
	}
	names := make([]string, len(b.x.sheets))
	for i, s := range b.x.sheets {
		names[i] = s.name
	}
	return names
}

// Rows starts streaming the named sheet. Reading several sheets of one Book at
// the same time is allowed, but not from several goroutines.
func (b *Book) Rows(sheet string) (*Rows, error) {
	if b.c != nil {
		if sheet != b.c.sheet {
			return nil, fmt.Errorf("找不到工作表“%s”，文件中只有“%s”", sheet, b.c.sheet)
		}
		return b.c.rows(), nil
	}
	return b.x.rows(sheet)
}

// Close releases the file opened by Open. Rows still open must not be used
// afterwards.
func (b *Book) Close() error {
	if b.closer != nil {
		c := b.closer
		b.closer = nil
		return c.Close()
	}
	return nil
}

// cfbNames are the UTF-16LE directory names that tell the kinds of OLE compound
// files apart. The directory can sit anywhere in the file, so it is searched.
var (
	cfbEncrypted = utf16le("EncryptionInfo")
	cfbWord      = utf16le("WordDocument")
	cfbPPT       = utf16le("PowerPoint Document")
)

// classifyCFB refuses an OLE compound file: an encrypted OOXML workbook keeps
// an EncryptionInfo stream; anything else with the magic is a legacy .xls/.et
// (or a Word/PowerPoint file, which gets the generic answer).
func classifyCFB(r io.ReaderAt, size int64) error {
	const chunk = 1 << 20
	overlap := int64(len(cfbPPT))
	buf := make([]byte, chunk+overlap)
	word := false
	for off := int64(0); off < size; off += chunk {
		n, err := r.ReadAt(buf, off)
		if n == 0 && err != nil && err != io.EOF {
			return err
		}
		p := buf[:n]
		if bytes.Contains(p, cfbEncrypted) {
			return errPassword()
		}
		if bytes.Contains(p, cfbWord) || bytes.Contains(p, cfbPPT) {
			word = true
		}
	}
	if word {
		return errNotWorkbook("这是 Word 或 PowerPoint 文件，不是表格。")
	}
	return errLegacyXLS()
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}
