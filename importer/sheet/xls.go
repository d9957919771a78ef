package sheet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// The .xls reader: BIFF8 records in the Workbook stream of an OLE compound
// file, as written by Excel 97–2003, WPS (.et is the same container) and
// LibreOffice. Go's existing readers (extrame/xls, shakinm/xlsReader) have
// open reports of panics on real files and no bounds on what a file can
// make them allocate, so this one is ours: mscfb for the container, then the
// few records that carry cell values, merges and date formats. The Workbook
// stream is read into memory once (it is smaller than the file, which is
// under MaxFileBytes); its sheets are then walked record by record and
// presented as the same rows, merges and dates as an .xlsx.

// xlsBook is the .xls side of a Book.
type xlsBook struct {
	stream    []byte
	sheets    []sheetRef // offset: the sheet's BOF in stream
	date1904  bool
	sst       *strTable
	dateStyle []bool // by XF index
	codepage  uint16
}

// BIFF8 record types.
const (
	recBOF         = 0x0809
	recEOF         = 0x000A
	recContinue    = 0x003C
	recFilePass    = 0x002F
	recCodePage    = 0x0042
	recDateMode    = 0x0022
	recFormat      = 0x041E
	recXF          = 0x00E0
	recBoundSheet  = 0x0085
	recSST         = 0x00FC
	recLabelSST    = 0x00FD
	recLabel       = 0x0204
	recRString     = 0x00D6
	recNumber      = 0x0203
	recRK          = 0x027E
	recMulRK       = 0x00BD
	recFormula     = 0x0006
	recString      = 0x0207
	recBoolErr     = 0x0205
	recBlank       = 0x0201
	recMulBlank    = 0x00BE
	recMergedCells = 0x00E5
	recDimensions  = 0x0200

	biff8 = 0x0600
)

// openXLS reads the container and the workbook globals: sheets, shared
// strings, formats and the date system. A compound file without a BIFF8
// Workbook stream is classified and refused (password, Word, old .xls).
func openXLS(r io.ReaderAt, size int64, lim Limits) (*xlsBook, error) {
	stream, err := workbookStream(r, size)
	if err != nil {
		return nil, err
	}
	if stream == nil {
		return nil, classifyCFB(r, size)
	}
	b := &xlsBook{stream: stream}
	if err := b.readGlobals(lim); err != nil {
		return nil, err
	}
	return b, nil
}

// workbookStream returns the BIFF8 Workbook stream, or nil when the file
// has none (BIFF5 keeps a "Book" stream; encrypted .xlsx keeps
// EncryptionInfo). mscfb is guarded: a damaged container must end in a
// refusal, never a panic.
func workbookStream(r io.ReaderAt, size int64) (stream []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			stream, err = nil, nil
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return nil, nil
	}
	var wb *mscfb.File
	for _, f := range doc.File {
		if len(f.Path) == 0 && (f.Name == "Workbook" || f.Name == "WORKBOOK" || f.Name == "workbook") {
			wb = f
			break
		}
	}
	if wb == nil {
		return nil, nil
	}
	// A stream is made of the file's sectors: one longer than the file has
	// a looping or lying chain.
	if wb.Size <= 0 || wb.Size > size {
		return nil, errBadWorkbook("Workbook 数据流", errors.New("长度与文件不符"))
	}
	buf := make([]byte, wb.Size)
	n, err := io.ReadFull(wb, buf)
	if err != nil && n < 8 {
		return nil, errBadWorkbook("Workbook 数据流", errors.New("文件可能没有上传完整"))
	}
	return buf[:n], nil
}

// record is one BIFF record: its type and data, and the offset of the next.
type record struct {
	typ  uint16
	data []byte
	next int
}

// recordAt returns the record at off, ok false past the end or when the
// record is cut short.
func recordAt(s []byte, off int) (record, bool) {
	if off < 0 || off+4 > len(s) {
		return record{}, false
	}
	typ := binary.LittleEndian.Uint16(s[off:])
	n := int(binary.LittleEndian.Uint16(s[off+2:]))
	end := off + 4 + n
	if end > len(s) {
		return record{}, false
	}
	return record{typ: typ, data: s[off+4 : end], next: end}, true
}

// continued gathers rec's data and that of the CONTINUE records after it,
// and returns the offset after the last.
func continued(s []byte, rec record) ([][]byte, int) {
	segs := [][]byte{rec.data}
	next := rec.next
	for {
		c, ok := recordAt(s, next)
		if !ok || c.typ != recContinue {
			return segs, next
		}
		segs = append(segs, c.data)
		next = c.next
	}
}

func (b *xlsBook) readGlobals(lim Limits) error {
	s := b.stream
	bof, ok := recordAt(s, 0)
	if !ok || bof.typ != recBOF || len(bof.data) < 4 || binary.LittleEndian.Uint16(bof.data) != biff8 {
		// BIFF2–BIFF7 (Excel 95 and older): another record layout.
		return errLegacyXLS()
	}
	custom := map[int]string{}
	var fmts []int
	tooMany := func() error {
		return errTooComplex("Styles", fmt.Sprintf("单元格格式超过 %s 个上限", count(maxStyles)))
	}
	for off := bof.next; ; {
		rec, ok := recordAt(s, off)
		if !ok {
			return errBadWorkbook("Workbook 数据流", errors.New("工作簿信息不完整"))
		}
		off = rec.next
		d := rec.data
		switch rec.typ {
		case recEOF:
			if err := b.sheetExtents(); err != nil {
				return err
			}
			b.dateStyle = make([]bool, len(fmts))
			for i, id := range fmts {
				if code, ok := custom[id]; ok {
					b.dateStyle[i] = isDateFormat(code)
				} else {
					b.dateStyle[i] = isBuiltinDate(id)
				}
			}
			if b.sst == nil {
				b.sst = newStrTable("SST", lim, 0)
			}
			return nil
		case recFilePass:
			return errPassword()
		case recCodePage:
			if len(d) >= 2 {
				b.codepage = binary.LittleEndian.Uint16(d)
			}
		case recDateMode:
			b.date1904 = len(d) >= 2 && binary.LittleEndian.Uint16(d) == 1
		case recFormat:
			if len(custom) >= maxStyles {
				return tooMany()
			}
			if len(d) >= 5 {
				cr := &contReader{segs: [][]byte{d[2:]}, cp: b.codepage}
				custom[int(binary.LittleEndian.Uint16(d))] = string(cr.unicodeString(nil, 2))
			}
		case recXF:
			if len(fmts) >= maxStyles {
				return tooMany()
			}
			id := -1
			if len(d) >= 4 {
				id = int(binary.LittleEndian.Uint16(d[2:]))
			}
			fmts = append(fmts, id)
		case recBoundSheet:
			if len(d) < 8 {
				continue
			}
			kind := d[5]
			if kind != 0 && kind != 1 { // worksheets and macro sheets hold cells; charts and VB modules do not
				continue
			}
			cr := &contReader{segs: [][]byte{d[6:]}, cp: b.codepage}
			b.sheets = append(b.sheets, sheetRef{
				name:   string(cr.unicodeString(nil, 1)),
				hidden: d[4]&3 != 0,
				offset: int(binary.LittleEndian.Uint32(d)),
			})
		case recSST:
			segs, next := continued(s, rec)
			off = next
			var err error
			if b.sst, err = readXLSSST(segs, b.codepage, lim); err != nil {
				return err
			}
		}
	}
}

// readXLSSST reads the shared string table, whose strings may be split
// across CONTINUE records, under the same caps as xlsx.
func readXLSSST(segs [][]byte, cp uint16, lim Limits) (*strTable, error) {
	cr := &contReader{segs: segs, cp: cp}
	hint := 0
	if len(segs[0]) >= 8 {
		hint = int(binary.LittleEndian.Uint32(segs[0][4:]))
		cr.off = 8
	}
	// The declared count is a hint: every string present is read, so a
	// writer that miscounts loses nothing, and the caps bound the rest.
	t := newStrTable("SST", lim, hint)
	var buf []byte
	for cr.more() {
		buf = cr.richString(buf[:0])
		if cr.short {
			break // a truncated table: the strings read so far stand
		}
		if err := t.add(buf); err != nil {
			return nil, err
		}
	}
	t.done()
	return t, nil
}

// sheetExtents gives each sheet the records from its BOF up to the next
// sheet's, so that sheets cannot overlap: a file whose sheet entries all
// point at one large sheet would otherwise make reading every sheet cost
// the square of its size. Writers put sheets one after another, each at
// its own offset.
func (b *xlsBook) sheetExtents() error {
	offs := make([]int, len(b.sheets))
	for i, s := range b.sheets {
		offs[i] = s.offset
	}
	slices.Sort(offs)
	for i := 1; i < len(offs); i++ {
		if offs[i] == offs[i-1] {
			return errBadWorkbook("Workbook 数据流", errors.New("两个工作表指向同一处数据"))
		}
	}
	for i := range b.sheets {
		b.sheets[i].end = len(b.stream)
		if j, _ := slices.BinarySearch(offs, b.sheets[i].offset); j+1 < len(offs) {
			b.sheets[i].end = offs[j+1]
		}
	}
	return nil
}

func (b *xlsBook) rows(name string) (*Rows, error) {
	for _, ref := range b.sheets {
		if ref.name != name {
			continue
		}
		bof, ok := recordAt(b.stream, ref.offset)
		if !ok || bof.typ != recBOF {
			return nil, errBadWorkbook("工作表“"+name+"”", errors.New("找不到工作表的开头"))
		}
		return &Rows{sst: b.sst, dateStyle: b.dateStyle, date1904: b.date1904,
			xs: &xlsSheet{b: b, off: bof.next, stream: b.stream[:ref.end]}}, nil
	}
	return nil, fmt.Errorf("找不到工作表“%s”", name)
}

// contReader reads across a record and its CONTINUE records. Raw reads
// (numbers, rich-text runs) simply go on in the next record; character
// data, when split, resumes after a fresh option byte that says whether the
// rest is 8-bit or UTF-16.
type contReader struct {
	segs  [][]byte
	seg   int
	off   int
	cp    uint16
	short bool // ran out of data
	raw   []byte
}

func (c *contReader) more() bool {
	for c.seg < len(c.segs) {
		if c.off < len(c.segs[c.seg]) {
			return true
		}
		c.seg++
		c.off = 0
	}
	return false
}

func (c *contReader) u8() int {
	if !c.more() {
		c.short = true
		return 0
	}
	v := c.segs[c.seg][c.off]
	c.off++
	return int(v)
}

func (c *contReader) u16() int { return c.u8() | c.u8()<<8 }

func (c *contReader) u32() int { return c.u16() | c.u16()<<16 }

func (c *contReader) skip(n int) {
	for n > 0 {
		if !c.more() {
			c.short = true
			return
		}
		k := min(n, len(c.segs[c.seg])-c.off)
		c.off += k
		n -= k
	}
}

// unicodeString reads an XLUnicodeString (lenBytes 2) or
// ShortXLUnicodeString (lenBytes 1): length, option byte, characters.
func (c *contReader) unicodeString(dst []byte, lenBytes int) []byte {
	n := c.u8()
	if lenBytes == 2 {
		n |= c.u8() << 8
	}
	flags := c.u8()
	return c.chars(dst, n, flags&1 != 0)
}

// richString reads an XLUnicodeRichExtendedString, as in the SST: rich-text
// runs and phonetic data are skipped.
func (c *contReader) richString(dst []byte) []byte {
	n := c.u16()
	flags := c.u8()
	runs, ext := 0, 0
	if flags&8 != 0 {
		runs = c.u16()
	}
	if flags&4 != 0 {
		ext = c.u32()
	}
	dst = c.chars(dst, n, flags&1 != 0)
	c.skip(4*runs + ext)
	return dst
}

// chars appends n characters, UTF-16LE when high else 8-bit, to dst as
// UTF-8. 8-bit characters are Latin-1 as BIFF8 defines them, except in a
// file whose CODEPAGE names a Chinese or other ANSI code page and no part of
// the string was UTF-16: some Chinese programs store GBK bytes there.
func (c *contReader) chars(dst []byte, n int, high bool) []byte {
	c.raw = c.raw[:0]
	sawHigh := false
	for n > 0 {
		if c.seg < len(c.segs) && c.off >= len(c.segs[c.seg]) {
			// Characters continue in the next record, after an option byte.
			if c.seg+1 >= len(c.segs) {
				c.short = true
				break
			}
			c.seg++
			c.off = 0
			if len(c.segs[c.seg]) > 0 {
				high = c.segs[c.seg][0]&1 != 0
				c.off = 1
			}
			continue
		}
		if c.seg >= len(c.segs) {
			c.short = true
			break
		}
		p := c.segs[c.seg][c.off:]
		if high {
			k := min(n, len(p)/2)
			if k == 0 { // an odd byte left: the rest is in the next record
				c.off += len(p)
				continue
			}
			dst = decodeLatin1(dst, c.raw, c.cp, true)
			c.raw = c.raw[:0]
			dst = appendUTF16(dst, p[:2*k])
			sawHigh = true
			c.off += 2 * k
			n -= k
		} else {
			k := min(n, len(p))
			c.raw = append(c.raw, p[:k]...)
			c.off += k
			n -= k
		}
	}
	return decodeLatin1(dst, c.raw, c.cp, sawHigh)
}

// appendUTF16 appends UTF-16LE text as UTF-8, pairing surrogates.
func appendUTF16(dst, p []byte) []byte {
	for i := 0; i+1 < len(p); i += 2 {
		r := rune(binary.LittleEndian.Uint16(p[i:]))
		if r >= 0xD800 && r < 0xDC00 && i+3 < len(p) {
			if lo := rune(binary.LittleEndian.Uint16(p[i+2:])); lo >= 0xDC00 && lo < 0xE000 {
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				i += 2
			}
		}
		if r >= 0xD800 && r < 0xE000 {
			r = 0xFFFD
		}
		dst = appendRune(dst, r)
	}
	return dst
}

func appendRune(dst []byte, r rune) []byte {
	if r < 0x80 {
		return append(dst, byte(r))
	}
	return append(dst, string(r)...)
}

// decodeLatin1 appends 8-bit characters: Latin-1, or the file's ANSI code
// page when latin1Only is false and the code page is one we know.
func decodeLatin1(dst, raw []byte, cp uint16, latin1Only bool) []byte {
	ascii := true
	for _, b := range raw {
		if b >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return append(dst, raw...)
	}
	if !latin1Only {
		if d := codePageDecoder(cp); d != nil {
			if out, err := d.Bytes(raw); err == nil && !strings.ContainsRune(string(out), 0xFFFD) {
				return append(dst, out...)
			}
		}
	}
	for _, b := range raw {
		dst = appendRune(dst, rune(b))
	}
	return dst
}

// codePageDecoder returns the decoder for a CODEPAGE record's value, nil for
// UTF-16 (1200) and code pages we leave as Latin-1.
func codePageDecoder(cp uint16) *encoding.Decoder {
	switch cp {
	case 936, 54936, 20936:
		return simplifiedchinese.GB18030.NewDecoder()
	case 950:
		return traditionalchinese.Big5.NewDecoder()
	case 1252:
		return charmap.Windows1252.NewDecoder()
	}
	return nil
}
