package sheet

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// xlsxBook is the xlsx side of a Book: the zip, the sheet list and, once a
// sheet is read, the shared strings and date styles.
type xlsxBook struct {
	lim      Limits
	files    map[string]*zip.File // by lower-cased, slash-separated name
	sheets   []sheetRef
	date1904 bool

	sstPart, stylesPart string
	loaded              bool
	sst                 *strTable
	dateStyle           []bool // by cellXfs index (the c element's s attribute)
}

// sheetRef is a sheet of either workbook format: its name, whether it is
// hidden, and where its data is (a zip part, or a BIFF stream offset).
type sheetRef struct {
	name        string
	hidden      bool
	part        string
	offset, end int
}

// Relationship types are matched by suffix: transitional and strict OOXML use
// different namespace prefixes.
const (
	relOfficeDoc = "/officeDocument"
	relSST       = "/sharedStrings"
	relStyles    = "/styles"
)

func openXLSX(r io.ReaderAt, size int64, lim Limits) (*xlsxBook, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !(zr != nil && errors.Is(err, zip.ErrInsecurePath)) {
		return nil, errBadWorkbook("zip 压缩结构", errors.New("文件可能没有上传完整"))
	}
	x := &xlsxBook{lim: lim, files: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		// Some zip tools write backslashes; names are case-insensitive in
		// practice because Excel itself ignores case.
		x.files[strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))] = f
	}

	// The main part is named by the package relationships; fall back to the
	// conventional name for writers that skip them.
	var candidates []string
	if rels, err := x.readRels("_rels/.rels"); err == nil {
		for _, rel := range rels {
			if strings.HasSuffix(rel.Type, relOfficeDoc) {
				candidates = append(candidates, resolvePart("", rel.Target))
			}
		}
	}
	candidates = append(candidates, "xl/workbook.xml")
	var wb xWorkbook
	wbPart := ""
	for _, c := range candidates {
		f := x.file(c)
		if f == nil {
			continue
		}
		wb = xWorkbook{}
		if err := x.decode(f, c, &wb); err != nil {
			return nil, err
		}
		if wb.XMLName.Local == "workbook" {
			wbPart = c
			break
		}
	}
	if wbPart == "" {
		switch {
		case x.file("xl/workbook.bin") != nil:
			return nil, errNotWorkbook("这是 .xlsb（二进制工作簿）格式，系统无法读取。")
		case x.file("mimetype") != nil || x.file("content.xml") != nil:
			return nil, errNotWorkbook("这是 .ods 等非 Excel 格式，系统无法读取。")
		case x.file("word/document.xml") != nil || x.file("ppt/presentation.xml") != nil:
			return nil, errNotWorkbook("这是 Word 或 PowerPoint 文件，不是表格。")
		}
		return nil, errNotWorkbook("这是一个压缩包，里面没有 Excel 工作簿。")
	}
	x.date1904 = truthy(wb.WorkbookPr.Date1904)

	dir := path.Dir(wbPart)
	relsPart := path.Join(dir, "_rels", path.Base(wbPart)+".rels")
	rels, err := x.readRels(relsPart)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]string, len(rels))
	for _, rel := range rels {
		if strings.EqualFold(rel.TargetMode, "External") {
			continue
		}
		target := resolvePart(dir, rel.Target)
		byID[rel.ID] = target
		switch {
		case strings.HasSuffix(rel.Type, relSST):
			x.sstPart = target
		case strings.HasSuffix(rel.Type, relStyles):
			x.stylesPart = target
		}
	}
	if x.sstPart == "" {
		x.sstPart = path.Join(dir, "sharedStrings.xml")
	}
	if x.stylesPart == "" {
		x.stylesPart = path.Join(dir, "styles.xml")
	}
	for _, s := range wb.Sheets {
		id := ""
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		target, ok := byID[id]
		if !ok {
			return nil, errBadWorkbook(relsPart, fmt.Errorf("工作表“%s”没有对应的文件", s.Name))
		}
		for _, prev := range x.sheets {
			// Two sheets on one part would make every pass read it twice;
			// no writer does that, a crafted file does it thousands of times.
			if strings.EqualFold(prev.part, target) {
				return nil, errBadWorkbook(relsPart, fmt.Errorf("工作表“%s”和“%s”指向同一个文件", prev.name, s.Name))
			}
		}
		st := strings.TrimSpace(s.State)
		x.sheets = append(x.sheets, sheetRef{name: s.Name, part: target, hidden: st == "hidden" || st == "veryHidden"})
	}
	return x, nil
}

// xWorkbook is the part of xl/workbook.xml that matters for reading.
type xWorkbook struct {
	XMLName    xml.Name
	WorkbookPr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		// r:id is matched by local name: strict OOXML uses another namespace.
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

type xRel struct {
	ID         string `xml:"Id,attr"`
	Type       string `xml:"Type,attr"`
	Target     string `xml:"Target,attr"`
	TargetMode string `xml:"TargetMode,attr"`
}

func (x *xlsxBook) readRels(part string) ([]xRel, error) {
	f := x.file(part)
	if f == nil {
		return nil, errBadWorkbook(part, errors.New("缺少该部件"))
	}
	var v struct {
		Rels []xRel `xml:"Relationship"`
	}
	if err := x.decode(f, part, &v); err != nil {
		return nil, err
	}
	return v.Rels, nil
}

// resolvePart turns a relationship target into a zip entry name: absolute
// targets ("/xl/worksheets/sheet1.xml") are from the package root, relative
// ones ("worksheets/sheet1.xml") from the source part's folder.
func resolvePart(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return path.Clean(target[1:])
	}
	return path.Clean(path.Join(dir, target))
}

func (x *xlsxBook) file(part string) *zip.File {
	return x.files[strings.ToLower(part)]
}

// maxMetaBytes caps the parts decoded with encoding/xml (package and
// workbook relationships, the workbook): it builds a tree and costs many
// times the XML in memory. Real ones are kilobytes, rarely a megabyte.
const maxMetaBytes = 16 << 20

// decode reads a small XML part with encoding/xml through the limit reader.
func (x *xlsxBook) decode(f *zip.File, part string, v any) error {
	rc, err := x.open(f, part)
	if err != nil {
		return err
	}
	rc.(*guard).meta = maxMetaBytes
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return fe
		}
		return errBadWorkbook(part, err)
	}
	return nil
}

// open opens a zip entry behind the zip-bomb guard. Declared sizes are checked
// first as a cheap early refusal, but they can lie, so the guard also counts
// the bytes actually inflated.
func (x *xlsxBook) open(f *zip.File, part string) (io.ReadCloser, error) {
	g := &guard{part: part, max: x.lim.MaxUncompressedBytes,
		ratioMax: x.lim.MaxRatio, comp: int64(f.CompressedSize64)}
	if f.UncompressedSize64 > uint64(g.max) {
		return nil, errZipBomb(part)
	}
	if err := g.check(int64(f.UncompressedSize64)); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errBadWorkbook(part, err)
	}
	g.rc = rc
	return g, nil
}

// guard counts decompressed bytes and fails with zip_bomb past the limits. It
// also turns inflate and checksum errors into bad_workbook naming the part.
type guard struct {
	rc       io.ReadCloser
	part     string
	n, max   int64
	comp     int64
	ratioMax int64
	meta     int64 // when set, a lower cap for a part decoded into a tree
}

// ratioFloor is the size below which any compression ratio is accepted: small
// parts full of repeated markup compress very well and are harmless.
const ratioFloor = 1 << 20

func (g *guard) check(n int64) error {
	if g.meta > 0 && n > g.meta {
		return errTooComplex("MetaPartBytes", fmt.Sprintf("%s 解压后超过 %s上限", g.part, byteSize(g.meta)))
	}
	if n > g.max {
		return errZipBomb(g.part)
	}
	if n > ratioFloor && n/g.ratioMax > g.comp {
		return errZipBomb(g.part)
	}
	return nil
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.rc.Read(p)
	g.n += int64(n)
	if cerr := g.check(g.n); cerr != nil {
		return 0, cerr
	}
	if err != nil && err != io.EOF {
		// archive/zip fails with ErrFormat once an entry inflates past its
		// declared size: the lie zip bombs rely on to slip past size checks.
		if errors.Is(err, zip.ErrFormat) {
			return n, errZipBomb(g.part)
		}
		var fe *FormatError
		if errors.As(err, &fe) {
			return n, err
		}
		return n, errBadWorkbook(g.part, err)
	}
	return n, err
}

func (g *guard) Close() error { return g.rc.Close() }

// load reads the shared strings and styles once, on the first Rows call, so
// that listing sheets stays cheap and later passes over the sheets reuse them.
func (x *xlsxBook) load() error {
	if x.loaded {
		return nil
	}
	if f := x.file(x.stylesPart); f != nil {
		rc, err := x.open(f, x.stylesPart)
		if err != nil {
			return err
		}
		x.dateStyle, err = readStyles(rc, x.stylesPart)
		rc.Close()
		if err != nil {
			return err
		}
	}
	if f := x.file(x.sstPart); f != nil {
		rc, err := x.open(f, x.sstPart)
		if err != nil {
			return err
		}
		x.sst, err = readSST(rc, x.sstPart, x.lim)
		rc.Close()
		if err != nil {
			return err
		}
	}
	x.loaded = true
	return nil
}

// maxStyles caps the cell formats and number formats read from styles.xml.
// Excel allows about 64,000 cell formats; each costs a byte here.
const maxStyles = 1 << 20

// readStyles tells, for each cell format (cellXfs/xf, which a c element's s
// attribute indexes), whether it shows a date. It uses the byte scanner: a
// styles part can be inflated to gigabytes of <xf/> as easily as any other.
func readStyles(r io.Reader, part string) ([]bool, error) {
	sc := newScanner(r, part)
	custom := map[int]string{}
	var (
		fmts    []int // numFmtId per cell format, -1 when missing
		inXfs   bool
		scratch []byte
	)
	tooMany := func() error {
		return errTooComplex("Styles", fmt.Sprintf("%s 中的单元格格式超过 %s 个上限", part, count(maxStyles)))
	}
	for {
		tok, err := sc.next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokEOF:
			out := make([]bool, len(fmts))
			for i, id := range fmts {
				if code, ok := custom[id]; ok {
					out[i] = isDateFormat(code)
				} else {
					out[i] = isBuiltinDate(id)
				}
			}
			return out, nil
		case tokOpen, tokSelf:
			switch string(sc.name) {
			case "cellXfs":
				inXfs = tok == tokOpen
			case "xf":
				if !inXfs {
					continue
				}
				if len(fmts) >= maxStyles {
					return nil, tooMany()
				}
				id := -1
				if v, ok := attr(sc.attrs, "numFmtId"); ok {
					if n, ok := atoi(v); ok {
						id = n
					}
				}
				fmts = append(fmts, id)
			case "numFmt":
				if len(custom) >= maxStyles {
					return nil, tooMany()
				}
				v, ok1 := attr(sc.attrs, "numFmtId")
				code, ok2 := attr(sc.attrs, "formatCode")
				if n, ok := atoi(v); ok && ok1 && ok2 {
					scratch = appendText(scratch[:0], code, false)
					custom[n] = string(scratch)
				}
			}
		case tokClose:
			if string(sc.name) == "cellXfs" {
				inXfs = false
			}
		}
	}
}

// readSST reads the shared string table with the byte scanner: in a large
// roster it holds hundreds of thousands of names and ID numbers. Rich text
// runs are concatenated; phonetic runs (<rPh>) are not part of the text.
// The caps on count and bytes are checked as each string ends.
func readSST(r io.Reader, part string, lim Limits) (*strTable, error) {
	sc := newScanner(r, part)
	var (
		out   *strTable
		buf   []byte
		inSI  bool
		inRPh int
	)
	add := func() error {
		if out == nil {
			out = newStrTable(part, lim, 0)
		}
		return out.add(buf)
	}
	for {
		tok, err := sc.next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokEOF:
			if out == nil {
				out = newStrTable(part, lim, 0)
			}
			out.done()
			return out, nil
		case tokOpen:
			switch string(sc.name) {
			case "sst":
				n := 0
				if v, ok := attr(sc.attrs, "uniqueCount"); ok {
					n, _ = atoi(v)
				}
				if out == nil {
					out = newStrTable(part, lim, n)
				}
			case "si":
				inSI, inRPh, buf = true, 0, buf[:0]
			case "rPh":
				inRPh++
			case "t":
				if !inSI || inRPh > 0 {
					continue
				}
				tok, err := sc.next()
				if err != nil {
					return nil, err
				}
				buf = appendText(buf, sc.text, true)
				if tok == tokClose && string(sc.name) == "si" { // tolerate a missing </t>
					if err := add(); err != nil {
						return nil, err
					}
					inSI = false
				}
			}
		case tokSelf:
			if string(sc.name) == "si" {
				buf = buf[:0]
				if err := add(); err != nil {
					return nil, err
				}
			}
		case tokClose:
			switch string(sc.name) {
			case "si":
				if inSI {
					if err := add(); err != nil {
						return nil, err
					}
				}
				inSI = false
			case "rPh":
				inRPh--
			}
		}
	}
}

func (x *xlsxBook) rows(name string) (*Rows, error) {
	var ref *sheetRef
	for i := range x.sheets {
		if x.sheets[i].name == name {
			ref = &x.sheets[i]
			break
		}
	}
	if ref == nil {
		return nil, fmt.Errorf("找不到工作表“%s”", name)
	}
	if err := x.load(); err != nil {
		return nil, err
	}
	f := x.file(ref.part)
	if f == nil {
		return nil, errBadWorkbook(ref.part, fmt.Errorf("工作表“%s”的文件不存在", name))
	}
	rc, err := x.open(f, ref.part)
	if err != nil {
		return nil, err
	}
	return &Rows{sst: x.sst, dateStyle: x.dateStyle, date1904: x.date1904,
		sc: newScanner(rc, ref.part), rc: rc}, nil
}

func truthy(s string) bool {
	s = strings.TrimSpace(s)
	return s == "1" || strings.EqualFold(s, "true")
}
