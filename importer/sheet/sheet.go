// Package sheet reads the spreadsheets that village staff upload: Excel/WPS
// .xlsx and .xlsm workbooks, Excel 97–2003 .xls and WPS .et workbooks
// (BIFF8), and .csv text files (UTF-8, GBK/GB18030, UTF-16).
//
// It streams a worksheet row by row with a hand-written XML scanner instead of
// building a document tree, so a 350,000-row roster reads several times faster
// than with excelize and in flat memory. An .xls is read from its BIFF8
// records and presented the same way: the same rows, kinds, merges and date
// serials, so nothing above the reader needs to know the format.
//
// Every reader is bounded by the work a file can cause, not by its size:
// Limits caps the shared strings (count, and bytes with a per-string
// overhead), cells per row, rows per sheet, cells in the workbook and the
// bytes inflated from each zip part, all checked while reading. A file over
// a cap is refused with a *FormatError of code file_too_complex naming the
// cap and where it was reached; nothing after that point is read. Files that
// cannot be read (too large, zip bombs, password protected, Excel 95 and
// older, not a spreadsheet at all, broken) are refused with a *FormatError
// whose Message tells the user, in Chinese, what to do.
//
// # Opening once
//
// A Book loads its shared strings and styles on the first Rows call and
// keeps them, so one Book serves every pass over an upload: open it once,
// call Rows for kind detection, again for parsing, and again for the error
// workbook, then Close it. Each pass costs only the sheet data; opening the
// file again per pass loads the strings again. A sheet read more than once
// is charged once against MaxCells.
//
//	book, err := sheet.Open(path, lim)
//	if err != nil { ... }
//	defer book.Close()
//	kind, _ := importer.RecordKindOf(book)          // pass 1
//	parsed, err := importer.ParseLoans(book, ...)   // pass 2, same strings
//
// A Book is not safe for use by several goroutines at once.
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

// Limits bounds the work a file can cause, whatever its compressed size: a
// few megabytes of zip can inflate to millions of empty strings or cells.
// Every cap is checked while the file is read, before the next string, row
// or cell is kept, so a hostile file costs at most what its caps allow. A
// zero or negative field means its default; DefaultLimits says what those
// are and why.
type Limits struct {
	MaxFileBytes         int64 // size of the uploaded file
	MaxUncompressedBytes int64 // bytes inflated from any one zip part, enforced while reading (declared sizes can lie)
	MaxRatio             int64 // uncompressed/compressed ratio per zip part allowed once above 1 MiB uncompressed

	MaxSharedStrings     int   // strings in the shared string table (.xlsx sharedStrings.xml, .xls SST)
	MaxSharedStringBytes int64 // their text in bytes plus sharedStringOverhead per string, so that empty strings count
	MaxCellsPerRow       int   // cell elements/records in one row, blank ones included
	MaxRows              int   // row elements/records (CSV: records) in one sheet, empty ones included
	MaxCells             int64 // cells in the workbook, all sheets together; a sheet read twice counts once
}

// sharedStringOverhead is what one shared string is charged beyond its text:
// the size of the string header a caller holding it pays. It makes a table of
// fifty million empty strings as expensive as the 800 MB it would cost.
const sharedStringOverhead = 16

// DefaultLimits returns the limits used for uploads. The work caps admit a
// 100,000-household roster (about 350,000 rows × 30 columns) and the national
// system's export (about 350,000 rows × 177 columns, 62 million cells, 1–2
// million distinct strings) with room to spare, and stop a hostile file long
// before it costs 150 MB:
//
//   - 100 MiB files, 2 GiB inflated per zip part, compression ratio 200;
//   - 4,000,000 shared strings and 128 MiB of them (text + 16 bytes each):
//     at most about 100 MB held, 32 MB of it the index;
//   - 16,384 cells per row and 1,048,576 rows per sheet, Excel's own maxima;
//   - 100,000,000 cells in all: about 15 s of reading on one core.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes: 100 << 20, MaxUncompressedBytes: 2 << 30, MaxRatio: 200,
		MaxSharedStrings: 4_000_000, MaxSharedStringBytes: 128 << 20,
		MaxCellsPerRow: 16384, MaxRows: 1 << 20, MaxCells: 100_000_000,
	}
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
	if l.MaxSharedStrings <= 0 {
		l.MaxSharedStrings = d.MaxSharedStrings
	}
	if l.MaxSharedStringBytes <= 0 {
		l.MaxSharedStringBytes = d.MaxSharedStringBytes
	}
	if l.MaxCellsPerRow <= 0 {
		l.MaxCellsPerRow = d.MaxCellsPerRow
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxCells <= 0 {
		l.MaxCells = d.MaxCells
	}
	return l
}

// Book is an opened workbook or CSV file. Its shared strings and styles are
// loaded once, on the first Rows call, and kept: the same Book can read its
// sheets any number of times (kind detection, then parsing) at the cost of
// the sheet XML alone.
type Book struct {
	format string
	name   string
	lim    Limits
	closer io.Closer // the file when opened by path
	cells  cellBudget

	x *xlsxBook // format "xlsx"
	c *csvBook  // format "csv"
	b *xlsBook  // format "xls" (also .et)
}

// cellBudget is the workbook's MaxCells shared by its sheets. Each sheet is
// charged the most cells any one reading of it saw, so reading a sheet again
// (detection, then parsing) costs nothing more while a workbook of many
// sheets cannot multiply the cap.
type cellBudget struct {
	total int64
	seen  map[string]int64
}

// allowance is how many cells a new reading of sheet may see.
func (c *cellBudget) allowance(max int64, sheet string) int64 {
	return max - (c.total - c.seen[sheet])
}

func (c *cellBudget) record(sheet string, n int64) {
	if c.seen == nil {
		c.seen = map[string]int64{}
	}
	if old := c.seen[sheet]; n > old {
		c.total += n - old
		c.seen[sheet] = n
	}
}

// Open opens the file at path. The format is detected from the content, not
// the extension: a zip is read as xlsx, an OLE compound file as .xls/.et
// (BIFF8) unless it is password protected or another kind of document, and
// readable text as CSV.
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
		b.format = "xls"
		b.b, err = openXLS(r, size, lim)
	default:
		b.format = "csv"
		b.c, err = openCSV(r, size, name)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Format returns "xlsx" (also for .xlsm), "xls" (also for WPS .et) or "csv".
func (b *Book) Format() string { return b.format }

// Date1904 reports whether the workbook uses the 1904 date system; pass it to
// DateFromSerial. Always false for CSV.
func (b *Book) Date1904() bool {
	return (b.x != nil && b.x.date1904) || (b.b != nil && b.b.date1904)
}

// Sheets returns the sheet names in workbook order, hidden sheets included.
// A CSV file has one sheet named after the file without its extension.
func (b *Book) Sheets() []string {
	var refs []sheetRef
	switch {
	case b.c != nil:
		return []string{b.c.sheet}
	case b.b != nil:
		refs = b.b.sheets
	default:
		refs = b.x.sheets
	}
	names := make([]string, len(refs))
	for i, s := range refs {
		names[i] = s.name
	}
	return names
}

// Hidden reports whether the named sheet is hidden (or "very hidden") in the
// workbook, as drop-down lists usually are. False for CSV and unknown names.
func (b *Book) Hidden(sheet string) bool {
	var refs []sheetRef
	switch {
	case b.b != nil:
		refs = b.b.sheets
	case b.x != nil:
		refs = b.x.sheets
	}
	for _, s := range refs {
		if s.name == sheet {
			return s.hidden
		}
	}
	return false
}

// Rows starts streaming the named sheet. Reading several sheets of one Book at
// the same time is allowed, but not from several goroutines.
func (b *Book) Rows(sheet string) (*Rows, error) {
	var (
		r   *Rows
		err error
	)
	switch {
	case b.c != nil:
		if sheet != b.c.sheet {
			return nil, fmt.Errorf("找不到工作表“%s”，文件中只有“%s”", sheet, b.c.sheet)
		}
		r = b.c.rows()
	case b.b != nil:
		r, err = b.b.rows(sheet)
	default:
		r, err = b.x.rows(sheet)
	}
	if err != nil {
		return nil, err
	}
	r.sheet, r.lim, r.book = sheet, &b.lim, b
	r.cellsLeft = b.cells.allowance(b.lim.MaxCells, sheet)
	return r, nil
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

// classifyCFB explains why an OLE compound file without a readable BIFF8
// workbook stream is refused: an encrypted OOXML workbook keeps an
// EncryptionInfo stream; Word and PowerPoint files get the generic answer;
// anything else is an old or damaged .xls/.et.
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
