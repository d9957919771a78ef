package sheet

import (
	"fmt"
	"io"
	"slices"
)

// Rows streams the rows of one sheet. Rows without any non-blank cell are not
// returned (writers often emit thousands of formatted but empty rows); a gap
// in Row.Num shows where they were.
type Rows struct {
	// the workbook's, shared by xlsx and xls
	sst       *strTable
	dateStyle []bool
	date1904  bool

	// caps: the sheet's name for messages, the limits, and what was seen
	sheet     string
	lim       *Limits
	book      *Book
	rowsSeen  int
	rowCells  int
	cellsSeen int64
	cellsLeft int64 // the workbook's MaxCells less what other sheets used

	// xlsx
	sc     *xmlScanner
	rc     io.Closer
	inData bool
	rowNum int
	col    int

	// csv
	cs *csvScan

	// xls
	xs *xlsSheet

	row      Row
	cells    []Cell
	vals     []byte    // the current row's non-shared values, back to back
	pend     []pending // cells whose Value is a slice of vals
	unsorted bool
	merges   []Merge
	err      error
	done     bool
}

// pending defers a cell's Value until the row is complete, so that all the
// values of a row share one string allocation instead of one each.
type pending struct{ cell, from, to int }

// Next advances to the next row that has at least one non-blank cell. It
// returns false at the end of the sheet or on error; check Err.
func (r *Rows) Next() bool {
	if r.done {
		return false
	}
	var ok bool
	switch {
	case r.cs != nil:
		ok = r.nextCSV()
	case r.xs != nil:
		ok = r.nextXLS()
	default:
		ok = r.nextXLSX()
	}
	if !ok {
		r.done = true
		r.row = Row{}
		r.account()
	}
	return ok
}

// account charges the cells seen to the workbook's budget.
func (r *Rows) account() {
	if r.book != nil {
		r.book.cells.record(r.sheet, r.cellsSeen)
	}
}

// newRow counts a row (an element or record, empty or not) against MaxRows.
func (r *Rows) newRow() error {
	r.rowsSeen++
	r.rowCells = 0
	if r.lim != nil && r.rowsSeen > r.lim.MaxRows {
		return errTooComplex("MaxRows", fmt.Sprintf("工作表“%s”超过 %s 行上限", r.sheet, count(int64(r.lim.MaxRows))))
	}
	return nil
}

// newCell counts a cell (blank ones too: they cost the same to read)
// against MaxCellsPerRow and the workbook's MaxCells.
func (r *Rows) newCell(row int) error {
	r.rowCells++
	r.cellsSeen++
	if r.lim == nil {
		return nil
	}
	if r.rowCells > r.lim.MaxCellsPerRow {
		return errTooComplex("MaxCellsPerRow", fmt.Sprintf("工作表“%s”第 %d 行超过 %s 个单元格上限", r.sheet, row, count(int64(r.lim.MaxCellsPerRow))))
	}
	if r.cellsSeen > r.cellsLeft {
		return errTooComplex("MaxCells", fmt.Sprintf("工作簿的单元格总数超过 %s 个上限（读到工作表“%s”第 %d 行时）", count(r.lim.MaxCells), r.sheet, row))
	}
	return nil
}

// maxMerges caps the merged ranges of a sheet, kept until it is read: 32 MB.
const maxMerges = 1 << 20

func (r *Rows) addMerge(m Merge) error {
	if len(r.merges) >= maxMerges {
		return errTooComplex("Merges", fmt.Sprintf("工作表“%s”的合并单元格超过 %s 处上限", r.sheet, count(maxMerges)))
	}
	r.merges = append(r.merges, m)
	return nil
}

// maxRowBytes caps the text of one row. Excel holds at most 32,767
// characters in a cell; a row of 177 such cells is under 17 MB.
var maxRowBytes = 32 << 20

func (r *Rows) rowTooLong() error {
	return errTooComplex("RowBytes", fmt.Sprintf("工作表“%s”第 %d 行的文字超过 %s上限", r.sheet, r.rowNum, byteSize(int64(maxRowBytes))))
}

// Row returns the current row. Its Cells slice is reused by the next call to
// Next.
func (r *Rows) Row() Row { return r.row }

// Err returns the error that stopped Next, if any. Problems with the file
// itself are *FormatError.
func (r *Rows) Err() error { return r.err }

// Merges returns the merged ranges of the sheet. In xlsx and xls they are
// stored after the cell data, so the list is complete only once Next has returned false;
// before that it holds those seen so far (normally none). CSV has none.
func (r *Rows) Merges() []Merge { return r.merges }

// Close releases the sheet's zip entry. It is safe to call more than once.
func (r *Rows) Close() error {
	if !r.done {
		r.account()
	}
	r.done = true
	if r.rc != nil {
		rc := r.rc
		r.rc = nil
		return rc.Close()
	}
	return nil
}

func (r *Rows) nextXLSX() bool {
	sc := r.sc
	for {
		tok, err := sc.next()
		if err != nil {
			r.err = err
			return false
		}
		switch tok {
		case tokEOF:
			return false
		case tokOpen, tokSelf:
			switch string(sc.name) {
			case "c":
				if r.inData {
					if err := r.readCell(tok == tokSelf); err != nil {
						r.err = err
						return false
					}
				}
			case "row":
				if r.inData {
					if err := r.newRow(); err != nil {
						r.err = err
						return false
					}
					r.startRow()
				}
			case "sheetData":
				r.inData = tok == tokOpen
			case "mergeCell":
				if m, ok := parseMerge(sc.attrs); ok {
					if err := r.addMerge(m); err != nil {
						r.err = err
						return false
					}
				}
			}
		case tokClose:
			switch string(sc.name) {
			case "row":
				if r.inData && len(r.cells) > 0 {
					r.finishRow()
					return true
				}
			case "sheetData":
				r.inData = false
			}
		}
	}
}

func (r *Rows) startRow() {
	num := 0
	if v, ok := attr(r.sc.attrs, "r"); ok {
		num, _ = atoi(v)
	}
	if num <= 0 {
		num = r.rowNum + 1
	}
	r.rowNum, r.col = num, 0
	r.cells, r.vals, r.pend, r.unsorted = r.cells[:0], r.vals[:0], r.pend[:0], false
}

// Cell type codes, from the t attribute.
const (
	tNumber    = 'n'
	tShared    = 's'
	tBool      = 'b'
	tError     = 'e'
	tISODate   = 'd'
	tStr       = 'S' // t="str": formula result text
	tInlineStr = 'i'
)

func cellType(v []byte) byte {
	switch string(v) {
	case "", "n":
		return tNumber
	case "s":
		return tShared
	case "b":
		return tBool
	case "e":
		return tError
	case "d":
		return tISODate
	case "inlineStr":
		return tInlineStr
	}
	return tStr
}

// readCell reads one <c> element whose start tag is the current token.
func (r *Rows) readCell(self bool) error {
	sc := r.sc
	t, style, refCol := byte(tNumber), -1, 0
	for a := sc.attrs; ; {
		name, val, rest, ok := nextAttr(a)
		if !ok {
			break
		}
		a = rest
		switch string(name) {
		case "r":
			refCol, _, _ = parseRef(val)
		case "s":
			if n, ok := atoi(val); ok {
				style = n
			}
		case "t":
			t = cellType(val)
		}
	}
	// A cell without r= is the one after the previous cell.
	if refCol > 0 {
		r.col = refCol
	} else {
		r.col++
	}
	if err := r.newCell(r.rowNum); err != nil {
		return err
	}
	if self {
		return nil
	}
	col, start, sst := r.col, len(r.vals), -1
	textual := t == tStr || t == tInlineStr
	if text, inline, ok := sc.fastValue(); ok {
		switch {
		case inline:
			r.vals = appendText(r.vals, text, true)
		case t == tShared:
			n, ok := atoi(text)
			if !ok {
				return r.badIndex(text)
			}
			sst = n
		default:
			r.vals = appendText(r.vals, text, textual)
		}
	} else if err := r.readCellBody(t, &sst); err != nil {
		return err
	}

	if t == tShared {
		if sst < 0 {
			return nil
		}
		if sst >= r.sst.len() {
			return errBadWorkbook(sc.part, fmt.Errorf("单元格 %s%d 引用的共享字符串 %d 不存在", colName(col), r.rowNum, sst))
		}
		if v := r.sst.get(sst); v != "" {
			r.addCell(Cell{Col: col, Value: v, Kind: Text})
		}
		return nil
	}
	if len(r.vals) == start {
		return nil
	}
	if len(r.vals) > maxRowBytes {
		return r.rowTooLong()
	}
	kind := Text
	switch t {
	case tNumber:
		kind = Number
		if style >= 0 && style < len(r.dateStyle) && r.dateStyle[style] {
			kind = Date
		}
	case tBool:
		kind = Bool
		switch string(r.vals[start:]) {
		case "true", "TRUE":
			r.vals = append(r.vals[:start], '1')
		case "false", "FALSE":
			r.vals = append(r.vals[:start], '0')
		}
	case tError:
		kind = Error
	case tISODate:
		// Callers see one representation of dates: the serial, as for
		// numeric date cells. An unparsable value is kept as text.
		if serial, ok := isoToSerial(string(r.vals[start:]), r.date1904); ok {
			kind = Date
			r.vals = append(r.vals[:start], serial...)
		}
	}
	r.pend = append(r.pend, pending{cell: len(r.cells), from: start, to: len(r.vals)})
	r.addCell(Cell{Col: col, Kind: kind})
	return nil
}

// readCellBody reads the children of a <c> element in the general case:
// formulas, whitespace, rich text, unusual order.
func (r *Rows) readCellBody(t byte, sst *int) error {
	sc := r.sc
	textual := t == tStr || t == tInlineStr
	for {
		tok, err := sc.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return errBadWorkbook(sc.part, io.ErrUnexpectedEOF)
		case tokOpen:
			switch string(sc.name) {
			case "v":
				if tok, err = sc.next(); err != nil {
					return err
				}
				if t == tShared {
					n, ok := atoi(sc.text)
					if !ok {
						return r.badIndex(sc.text)
					}
					*sst = n
				} else {
					r.vals = appendText(r.vals, sc.text, textual)
				}
				if tok == tokEOF || (tok == tokClose && string(sc.name) == "c") {
					return nil // tolerate a missing </v>
				}
			case "f":
				if err := sc.skipTo("f"); err != nil {
					return err
				}
			case "is":
				if err := r.readInline(); err != nil {
					return err
				}
			}
		case tokClose:
			if string(sc.name) == "c" {
				return nil
			}
		}
	}
}

func (r *Rows) badIndex(text []byte) error {
	return errBadWorkbook(r.sc.part, fmt.Errorf("单元格 %s%d 的共享字符串编号 %q 无效", colName(r.col), r.rowNum, text))
}

func (r *Rows) addCell(c Cell) {
	if n := len(r.cells); n > 0 && c.Col <= r.cells[n-1].Col {
		r.unsorted = true
	}
	r.cells = append(r.cells, c)
}

// readInline collects the text of an <is> element: plain <t> or rich-text
// runs, without phonetic runs.
func (r *Rows) readInline() error {
	sc := r.sc
	inRPh := 0
	for {
		tok, err := sc.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return errBadWorkbook(sc.part, io.ErrUnexpectedEOF)
		case tokOpen:
			switch string(sc.name) {
			case "t":
				if inRPh > 0 {
					continue
				}
				if tok, err = sc.next(); err != nil {
					return err
				}
				r.vals = appendText(r.vals, sc.text, true)
				if tok == tokClose && string(sc.name) == "is" {
					return nil
				}
			case "rPh":
				inRPh++
			}
		case tokClose:
			switch string(sc.name) {
			case "is":
				return nil
			case "rPh":
				inRPh--
			}
		}
	}
}

func (r *Rows) finishRow() {
	if len(r.pend) > 0 {
		s := string(r.vals)
		for _, p := range r.pend {
			r.cells[p.cell].Value = s[p.from:p.to]
		}
	}
	if r.unsorted {
		// Out-of-order or repeated columns only come from broken writers;
		// keep the order promise and let the last value of a column win.
		slices.SortStableFunc(r.cells, func(a, b Cell) int { return a.Col - b.Col })
		out := r.cells[:0]
		for _, c := range r.cells {
			if n := len(out); n > 0 && out[n-1].Col == c.Col {
				out[n-1] = c
				continue
			}
			out = append(out, c)
		}
		r.cells = out
	}
	r.row = Row{Num: r.rowNum, Cells: r.cells}
}

func parseMerge(attrs []byte) (Merge, bool) {
	ref, ok := attr(attrs, "ref")
	if !ok {
		return Merge{}, false
	}
	a, b := ref, ref
	for i, c := range ref {
		if c == ':' {
			a, b = ref[:i], ref[i+1:]
			break
		}
	}
	c1, r1, ok1 := parseRef(a)
	c2, r2, ok2 := parseRef(b)
	if !ok1 || !ok2 || c1 == 0 || r1 == 0 || c2 == 0 || r2 == 0 {
		return Merge{}, false
	}
	return Merge{FirstRow: min(r1, r2), FirstCol: min(c1, c2), LastRow: max(r1, r2), LastCol: max(c1, c2)}, true
}

// colName returns the letters of a 1-based column number, for messages.
func colName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}
