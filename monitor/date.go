package monitor

import (
	"database/sql/driver"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date with no time zone. The zero Date means "unknown".
type Date struct {
	Year  int
	Month int
	Day   int
}

// NewDate builds a Date, returning ok=false for impossible dates.
func NewDate(y, m, d int) (Date, bool) {
	if y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), int(t.Month()), t.Day()} }

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// String formats the date as YYYY-MM-DD, or "" when unknown.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// Compare returns -1, 0 or 1.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(d.Month - e.Month)
	default:
		return sign(d.Day - e.Day)
	}
}

func sign(i int) int {
	if i < 0 {
		return -1
	} else if i > 0 {
		return 1
	}
	return 0
}

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysUntil returns the number of days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.Time().Sub(d.Time()).Hours() / 24) }

// Value writes 'YYYY-MM-DD' (or NULL): a time.Time in an SQLite DATE column
// would break comparisons.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a DATE column from either engine.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v.UTC())
		return nil
	case []byte:
		return d.Scan(string(v))
	case string:
		p, err := ParseISODate(v)
		*d = p
		return err
	}
	return fmt.Errorf("monitor.Date: cannot scan %T", src)
}

// ParseISODate reads YYYY-MM-DD (a longer timestamp is cut to its date).
func ParseISODate(s string) (Date, error) {
	if len(s) >= 10 {
		s = s[:10]
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("bad date %q", s)
	}
	return DateOf(t), nil
}

// YearMonth is a month such as the 识别监测时间 (YYYYMM in national exports).
type YearMonth struct {
	Year  int
	Month int
}

// IsZero reports whether the month is unknown.
func (ym YearMonth) IsZero() bool { return ym.Year == 0 }

// String formats as YYYYMM, the form the national system uses, or "".
func (ym YearMonth) String() string {
	if ym.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d%02d", ym.Year, ym.Month)
}

// FirstDay returns the first day of the month.
func (ym YearMonth) FirstDay() Date { return Date{ym.Year, ym.Month, 1} }

// Value stores the month as 'YYYYMM' text, which sorts and compares correctly.
func (ym YearMonth) Value() (driver.Value, error) {
	if ym.IsZero() {
		return nil, nil
	}
	return ym.String(), nil
}

// Scan reads 'YYYYMM'.
func (ym *YearMonth) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*ym = YearMonth{}
		return nil
	case []byte:
		return ym.Scan(string(v))
	case string:
		p, ok := parseYYYYMM(v)
		if !ok {
			return fmt.Errorf("bad year-month %q", v)
		}
		*ym = p
		return nil
	}
	return fmt.Errorf("monitor.YearMonth: cannot scan %T", src)
}

func parseYYYYMM(s string) (YearMonth, bool) {
	if len(s) != 6 {
		return YearMonth{}, false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[4:])
	if err1 != nil || err2 != nil || y < 1900 || y > 2200 || m < 1 || m > 12 {
		return YearMonth{}, false
	}
	return YearMonth{y, m}, true
}

var (
	reYMD = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	reYM  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$`)
	re8   = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// ParseDateText reads a date as staff write it: 2022-03-15, 2022/3/15,
// 2022.3.15, 2022年3月15日, 20220315. A month alone (202203, 2022.03,
// 2022年3月) gives monthOnly=true and day 1.
func ParseDateText(s string) (d Date, monthOnly bool, err error) {
	t := NormalizeText(s)
	t = strings.TrimSuffix(strings.TrimSuffix(t, " 00:00:00"), "T00:00:00")
	if m := reYMD.FindStringSubmatch(t); m != nil {
		return dateFromParts(s, m[1], m[2], m[3], false)
	}
	if m := re8.FindStringSubmatch(t); m != nil {
		return dateFromParts(s, m[1], m[2], m[3], false)
	}
	if m := reYM.FindStringSubmatch(t); m != nil {
		return dateFromParts(s, m[1], m[2], "1", true)
	}
	if ym, ok := parseYYYYMM(t); ok {
		return ym.FirstDay(), true, nil
	}
	return Date{}, false, fmt.Errorf("unrecognised date %q", s)
}

func dateFromParts(orig, ys, ms, ds string, monthOnly bool) (Date, bool, error) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	dd, _ := strconv.Atoi(ds)
	d, ok := NewDate(y, m, dd)
	if !ok {
		return Date{}, false, fmt.Errorf("impossible date %q", orig)
	}
	return d, monthOnly, nil
}
