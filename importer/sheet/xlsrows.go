package sheet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// xlsSheet walks one sheet's records. Cells come row by row (Excel, WPS and
// LibreOffice write them in row order); a record of another row ends the
// current one and is read again by the next call.
type xlsSheet struct {
	b      *xlsBook
	stream []byte // the workbook stream, cut where the next sheet starts
	off    int    // the next record
	depth  int    // substreams nested in the sheet (embedded charts), skipped
	row    int    // the row being gathered, 1-based; 0 before the first
	ended  bool
	err    error // reported after the row it cut short

	// fmla is a formula cell whose text result follows in a STRING record.
	fmla struct {
		col int
		ok  bool
	}
}

// BIFF8 error codes, as shown in a cell.
var biffErrors = map[byte]string{
	0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
	0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA",
}

func (r *Rows) nextXLS() bool {
	x := r.xs
	s := x.stream
	r.cells, r.vals, r.pend, r.unsorted = r.cells[:0], r.vals[:0], r.pend[:0], false
	for !x.ended {
		rec, ok := recordAt(s, x.off)
		if !ok {
			x.ended = true
			x.err = errBadWorkbook("工作表“"+r.sheet+"”", errors.New("数据不完整，文件可能没有上传完整"))
			break
		}
		if x.depth > 0 {
			switch rec.typ {
			case recBOF:
				x.depth++
			case recEOF:
				x.depth--
			}
			x.off = rec.next
			continue
		}
		switch rec.typ {
		case recBOF:
			x.depth++
			x.off = rec.next
			continue
		case recEOF:
			x.ended = true
			x.off = rec.next
			continue
		case recMergedCells:
			if err := r.xlsMerges(rec.data); err != nil {
				r.err = err
				return false
			}
			x.off = rec.next
			continue
		case recString:
			segs, next := continued(s, rec)
			x.off = next
			if x.fmla.ok {
				x.fmla.ok = false
				cr := &contReader{segs: segs, cp: x.b.codepage}
				start := len(r.vals)
				r.vals = cr.unicodeString(r.vals, 2)
				r.pendText(x.fmla.col, start)
			}
			continue
		case recLabelSST, recLabel, recRString, recNumber, recRK, recMulRK,
			recFormula, recBoolErr, recBlank, recMulBlank:
		default:
			x.off = rec.next
			continue
		}
		d := rec.data
		if len(d) < 6 {
			x.off = rec.next // too short to be a cell: skipped
			continue
		}
		row := int(binary.LittleEndian.Uint16(d)) + 1
		if row != x.row {
			if len(r.cells) > 0 {
				return r.xlsRow() // this record starts the next row
			}
			x.row, r.rowNum = row, row
			if err := r.newRow(); err != nil {
				r.err = err
				return false
			}
		}
		x.fmla.ok = false
		if err := r.xlsCell(rec); err != nil {
			r.err = err
			return false
		}
	}
	if len(r.cells) > 0 {
		return r.xlsRow()
	}
	if x.err != nil {
		r.err = x.err
	}
	return false
}

func (r *Rows) xlsRow() bool {
	if len(r.vals) > maxRowBytes {
		r.err = r.rowTooLong()
		return false
	}
	r.finishRow()
	return true
}

// xlsCell reads the cell record rec of the current row and moves past it.
func (r *Rows) xlsCell(rec record) error {
	x := r.xs
	d := rec.data
	x.off = rec.next
	col := int(binary.LittleEndian.Uint16(d[2:])) + 1
	xf := int(binary.LittleEndian.Uint16(d[4:]))
	switch rec.typ {
	case recBlank:
		return r.newCell(x.row)
	case recMulBlank:
		for i := 4; i+4 <= len(d); i += 2 {
			if err := r.newCell(x.row); err != nil {
				return err
			}
		}
		return nil
	case recMulRK:
		for i := 4; i+8 <= len(d); i += 6 {
			if err := r.newCell(x.row); err != nil {
				return err
			}
			xf := int(binary.LittleEndian.Uint16(d[i:]))
			r.xlsNumber(col, xf, rkValue(binary.LittleEndian.Uint32(d[i+2:])))
			col++
		}
		return nil
	}
	if err := r.newCell(x.row); err != nil {
		return err
	}
	switch rec.typ {
	case recLabelSST:
		if len(d) < 10 {
			return nil
		}
		i := int(binary.LittleEndian.Uint32(d[6:]))
		if i < 0 || i >= r.sst.len() {
			return errBadWorkbook("工作表“"+r.sheet+"”", fmt.Errorf("单元格 %s%d 引用的共享字符串 %d 不存在", colName(col), x.row, i))
		}
		if v := r.sst.get(i); v != "" {
			r.addCell(Cell{Col: col, Value: v, Kind: Text})
		}
	case recLabel, recRString:
		segs, next := continued(x.stream, rec)
		x.off = next
		cr := &contReader{segs: segs, off: 6, cp: x.b.codepage}
		start := len(r.vals)
		r.vals = cr.unicodeString(r.vals, 2)
		r.pendText(col, start)
	case recNumber:
		if len(d) >= 14 {
			r.xlsNumber(col, xf, math.Float64frombits(binary.LittleEndian.Uint64(d[6:])))
		}
	case recRK:
		if len(d) >= 10 {
			r.xlsNumber(col, xf, rkValue(binary.LittleEndian.Uint32(d[6:])))
		}
	case recBoolErr:
		if len(d) >= 8 {
			r.xlsBoolErr(col, d[6], d[7] != 0)
		}
	case recFormula:
		if len(d) < 14 {
			return nil
		}
		v := d[6:14]
		if v[6] != 0xFF || v[7] != 0xFF {
			r.xlsNumber(col, xf, math.Float64frombits(binary.LittleEndian.Uint64(v)))
			return nil
		}
		switch v[0] {
		case 0: // text: in the STRING record that follows
			x.fmla.col, x.fmla.ok = col, true
		case 1:
			r.xlsBoolErr(col, v[2], false)
		case 2:
			r.xlsBoolErr(col, v[2], true)
		}
	}
	return nil
}

// rkValue decodes an RK number: a 30-bit integer or the top 30 bits of a
// double, either possibly multiplied by 100.
func rkValue(rk uint32) float64 {
	var f float64
	if rk&2 != 0 {
		f = float64(int32(rk) >> 2)
	} else {
		f = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		f /= 100
	}
	return f
}

// xlsNumber adds a number, a Date when its XF's format shows a date. Its
// Value is written as Excel writes it in an .xlsx ("44607", "13425.5",
// "5.00119E+17" would be "500119000000000000" here: the shortest exact form).
func (r *Rows) xlsNumber(col, xf int, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		start := len(r.vals)
		r.vals = append(r.vals, "#NUM!"...)
		r.pendKind(col, start, Error)
		return
	}
	kind := Number
	if xf < len(r.dateStyle) && r.dateStyle[xf] {
		kind = Date
	}
	start := len(r.vals)
	r.vals = appendNumber(r.vals, f)
	r.pendKind(col, start, kind)
}

// appendNumber formats f like the <v> of an .xlsx: plain decimals between
// 1e-5 and 1e21, else an exponent ("1E+21").
func appendNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	if a := math.Abs(f); a >= 1e-5 && a < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'E', -1, 64)
}

func (r *Rows) xlsBoolErr(col int, v byte, isErr bool) {
	start := len(r.vals)
	if !isErr {
		if v != 0 {
			r.vals = append(r.vals, '1')
		} else {
			r.vals = append(r.vals, '0')
		}
		r.pendKind(col, start, Bool)
		return
	}
	e, ok := biffErrors[v]
	if !ok {
		e = "#N/A"
	}
	r.vals = append(r.vals, e...)
	r.pendKind(col, start, Error)
}

// pendText adds the text appended to vals since start, if any.
func (r *Rows) pendText(col, start int) { r.pendKind(col, start, Text) }

func (r *Rows) pendKind(col, start int, kind Kind) {
	if len(r.vals) == start {
		return
	}
	r.pend = append(r.pend, pending{cell: len(r.cells), from: start, to: len(r.vals)})
	r.addCell(Cell{Col: col, Kind: kind})
}

// xlsMerges reads a MERGEDCELLS record: a count, then 8-byte ranges with
// 0-based first row, last row, first column, last column.
func (r *Rows) xlsMerges(d []byte) error {
	if len(d) < 2 {
		return nil
	}
	n := int(binary.LittleEndian.Uint16(d))
	for i, p := 0, 2; i < n && p+8 <= len(d); i, p = i+1, p+8 {
		r1 := int(binary.LittleEndian.Uint16(d[p:])) + 1
		r2 := int(binary.LittleEndian.Uint16(d[p+2:])) + 1
		c1 := int(binary.LittleEndian.Uint16(d[p+4:])) + 1
		c2 := int(binary.LittleEndian.Uint16(d[p+6:])) + 1
		if err := r.addMerge(Merge{FirstRow: min(r1, r2), FirstCol: min(c1, c2), LastRow: max(r1, r2), LastCol: max(c1, c2)}); err != nil {
			return err
		}
	}
	return nil
}
