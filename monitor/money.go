package monitor

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in fen (1/100 yuan). Amounts are never floats: a ledger
// must add up to the fen.
type Money int64

// Yuan builds Money from whole yuan.
func Yuan(y int64) Money { return Money(y * 100) }

// Float returns the amount in yuan as a float, for display and charts only.
func (m Money) Float() float64 { return float64(m) / 100 }

// String formats the amount in yuan with two decimals and no grouping,
// e.g. "13425.50".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Value stores Money as its integer fen.
func (m Money) Value() (driver.Value, error) { return int64(m), nil }

var moneyCleaner = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", " ", "")

// ParseMoney reads an amount as the field writes it: "13425.5", "1,234.00",
// "５０００元", "¥300", "2.3万元". scale multiplies the number (10000 when the
// column header says 万元). Amounts are rounded half away from zero to the fen.
func ParseMoney(s string, scale int64) (Money, error) {
	t := NormalizeText(s)
	t = moneyCleaner.Replace(t)
	if strings.HasSuffix(t, "万元") {
		t, scale = strings.TrimSuffix(t, "万元"), scale*10000
	} else if strings.HasSuffix(t, "元") {
		t = strings.TrimSuffix(t, "元")
	} else if strings.HasSuffix(t, "万") {
		t, scale = strings.TrimSuffix(t, "万"), scale*10000
	}
	if t == "" {
		return 0, fmt.Errorf("empty amount")
	}
	if scale <= 0 {
		scale = 1
	}
	return parseDecimalFen(t, scale)
}

// parseDecimalFen turns a decimal string into fen × scale exactly, without
// going through float64 (which would turn 0.29 into 28 fen).
func parseDecimalFen(t string, scale int64) (Money, error) {
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	if strings.ContainsAny(t, "eE") {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return 0, err
		}
		t = strconv.FormatFloat(f, 'f', -1, 64)
	}
	intPart, frac, _ := strings.Cut(t, ".")
	if intPart == "" && frac == "" {
		return 0, fmt.Errorf("not a number")
	}
	if intPart == "" {
		intPart = "0"
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("not a number")
		}
	}
	// Work in units of 1e-6 yuan so scale×fraction stays exact; digits past
	// the sixth decimal are far below a fen and dropped.
	const micro = 1000000
	for len(frac) < 6 {
		frac += "0"
	}
	ip, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, err
	}
	fp, _ := strconv.ParseInt(frac[:6], 10, 64)
	if ip > (1<<62)/(micro*scale) {
		return 0, fmt.Errorf("amount too large")
	}
	totalMicro := (ip*micro + fp) * scale
	fen := (totalMicro + micro/200) / (micro / 100)
	if neg {
		fen = -fen
	}
	return Money(fen), nil
}
