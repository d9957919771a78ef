package sheet

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"unicode/utf16"
)

// A small BIFF8 writer and OLE compound file writer, enough to build the
// .xls workbooks the tests read: what Excel, WPS and LibreOffice write, and
// what they could write badly. Nothing can be downloaded here, so the
// fixtures are made by code whose every record is spelled out.

// biff is a record stream being built.
type biff struct{ bytes.Buffer }

// rec appends one record.
func (b *biff) rec(typ uint16, parts ...[]byte) {
	var data []byte
	for _, p := range parts {
		data = append(data, p...)
	}
	b.Write(le16(int(typ)))
	b.Write(le16(len(data)))
	b.Write(data)
}

func le16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func le32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func f64(v float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))
}

// xlStr encodes an XLUnicodeString (lenBytes 2) or ShortXLUnicodeString
// (lenBytes 1): compressed (8-bit) when every character fits in Latin-1
// and wide is false, UTF-16LE otherwise.
func xlStr(s string, lenBytes int, wide bool) []byte {
	u := utf16.Encode([]rune(s))
	compressed := !wide
	for _, c := range u {
		if c > 0xFF {
			compressed = false
		}
	}
	var out []byte
	if lenBytes == 1 {
		out = append(out, byte(len(u)))
	} else {
		out = append(out, le16(len(u))...)
	}
	if compressed {
		out = append(out, 0)
		for _, c := range u {
			out = append(out, byte(c))
		}
		return out
	}
	out = append(out, 1)
	for _, c := range u {
		out = append(out, le16(int(c))...)
	}
	return out
}

// rawStr is an XLUnicodeString of 8-bit bytes as given: the GBK bytes some
// Chinese programs store in a CodePage 936 file.
func rawStr(b []byte) []byte {
	return append(append(le16(len(b)), 0), b...)
}

// cell record payload helpers: row and col 0-based.
func rc(row, col, xf int) []byte { return append(append(le16(row), le16(col)...), le16(xf)...) }

// rkInt is the RK form of an integer.
func rkInt(v int) []byte { return le32(v<<2 | 2) }

// rkX100 is the RK form of v/100 for an integer v.
func rkX100(v int) []byte { return le32(v<<2 | 3) }

// rkFloat is the RK form of a double whose low 34 bits are zero.
func rkFloat(f float64) []byte { return le32(int(math.Float64bits(f) >> 32)) }

// xlsSpec describes a workbook to write.
type xlsSpec struct {
	codepage int // CODEPAGE record; 0 writes none
	date1904 bool
	formats  map[int]string // FORMAT records
	xfs      []int          // ifmt of each XF, in order
	sst      []string
	sstSplit int  // maximum SST/CONTINUE record data size; 0 means 8224
	sstWide  bool // write SST strings as UTF-16 even when Latin-1 would do
	sheets   []xlsSheetSpec
	filepass bool
	version  int // BOF version; 0 means BIFF8
}

type xlsSheetSpec struct {
	name   string
	hidden int // 0 visible, 1 hidden, 2 very hidden
	kind   int // BOUNDSHEET dt: 0 worksheet, 2 chart
	body   func(b *biff)
}

// writeXLS returns the Workbook stream for spec.
func writeXLS(spec xlsSpec) []byte {
	version := spec.version
	if version == 0 {
		version = biff8
	}
	var g biff
	g.rec(recBOF, le16(version), le16(5), le16(0x2775), le16(0x07CD), le32(0), le32(0x0206))
	if spec.filepass {
		g.rec(recFilePass, le16(1), make([]byte, 52))
	}
	if spec.codepage != 0 {
		g.rec(recCodePage, le16(spec.codepage))
	}
	if spec.date1904 {
		g.rec(recDateMode, le16(1))
	} else {
		g.rec(recDateMode, le16(0))
	}
	for id, code := range spec.formats {
		g.rec(recFormat, le16(id), xlStr(code, 2, false))
	}
	for _, f := range spec.xfs {
		g.rec(recXF, le16(0), le16(f), make([]byte, 16))
	}
	// BOUNDSHEET records hold absolute offsets, patched once known.
	patch := make([]int, len(spec.sheets))
	for i, s := range spec.sheets {
		patch[i] = g.Len() + 4
		g.rec(recBoundSheet, le32(0), []byte{byte(s.hidden), byte(s.kind)}, xlStr(s.name, 1, false))
	}
	if spec.sst != nil {
		writeSST(&g, spec.sst, spec.sstSplit, spec.sstWide)
	}
	g.rec(recEOF)
	stream := g.Bytes()
	for i, s := range spec.sheets {
		binary.LittleEndian.PutUint32(stream[patch[i]:], uint32(len(stream)))
		var sb biff
		sb.rec(recBOF, le16(version), le16(0x10), le16(0x2775), le16(0x07CD), le32(0), le32(0x0206))
		if s.body != nil {
			s.body(&sb)
		}
		sb.rec(recEOF)
		stream = append(stream, sb.Bytes()...)
	}
	return stream
}

// writeSST writes the shared strings in records of at most split bytes, as
// Excel does at 8224: a string's characters may run into a CONTINUE record,
// which then starts with the option byte; its header never does.
func writeSST(g *biff, strs []string, split int, wide bool) {
	if split <= 0 {
		split = 8224
	}
	var recs [][]byte
	cur := append(le32(len(strs)), le32(len(strs))...)
	typ := []uint16{recSST}
	flush := func() {
		recs = append(recs, cur)
		cur = nil
		typ = append(typ, recContinue)
	}
	for _, s := range strs {
		enc := xlStr(s, 2, wide)
		header, chars := enc[:3], enc[3:]
		if len(cur)+len(header)+1 > split {
			flush()
		}
		cur = append(cur, header...)
		unit := 1
		if enc[2]&1 != 0 {
			unit = 2
		}
		for len(chars) > 0 {
			room := (split - len(cur)) / unit * unit
			if room == 0 {
				flush()
				cur = append(cur, enc[2]) // the option byte again
				continue
			}
			k := min(room, len(chars))
			cur = append(cur, chars[:k]...)
			chars = chars[k:]
		}
	}
	flush()
	for i, r := range recs {
		g.rec(typ[i], r)
	}
}

// cfbFile wraps streams (name → data) in an OLE compound file with no mini
// stream: streams under 4096 bytes are padded with zeros to 4096, as Excel
// pads its Workbook stream. Sectors are of 512 bytes (version 3, what Excel
// writes) up to 7 MB of data, of 4096 bytes (version 4) beyond.
func cfbFile(t testing.TB, streams ...cfbStream) []byte {
	t.Helper()
	ss, shift, major := 512, 9, 3
	size := 0
	for _, s := range streams {
		size += len(s.data)
	}
	if size > 7<<20 {
		ss, shift, major = 4096, 12, 4
	}
	per := ss / 4 // FAT entries per sector
	const (
		free  = 0xFFFFFFFF
		end   = 0xFFFFFFFE
		fatSc = 0xFFFFFFFD
	)
	for i := range streams {
		if len(streams[i].data) < 4096 {
			streams[i].data = append(streams[i].data, make([]byte, 4096-len(streams[i].data))...)
		}
	}
	// Sectors: FAT sectors, one directory sector (up to 3 streams), data.
	dataSectors := 0
	for _, s := range streams {
		dataSectors += (len(s.data) + ss - 1) / ss
	}
	nfat := 1
	for (nfat * 128) < nfat+1+dataSectors {
		nfat++
	}
	if nfat > 109 || len(streams) > 3 {
		t.Fatal("cfbFile: too large for this writer")
	}
	total := nfat + 1 + dataSectors
	fat := make([]uint32, nfat*per)
	for i := range fat {
		fat[i] = free
	}
	for i := 0; i < nfat; i++ {
		fat[i] = fatSc
	}
	dirSector := nfat
	fat[dirSector] = end
	next := nfat + 1
	starts := make([]int, len(streams))
	for i, s := range streams {
		n := (len(s.data) + ss - 1) / ss
		starts[i] = next
		for k := 0; k < n; k++ {
			if k == n-1 {
				fat[next+k] = end
			} else {
				fat[next+k] = uint32(next + k + 1)
			}
		}
		next += n
	}
	out := make([]byte, ss+total*ss)
	h := out[:512]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(h[24:], 0x003E)
	binary.LittleEndian.PutUint16(h[26:], uint16(major))
	binary.LittleEndian.PutUint16(h[28:], 0xFFFE)
	binary.LittleEndian.PutUint16(h[30:], uint16(shift))
	binary.LittleEndian.PutUint16(h[32:], 6)
	if major == 4 {
		binary.LittleEndian.PutUint32(h[40:], 1) // directory sectors
	}
	binary.LittleEndian.PutUint32(h[44:], uint32(nfat))
	binary.LittleEndian.PutUint32(h[48:], uint32(dirSector))
	binary.LittleEndian.PutUint32(h[56:], 4096)
	binary.LittleEndian.PutUint32(h[60:], end)
	binary.LittleEndian.PutUint32(h[68:], end)
	for i := 0; i < 109; i++ {
		v := uint32(free)
		if i < nfat {
			v = uint32(i)
		}
		binary.LittleEndian.PutUint32(h[76+4*i:], v)
	}
	sector := func(i int) []byte { return out[ss+i*ss : ss+(i+1)*ss] }
	for i := 0; i < nfat; i++ {
		for k := 0; k < per; k++ {
			binary.LittleEndian.PutUint32(sector(i)[4*k:], fat[i*per+k])
		}
	}
	dir := sector(dirSector)
	entry := func(i int, name string, typ byte, left, right, child uint32, start int, size int) {
		e := dir[i*128 : (i+1)*128]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			binary.LittleEndian.PutUint16(e[2*k:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		binary.LittleEndian.PutUint32(e[68:], left)
		binary.LittleEndian.PutUint32(e[72:], right)
		binary.LittleEndian.PutUint32(e[76:], child)
		binary.LittleEndian.PutUint32(e[116:], uint32(start))
		binary.LittleEndian.PutUint32(e[120:], uint32(size))
	}
	child := uint32(free)
	if len(streams) > 0 {
		child = 1
	}
	entry(0, "Root Entry", 5, free, free, child, end, 0)
	for i, s := range streams {
		right := uint32(free)
		if i+1 < len(streams) {
			right = uint32(i + 2)
		}
		entry(i+1, s.name, 2, free, right, free, starts[i], len(s.data))
		copy(out[ss+starts[i]*ss:], s.data)
	}
	return out
}

type cfbStream struct {
	name string
	data []byte
}

// xlsFile is a complete .xls holding spec.
func xlsFile(t testing.TB, spec xlsSpec) []byte {
	return cfbFile(t, cfbStream{"Workbook", writeXLS(spec)})
}
