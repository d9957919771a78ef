package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/xuri/excelize/v2"
)

// sampleRows is how many rows a table holds back to fit its column widths
// to the data before it starts streaming: a stream writer needs the widths
// before the first row.
const sampleRows = 200

// column is one column of a table.
type column struct {
	name string
	kind kind
}

// group is a header cell spanning columns from..to (0-based, inclusive)
// above their own headers, as forms write 监测对象 over 合计（户）….
type group struct {
	name     string
	from, to int
}

// line is a row of the title area or a note under a table, merged across
// the table's columns. size is its font size in points: the row grows to
// as many lines as the text needs at the table's width.
type line struct {
	text   string
	style  int
	size   float64
	height float64 // at least
}

// Font sizes of the lines (see makeStyles).
const (
	titleSize    = 16
	subtitleSize = 10
	noteSize     = 11
)

// table writes one report table: to a sheet (continued on further sheets
// past MaxRows) or, in CSV mode, to a CSV stream. Rows are built cell by
// cell with the setters and written with emit.
type table struct {
	b      *book
	csv    *csv.Writer
	base   string
	head   []line
	cols   []column
	groups []group

	hdrStart, hdrEnd int // header rows
	part             int // continuation number of the current sheet
	sheet            string
	sw               *excelize.StreamWriter
	row              int // last row written on the current sheet
	lastTableRow     int // last header, data, subtotal or total row

	rowHeight float64 // data rows, 0 for the default

	cur      []cell
	sampling bool
	sample   []sampled
	widths   []float64
	htext    []string // header texts as shown

	xcells []excelize.Cell
	xvals  []any
	rec    []string
}

type sampled struct {
	cells []cell
	rk    rowKind
}

// newTable starts a table on a new sheet named base.
func (b *book) newTable(base string, head []line, cols []column, groups []group) (*table, error) {
	t := &table{b: b, base: base, head: head, cols: cols, groups: groups, sheet: base, sampling: true}
	t.hdrStart = len(head) + 1
	t.hdrEnd = t.hdrStart
	if len(groups) > 0 {
		t.hdrEnd++
	}
	t.cur = make([]cell, len(cols))
	t.xcells = make([]excelize.Cell, len(cols))
	t.xvals = make([]any, len(cols))
	for i := range t.xcells {
		t.xvals[i] = &t.xcells[i]
	}
	if err := t.openSheet(); err != nil {
		return nil, err
	}
	return t, nil
}

// newCSVTable starts a CSV table on w: a byte-order mark and the header.
func newCSVTable(w io.Writer, cols []column) (*table, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	t := &table{csv: csv.NewWriter(w), cols: cols, cur: make([]cell, len(cols)), rec: make([]string, len(cols))}
	t.csv.UseCRLF = true
	for i, c := range cols {
		t.rec[i] = c.name
	}
	return t, t.csv.Write(t.rec)
}

// titleLines is the usual title area: the report title and the line saying
// whether ID numbers are masked.
func (b *book) titleLines(m Meta, name string, hasIDs bool) []line {
	return []line{
		{text: title(m, name), style: b.st.title, size: titleSize, height: 32},
		{text: subtitle(m, hasIDs), style: b.st.subtitle, size: subtitleSize, height: 20},
	}
}

// Setters of the current row. Blank values leave the cell empty.

func (t *table) str(i int, s string) {
	if s != "" {
		t.cur[i] = cell{v: vStr, s: s}
	}
}

func (t *table) num(i int, n int) { t.cur[i] = cell{v: vInt, n: int64(n)} }

// count is a whole number shown with its unit (3户) in a subtotal or total
// row; the cell stays a number.
func (t *table) count(i int, n int, unit string) { t.cur[i] = cell{v: vInt, n: int64(n), s: unit} }

func (t *table) money(i int, m monitor.Money) { t.cur[i] = cell{v: vMoney, n: int64(m)} }

func (t *table) date(i int, d monitor.Date) {
	if !d.IsZero() {
		t.cur[i] = cell{v: vDay, n: serial(d)}
	}
}

func (t *table) month(i int, ym monitor.YearMonth) {
	if !ym.IsZero() {
		t.cur[i] = cell{v: vDay, n: serial(ym.FirstDay())}
	}
}

// ratio writes a rate; NaN (nothing to divide by) leaves the cell empty.
func (t *table) ratio(i int, f float64) {
	if !math.IsNaN(f) {
		t.cur[i] = cell{v: vFloat, f: f}
	}
}

// dec writes a decimal; 0 leaves the cell empty (an unknown rate).
func (t *table) dec(i int, f float64) {
	if f != 0 {
		t.cur[i] = cell{v: vFloat, f: f}
	}
}

// emit writes the current row as a data, subtotal or total row and clears
// it. CSV gets data rows only.
func (t *table) emit(rk rowKind) error {
	defer clear(t.cur)
	if t.csv != nil {
		if rk != rowData {
			return nil
		}
		for i := range t.cur {
			t.rec[i] = t.cur[i].csvValue(t.cols[i].kind)
		}
		return t.csv.Write(t.rec)
	}
	if t.sampling {
		t.sample = append(t.sample, sampled{cells: append([]cell(nil), t.cur...), rk: rk})
		if len(t.sample) < sampleRows {
			return nil
		}
		return t.endSampling()
	}
	return t.writeRow(t.cur, rk)
}

// note writes a line under the table, merged across its columns.
func (t *table) note(l line) error {
	if t.csv != nil {
		return nil
	}
	if t.sampling {
		if err := t.endSampling(); err != nil {
			return err
		}
	}
	if t.row >= t.rowLimit() {
		if err := t.nextPart(); err != nil {
			return err
		}
	}
	t.row++
	return t.writeLine(t.row, l)
}

// close finishes the table: the sheet's autofilter and flush, or the CSV
// buffer.
func (t *table) close() error {
	if t.csv != nil {
		t.csv.Flush()
		return t.csv.Error()
	}
	if t.sampling {
		if err := t.endSampling(); err != nil {
			return err
		}
	}
	return t.finishPart()
}

// rowLimit is MaxRows, but never so low that a sheet holds no data row.
func (t *table) rowLimit() int { return max(MaxRows, t.hdrEnd+1) }

func (t *table) writeRow(cells []cell, rk rowKind) error {
	if t.row >= t.rowLimit() {
		if err := t.nextPart(); err != nil {
			return err
		}
	}
	st := &t.b.st.cells[rk]
	for i := range cells {
		c := &cells[i]
		k := t.cols[i].kind
		style := st[k]
		if c.v == vInt && c.s != "" {
			var err error
			if style, err = t.b.unitStyle(c.s, rk); err != nil {
				return err
			}
		}
		t.xcells[i] = excelize.Cell{StyleID: style, Value: c.xlsxValue(k)}
	}
	t.row++
	t.lastTableRow = t.row
	if t.rowHeight > 0 {
		return t.sw.SetRow("A"+strconv.Itoa(t.row), t.xvals, excelize.RowOpts{Height: t.rowHeight})
	}
	return t.sw.SetRow("A"+strconv.Itoa(t.row), t.xvals)
}

// endSampling fits the column widths to the header and the rows held back,
// writes the title area and header, then the rows.
func (t *table) endSampling() error {
	t.sampling = false
	t.widths = make([]float64, len(t.cols))
	t.htext = make([]string, len(t.cols))
	total := 0.0
	for i, c := range t.cols {
		data := 0
		for _, s := range t.sample {
			data = max(data, s.cells[i].width(c.kind))
		}
		limit := 40
		if c.kind == kLong {
			limit = 60
		}
		w, text := headerWidth(c.name, data)
		t.widths[i], t.htext[i] = float64(min(w, limit)), text
		total += t.widths[i]
	}
	// A narrow table widens its widest text column so that the title fits
	// (a little), and the title wraps beyond that.
	if need := min(textScale(t.head, 0)+4, 90); total < need {
		wi := len(t.cols) - 1
		for i, c := range t.cols {
			if (c.kind == kText || c.kind == kLong) && t.widths[i] >= t.widths[wi] {
				wi = i
			}
		}
		t.widths[wi] += need - total
	}
	if err := t.startPart(); err != nil {
		return err
	}
	for _, s := range t.sample {
		if err := t.writeRow(s.cells, s.rk); err != nil {
			return err
		}
	}
	t.sample = nil
	return nil
}

// headerWidth is a column's width for its header and its widest value
// (data, in character units), and the header as shown. A header with a
// unit in brackets that does not fit on one line, such as 偿还贷款金额（元）,
// breaks right before the bracket (a line break in the cell: viewers
// differ too much in CJK glyph widths to rely on where wrapping falls); a
// long one without wraps onto two lines.
func headerWidth(name string, data int) (int, string) {
	w := max(data+2, 6)
	h := textWidth(name)
	if h+2 <= w {
		return w, name
	}
	if base, unit, ok := strings.Cut(name, "（"); ok && h > 12 && base != "" {
		unit = "（" + unit
		return max(w, textWidth(base)+2, textWidth(unit)+2), base + "\n" + unit
	}
	if h > 16 {
		return max(w, (h+1)/2+2), name
	}
	return h + 2, name
}

// textScale is the width line i of the title area needs, in character
// units of the body font.
func textScale(head []line, i int) float64 {
	if i >= len(head) {
		return 0
	}
	l := head[i]
	return float64(textWidth(l.text)) * l.size / noteSize * 1.1
}

// openSheet creates the current sheet and its stream writer.
func (t *table) openSheet() error {
	if err := t.b.newSheet(t.sheet); err != nil {
		return err
	}
	if err := t.b.pageSetup(t.sheet); err != nil {
		return err
	}
	sw, err := t.b.f.NewStreamWriter(t.sheet)
	if err != nil {
		return err
	}
	t.sw, t.row, t.lastTableRow = sw, 0, 0
	return nil
}

// startPart writes the widths, the frozen panes, the title area and the
// header of the current sheet, and chooses the paper for its width.
func (t *table) startPart() error {
	total := 0.0
	for i, w := range t.widths {
		if err := t.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
		total += w
	}
	if err := t.b.paper(t.sheet, total); err != nil {
		return err
	}
	first := "A" + strconv.Itoa(t.hdrEnd+1)
	if err := t.sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: t.hdrEnd, TopLeftCell: first, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	for i, l := range t.head {
		if err := t.writeLine(i+1, l); err != nil {
			return err
		}
	}
	if err := t.writeHeader(); err != nil {
		return err
	}
	t.row, t.lastTableRow = t.hdrEnd, t.hdrEnd
	return nil
}

// writeLine writes one merged line at row r, as tall as its text needs at
// the table's width.
func (t *table) writeLine(r int, l line) error {
	total := 0.0
	for _, w := range t.widths {
		total += w
	}
	height := l.height
	if l.size > 0 && total > 0 {
		lines := math.Ceil(textScale([]line{l}, 0) / total)
		height = max(height, lines*l.size*1.6)
	}
	opts := excelize.RowOpts{Height: height}
	if err := t.sw.SetRow("A"+strconv.Itoa(r), []any{excelize.Cell{StyleID: l.style, Value: l.text}}, opts); err != nil {
		return err
	}
	if len(t.cols) > 1 {
		return t.sw.MergeCell("A"+strconv.Itoa(r), colName(len(t.cols))+strconv.Itoa(r))
	}
	return nil
}

// writeHeader writes one header row, or two when columns are grouped: a
// group's name merged across its columns above their names, and ungrouped
// names merged down across both rows.
func (t *table) writeHeader() error {
	hs := t.b.st.header
	n := len(t.cols)
	top := make([]any, n)
	lines := 1
	for i := range t.cols {
		top[i] = excelize.Cell{StyleID: hs, Value: t.htext[i]}
		n := 0
		for l := range strings.SplitSeq(t.htext[i], "\n") {
			n += int(math.Ceil(float64(textWidth(l)+1) / t.widths[i]))
		}
		lines = max(lines, n)
	}
	height := float64(8 + 14*min(lines, 4))
	r0 := strconv.Itoa(t.hdrStart)
	if len(t.groups) == 0 {
		return t.sw.SetRow("A"+r0, top, excelize.RowOpts{Height: height})
	}
	r1 := strconv.Itoa(t.hdrEnd)
	bottom := make([]any, n)
	grouped := make([]bool, n)
	for _, g := range t.groups {
		for i := g.from; i <= g.to; i++ {
			grouped[i] = true
			bottom[i] = top[i]
			top[i] = excelize.Cell{StyleID: hs}
		}
		top[g.from] = excelize.Cell{StyleID: hs, Value: g.name}
	}
	for i := range n {
		if !grouped[i] {
			bottom[i] = excelize.Cell{StyleID: hs}
		}
	}
	if err := t.sw.SetRow("A"+r0, top, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := t.sw.SetRow("A"+r1, bottom, excelize.RowOpts{Height: height}); err != nil {
		return err
	}
	for _, g := range t.groups {
		if g.to > g.from {
			if err := t.sw.MergeCell(colName(g.from+1)+r0, colName(g.to+1)+r0); err != nil {
				return err
			}
		}
	}
	for i := range n {
		if !grouped[i] {
			if err := t.sw.MergeCell(colName(i+1)+r0, colName(i+1)+r1); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishPart sets the autofilter over the header and the rows below it,
// repeats the header on printed pages and flushes the sheet.
func (t *table) finishPart() error {
	last := colName(len(t.cols))
	ref := fmt.Sprintf("A%d:%s%d", t.hdrEnd, last, max(t.lastTableRow, t.hdrEnd+1))
	if err := t.b.f.AutoFilter(t.sheet, ref, nil); err != nil {
		return err
	}
	if err := t.b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", t.sheet, t.hdrStart, t.hdrEnd), Scope: t.sheet,
	}); err != nil {
		return err
	}
	return t.sw.Flush()
}

// nextPart continues the table on a new sheet 名称（续N） with the same
// title area and header.
func (t *table) nextPart() error {
	if err := t.finishPart(); err != nil {
		return err
	}
	t.part++
	t.sheet = fmt.Sprintf("%s（续%d）", t.base, t.part)
	if err := t.openSheet(); err != nil {
		return err
	}
	return t.startPart()
}
