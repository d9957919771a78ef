package sheet

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// isBuiltinDate reports whether a built-in number format id is a date or
// time: 14-22 are the international ones, 27-36 and 50-58 the East Asian
// ones (年月日 forms that Chinese Excel and WPS use), 45-47 times.
func isBuiltinDate(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
		(id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

// isDateFormat reports whether a custom format code shows a date or time:
// it has y, m, d, h or s outside quoted literals, [brackets] (colours,
// conditions, locales), and the characters after \ (escape), _ (padding) and *
// (fill). So yyyy"年"m"月"d"日" and [$-804]yyyy/m/d are dates, while
// 0.00"天", [Red]#,##0 and 0.00E+00 are not.
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// Day numbers: Excel's 1900 system counts 1900-01-01 as 1 and, copying a
// Lotus 1-2-3 bug, has a 1900-02-29 as 60; so from 61 (1900-03-01) on, serial n
// is n days after 1899-12-30. The 1904 system counts 1904-01-01 as 0.
var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxSerial1900 is 9999-12-31, the last day Excel can show.
const maxSerial1900 = 2958465

// DateFromSerial converts an Excel date serial to a calendar date, ignoring
// any time of day. date1904 selects the 1904 date system (Book.Date1904).
// In the 1900 system serial 60 is the non-existent 1900-02-29 that Excel
// shows after Lotus 1-2-3: it returns 1900, 2, 29 with ok false. ok is also
// false for serials Excel cannot show as a date (below 1, or 0 in the 1904
// system; after 9999-12-31; NaN).
func DateFromSerial(serial float64, date1904 bool) (y, m, d int, ok bool) {
	if math.IsNaN(serial) || serial < 0 || serial >= maxSerial1900+1 {
		return 0, 0, 0, false
	}
	n := int(math.Floor(serial))
	var t time.Time
	switch {
	case date1904:
		t = epoch1904.AddDate(0, 0, n)
	case n == 0:
		return 0, 0, 0, false
	case n == 60:
		return 1900, 2, 29, false
	case n < 60:
		t = epoch1900.AddDate(0, 0, n+1)
	default:
		t = epoch1900.AddDate(0, 0, n)
	}
	if t.Year() > 9999 {
		return 0, 0, 0, false
	}
	return t.Year(), int(t.Month()), t.Day(), true
}

// isoLayouts are the ISO 8601 forms found in t="d" cells.
var isoLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
}

// isoToSerial converts the ISO 8601 text of a t="d" cell to the serial in the
// workbook's date system, formatted like Excel writes numbers ("44607",
// "44607.5"). The wall-clock time is used as is; a zone offset is ignored,
// since Excel has no time zones.
func isoToSerial(s string, date1904 bool) (string, bool) {
	s = strings.TrimSpace(s)
	var t time.Time
	ok := false
	for _, layout := range isoLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			t, ok = v, true
			break
		}
	}
	if !ok {
		return "", false
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	frac := float64(t.Hour()*3600+t.Minute()*60+t.Second())/86400 + float64(t.Nanosecond())/86400e9
	var days int
	if date1904 {
		days = int((day.Unix() - epoch1904.Unix()) / 86400)
	} else {
		days = int((day.Unix() - epoch1900.Unix()) / 86400)
		if days < 61 { // before 1900-03-01 Excel is one day off (the fake 1900-02-29)
			days--
		}
	}
	if days < 0 {
		return "", false
	}
	return strconv.FormatFloat(float64(days)+frac, 'f', -1, 64), true
}
