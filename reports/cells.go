package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// kind is what a column holds; it picks the cell style (number format,
// alignment) and how the value is written to CSV.
type kind uint8

const (
	kText  kind = iota // text, never a formula; number format "@"
	kLong              // long text: wrapped, width capped
	kInt               // whole number
	kYuan              // Money shown in yuan, #,##0.00
	kWan               // Money shown in 万元
	kDate              // monitor.Date as a date cell, yyyy-mm-dd
	kMonth             // monitor.YearMonth as a date cell, yyyy-mm
	kPct               // a ratio shown as a percentage
	kDec               // a decimal such as a rate in percent, 0.00##
	nKinds
)

// rowKind is a data row, a subtotal or the total.
type rowKind uint8

const (
	rowData rowKind = iota
	rowSub
	rowTotal
	nRowKinds
)

// val says which field of a cell holds its value.
type val uint8

const (
	vNone  val = iota
	vStr       // s
	vInt       // n
	vMoney     // n in fen
	vDay       // n is an Excel serial day
	vFloat     // f
)

// cell is one value of the row being built, kept typed until it is written
// so the same row can go to a workbook or to CSV.
type cell struct {
	v     val
	s     string
	n     int64
	f     float64
	style int // overrides the column's style when not 0 (subtotal counts)
}

// excelEpoch is the day number of 1899-12-30, Excel's day 0 (the 1900 date
// system, with its phantom 1900-02-29 below day 61, which no report date
// reaches).
var excelEpoch = dayNum(monitor.Date{Year: 1899, Month: 12, Day: 30})

// serial is the Excel serial number of a date.
func serial(d monitor.Date) int64 { return int64(dayNum(d) - excelEpoch) }

// dayNum numbers days consecutively (H. Hinnant's days_from_civil); it
// avoids time.Time, which is several times slower per cell.
func dayNum(d monitor.Date) int {
	y, m := d.Year, d.Month
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// textWidth is the display width of s in Excel's character units, counting
// CJK and full-width characters as 2.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r < 0x1100:
			w++
		case r >= 0xFF61 && r <= 0xFFDC: // half-width katakana and hangul
			w++
		default:
			w += 2
		}
	}
	return w
}

// width is how wide the cell shows in a column of kind k.
func (c *cell) width(k kind) int {
	switch c.v {
	case vStr:
		if k == kLong {
			// Long text wraps: measure its longest line.
			w := 0
			for line := range strings.SplitSeq(c.s, "\n") {
				w = max(w, textWidth(line))
			}
			return w
		}
		return textWidth(c.s)
	case vInt:
		return len(strconv.FormatInt(c.n, 10))
	case vMoney:
		if k == kWan {
			return len(wanText(monitor.Money(c.n))) + 2
		}
		return len(monitor.Money(c.n).String()) + len(monitor.Money(c.n).String())/4
	case vDay:
		if k == kMonth {
			return 7
		}
		return 10
	case vFloat:
		return len(strconv.FormatFloat(c.f, 'f', -1, 64)) + 1
	}
	return 0
}

// xlsxValue is the cell's value for excelize.
func (c *cell) xlsxValue(k kind) any {
	switch c.v {
	case vStr:
		return c.s
	case vInt, vDay:
		return c.n
	case vMoney:
		if k == kWan {
			return wanFloat(monitor.Money(c.n))
		}
		return float64(c.n) / 100
	case vFloat:
		return c.f
	}
	return nil
}

// csvValue is the cell's value as CSV text. Text that a spreadsheet would
// take for a formula gets a leading apostrophe (the usual CSV-injection
// guard): CSV has no cell types to keep it text.
func (c *cell) csvValue(k kind) string {
	switch c.v {
	case vStr:
		return csvSafe(c.s)
	case vInt:
		return strconv.FormatInt(c.n, 10)
	case vMoney:
		if k == kWan {
			return wanText(monitor.Money(c.n))
		}
		return monitor.Money(c.n).String()
	case vDay:
		d := dateOfSerial(c.n)
		if k == kMonth {
			return d.String()[:7]
		}
		return d.String()
	case vFloat:
		return strconv.FormatFloat(c.f, 'f', -1, 64)
	}
	return ""
}

// csvSafe defuses text that Excel would read as a formula when it opens a
// CSV file.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// dateOfSerial turns an Excel serial day back into a date (Hinnant's
// civil_from_days).
func dateOfSerial(n int64) monitor.Date {
	z := int(n) + excelEpoch + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return monitor.Date{Year: y, Month: m, Day: d}
}

// wanFloat is an amount in 万元, to the yuan (four decimals).
func wanFloat(m monitor.Money) float64 {
	return float64(roundFenToYuan(int64(m))) / 10000
}

// roundFenToYuan rounds fen to whole yuan, half away from zero.
func roundFenToYuan(fen int64) int64 {
	if fen < 0 {
		return -((-fen + 50) / 100)
	}
	return (fen + 50) / 100
}

// wanText writes an amount in 万元 to the yuan with no trailing zeros, as
// a work review does: 2,300,000 yuan → "230", 13,700,000 → "1370",
// 23,000 → "2.3".
func wanText(m monitor.Money) string {
	yuan := roundFenToYuan(int64(m))
	sign := ""
	if yuan < 0 {
		sign, yuan = "-", -yuan
	}
	s := sign + strconv.FormatInt(yuan/10000, 10)
	if frac := yuan % 10000; frac != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(10000+frac, 10)[1:], "0")
	}
	return s
}

// ratio is a/b, or NaN when b is 0 (no rate to show).
func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}
