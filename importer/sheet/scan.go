package sheet

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// xmlScanner is a minimal pull tokenizer for SpreadsheetML parts. It knows
// just enough XML for what spreadsheet writers emit: tags with quoted
// attributes, namespace prefixes, comments, processing instructions and CDATA
// sections (skipped). It works in place on its own read buffer, so a token
// costs two byte searches and no allocation; encoding/xml is an order of
// magnitude slower on a large sheet.
//
// The buffer is managed by hand rather than through bufio.Reader because a
// token (the text before a tag plus the tag) must stay contiguous and valid
// until the next call, which bufio's ReadSlice cannot promise across refills.
type xmlScanner struct {
	r    io.Reader
	buf  []byte
	pos  int // start of the unread data
	end  int // end of the valid data
	eof  bool
	err  error // sticky read error
	part string

	// The current token; the slices point into buf and are valid until the
	// next call to next.
	text  []byte // raw character data between the previous tag and this one
	name  []byte // local name, without prefix
	attrs []byte // raw attribute text
}

type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokOpen          // <name ...>
	tokClose         // </name>
	tokSelf          // <name .../>
	tokOther         // <?...?>, <!--...-->, <![CDATA[...]]>, <!DOCTYPE ...>
)

const (
	scanBufSize = 64 << 10
	// maxToken bounds the buffer: Excel caps a cell at 32,767 characters
	// (under 200 KB of XML even fully escaped), so a single token this large
	// only comes from a hostile or broken file. 16 MiB keeps a hostile
	// file's buffer (and its copy while growing) well inside the 150 MB a
	// refused upload may cost.
	maxToken = 16 << 20
)

func newScanner(r io.Reader, part string) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, scanBufSize), part: part}
}

// more reads more data, first moving the unread data to the front of the
// buffer (so offsets relative to pos stay valid) and growing it if it is full.
// It returns false at end of input or on error.
func (s *xmlScanner) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxToken {
			s.err = errTooComplex("TokenBytes", fmt.Sprintf("%s 中有一段连续内容超过 %s上限（单元格文字过长或文件已损坏）", s.part, byteSize(maxToken)))
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for empty := 0; empty < 100; empty++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			return n > 0
		}
		if err != nil {
			s.err = err
			return false
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// find returns the offset, relative to pos, of the first occurrence of sep at
// or after offset from, reading more input as needed; -1 at end of input.
func (s *xmlScanner) find(from int, sep []byte) int {
	for {
		if j := bytes.Index(s.buf[s.pos+from:s.end], sep); j >= 0 {
			return from + j
		}
		// Keep the last len(sep)-1 bytes in view: sep may straddle the refill.
		if n := s.end - s.pos - len(sep) + 1; n > from {
			from = n
		}
		if !s.more() {
			return -1
		}
	}
}

// next advances to the next tag and reports its kind. At tokEOF, text holds
// whatever followed the last tag. A read error is returned as is, so a
// *FormatError from the limit reader reaches the caller unchanged.
func (s *xmlScanner) next() (tokKind, error) {
	lt := -1
	for from := 0; ; {
		if j := bytes.IndexByte(s.buf[s.pos+from:s.end], '<'); j >= 0 {
			lt = from + j
			break
		}
		from = s.end - s.pos
		if !s.more() {
			if s.err != nil {
				return tokEOF, s.err
			}
			s.text = s.buf[s.pos:s.end]
			s.pos = s.end
			return tokEOF, nil
		}
	}
	// The tag ends at the first '>' outside quotes; comments, CDATA and
	// processing instructions have their own terminators. Plain tags are by
	// far the most common, so they are told apart on one byte.
	gt, kind := -1, tokOpen
	if s.pos+lt+1 >= s.end {
		s.more()
	}
	if s.pos+lt+1 < s.end && (s.buf[s.pos+lt+1] == '!' || s.buf[s.pos+lt+1] == '?') {
		for len(s.buf[s.pos+lt:s.end]) < 9 && s.more() {
		}
		rest := s.buf[s.pos+lt : s.end]
		kind = tokOther
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			if gt = s.find(lt+4, []byte("-->")); gt >= 0 {
				gt += 2
			}
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			if gt = s.find(lt+9, []byte("]]>")); gt >= 0 {
				gt += 2
			}
		default:
			gt = s.findGT(lt + 1)
		}
	} else {
		gt = s.findGT(lt + 1)
	}
	if gt < 0 {
		if s.err != nil {
			return tokEOF, s.err
		}
		return tokEOF, errBadWorkbook(s.part, io.ErrUnexpectedEOF)
	}
	base := s.pos
	s.text = s.buf[base : base+lt]
	s.pos = base + gt + 1
	if kind == tokOther {
		s.name, s.attrs = nil, nil
		return kind, nil
	}
	tag := s.buf[base+lt+1 : base+gt]
	if len(tag) > 0 && tag[0] == '/' {
		kind, tag = tokClose, tag[1:]
	} else if len(tag) > 0 && tag[len(tag)-1] == '/' {
		kind, tag = tokSelf, tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	name := tag[:n]
	if c := bytes.LastIndexByte(name, ':'); c >= 0 {
		name = name[c+1:]
	}
	s.name, s.attrs = name, tag[n:]
	return kind, nil
}

// findGT returns the offset of the '>' closing a tag, skipping quoted
// attribute values, which may legally contain '>'.
func (s *xmlScanner) findGT(from int) int {
	var q byte
	for i := from; ; {
		seg := s.buf[s.pos+i : s.end]
		for k, c := range seg {
			if q != 0 {
				if c == q {
					q = 0
				}
				continue
			}
			switch c {
			case '"', '\'':
				q = c
			case '>':
				return i + k
			}
		}
		i += len(seg)
		if !s.more() {
			return -1
		}
	}
}

// fastValue consumes the rest of a cell element when it has one of the two
// shapes nearly every writer emits, <v>text</v></c> and
// <is><t>text</t></is></c>, returning the raw text. Anything else (formulas,
// whitespace, rich text, a buffer edge) returns ok false and consumes
// nothing, leaving the general path to it. This halves the work per cell.
func (s *xmlScanner) fastValue() (text []byte, inline, ok bool) {
	b := s.buf[s.pos:s.end]
	open, end := "<v>", "</v></c>"
	if !hasPrefix(b, open) {
		open, end, inline = "<is><t>", "</t></is></c>", true
		if !hasPrefix(b, open) {
			return nil, false, false
		}
	}
	b = b[len(open):]
	j := bytes.IndexByte(b, '<')
	if j < 0 || !hasPrefix(b[j:], end) {
		return nil, false, false
	}
	s.pos += len(open) + j + len(end)
	return b[:j], inline, true
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// skipTo advances past the close tag of the element named name, which must
// not nest in itself; used to skip formulas and unknown children.
func (s *xmlScanner) skipTo(name string) error {
	for {
		tok, err := s.next()
		if err != nil {
			return err
		}
		if tok == tokEOF {
			return errBadWorkbook(s.part, io.ErrUnexpectedEOF)
		}
		if tok == tokClose && string(s.name) == name {
			return nil
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// nextAttr splits the first name="value" pair (either quote) off raw
// attribute text. Prefixes are kept in name: SpreadsheetML attributes that
// matter here are unprefixed.
func nextAttr(a []byte) (name, val, rest []byte, ok bool) {
	i := 0
	for i < len(a) && isSpace(a[i]) {
		i++
	}
	start := i
	for i < len(a) && a[i] != '=' && !isSpace(a[i]) {
		i++
	}
	name = a[start:i]
	for i < len(a) && (isSpace(a[i]) || a[i] == '=') {
		i++
	}
	if i >= len(a) || len(name) == 0 {
		return nil, nil, nil, false
	}
	q := a[i]
	if q != '"' && q != '\'' {
		return nil, nil, nil, false
	}
	j := bytes.IndexByte(a[i+1:], q)
	if j < 0 {
		return nil, nil, nil, false
	}
	return name, a[i+1 : i+1+j], a[i+2+j:], true
}

// attr returns the value of the named attribute in raw attribute text.
func attr(a []byte, want string) ([]byte, bool) {
	for {
		name, val, rest, ok := nextAttr(a)
		if !ok {
			return nil, false
		}
		if string(name) == want {
			return val, true
		}
		a = rest
	}
}

// appendText appends XML character data to dst, resolving entity and
// character references and normalising line ends as an XML parser must. With
// xesc it also decodes the _xHHHH_ escapes Excel uses for characters XML
// cannot carry (e.g. _x000D_ for a carriage return, _x005F_ for '_').
func appendText(dst, raw []byte, xesc bool) []byte {
	i := 0
	for i < len(raw) {
		// Copy the run of ordinary bytes in one go.
		j := i
		for j < len(raw) {
			c := raw[j]
			if c == '&' || c == '\r' || (c == '_' && xesc) {
				break
			}
			j++
		}
		dst = append(dst, raw[i:j]...)
		if j == len(raw) {
			break
		}
		i = j
		switch raw[i] {
		case '\r':
			dst = append(dst, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case '&':
			r, n := entity(raw[i:])
			if n == 0 {
				dst = append(dst, '&')
				i++
				continue
			}
			dst = utf8.AppendRune(dst, r)
			i += n
		case '_':
			r, ok := xEscape(raw[i:])
			if !ok {
				dst = append(dst, '_')
				i++
				continue
			}
			i += 7
			if r >= 0xD800 && r < 0xDC00 { // high surrogate: pair with the next escape
				if lo, ok := xEscape(raw[i:]); ok && lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 7
				}
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// entity decodes the reference at the start of b ("&amp;", "&#13;", "&#x4E2D;")
// and returns the rune and its length, or 0 when b does not start with one.
func entity(b []byte) (rune, int) {
	end := bytes.IndexByte(b, ';')
	if end < 2 || end > 12 {
		return 0, 0
	}
	name := b[1:end]
	switch string(name) {
	case "amp":
		return '&', end + 1
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0
	}
	var v rune
	if name[1] == 'x' || name[1] == 'X' {
		if len(name) < 3 {
			return 0, 0
		}
		for _, c := range name[2:] {
			h, ok := hexVal(c)
			if !ok {
				return 0, 0
			}
			v = v<<4 | h
		}
	} else {
		for _, c := range name[1:] {
			if c < '0' || c > '9' {
				return 0, 0
			}
			v = v*10 + rune(c-'0')
		}
	}
	if v > utf8.MaxRune {
		return 0, 0
	}
	return v, end + 1
}

// xEscape decodes "_xHHHH_" at the start of b.
func xEscape(b []byte) (rune, bool) {
	if len(b) < 7 || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var v rune
	for _, c := range b[2:6] {
		h, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | h
	}
	return v, true
}

func hexVal(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

// parseRef parses a cell reference such as "B5" or "$AF$307". Either part may
// be missing (a column-only or row-only reference); 0 stands for missing.
func parseRef(b []byte) (col, row int, ok bool) {
	i := 0
	if i < len(b) && b[i] == '$' {
		i++
	}
	for ; i < len(b); i++ {
		c := b[i] | 0x20 // ASCII lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
		if col > 16384 {
			return 0, 0, false
		}
	}
	if i < len(b) && b[i] == '$' {
		i++
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
		if row > 1048576 {
			return 0, 0, false
		}
	}
	return col, row, col > 0 || row > 0
}

// atoi parses a small non-negative decimal, allowing surrounding spaces.
func atoi(b []byte) (int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
