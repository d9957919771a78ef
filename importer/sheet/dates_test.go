package sheet

import (
	"fmt"
	"math"
	"testing"
)

func TestDateFromSerial(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		y, m, d  int
		ok       bool
	}{
		{1, false, 1900, 1, 1, true},
		{59, false, 1900, 2, 28, true},
		{60, false, 1900, 2, 29, false}, // the Lotus 1-2-3 leap day that never was
		{61, false, 1900, 3, 1, true},
		{44607, false, 2022, 2, 15, true},
		{44607.999, false, 2022, 2, 15, true},
		{45292, false, 2024, 1, 1, true},
		{2958465, false, 9999, 12, 31, true},
		{0, true, 1904, 1, 1, true},
		{43145, true, 2022, 2, 15, true},
		{0, false, 0, 0, 0, false},
		{-1, false, 0, 0, 0, false},
		{2958466, false, 0, 0, 0, false},
		{math.NaN(), false, 0, 0, 0, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%v_is_%04d-%02d-%02d", tt.serial, tt.y, tt.m, tt.d)
		if tt.date1904 {
			name += "_in_1904_system"
		}
		if !tt.ok {
			name = fmt.Sprintf("%v_is_not_a_date", tt.serial)
		}
		t.Run(name, func(t *testing.T) {
			y, m, d, ok := DateFromSerial(tt.serial, tt.date1904)
			if ok != tt.ok || (tt.ok && (y != tt.y || m != tt.m || d != tt.d)) {
				t.Errorf("DateFromSerial(%v, %v) = %d-%d-%d %v, want %d-%d-%d %v",
					tt.serial, tt.date1904, y, m, d, ok, tt.y, tt.m, tt.d, tt.ok)
			}
		})
	}
}

func TestISOToSerial(t *testing.T) {
	tests := []struct {
		in       string
		date1904 bool
		want     string
		ok       bool
	}{
		{"2022-02-15", false, "44607", true},
		{"2022-02-15T06:00:00", false, "44607.25", true},
		{"2022-02-15T00:00:00+08:00", false, "44607", true},
		{"1900-01-01", false, "1", true},
		{"1900-03-01", false, "61", true},
		{"1904-01-01", true, "0", true},
		{"2022-02-15", true, "43145", true},
		{"15/02/2022", false, "", false},
	}
	for _, tt := range tests {
		name := tt.in + "_is_" + tt.want
		if !tt.ok {
			name = tt.in + "_is_rejected"
		}
		t.Run(name, func(t *testing.T) {
			got, ok := isoToSerial(tt.in, tt.date1904)
			if got != tt.want || ok != tt.ok {
				t.Errorf("isoToSerial(%q) = %q %v", tt.in, got, ok)
			}
		})
	}
}

func TestIsDateFormat(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{`yyyy"年"m"月"d"日"`, true},
		{`[$-804]yyyy/m/d`, true},
		{`[DBNum1][$-804]yyyy"年"m"月"d"日"`, true},
		{`YYYY-MM-DD`, true},
		{`h:mm:ss AM/PM`, true},
		{`[h]:mm`, true},
		{`mmm-yy`, true},
		{`General`, false},
		{`0.00"天"`, false},
		{`"截至"0"日"`, false},
		{`[Red]#,##0`, false},
		{`0.00E+00`, false},
		{`#,##0.00_);[Red]\(#,##0.00\)`, false},
		{`_-* #,##0_-;\-* #,##0_-;_-* "-"_-;_-@_-`, false},
		{`\d0`, false},
		{`@`, false},
	}
	for _, tt := range tests {
		name := "date_" + tt.code
		if !tt.want {
			name = "not_date_" + tt.code
		}
		t.Run(name, func(t *testing.T) {
			if got := isDateFormat(tt.code); got != tt.want {
				t.Errorf("isDateFormat(%q) = %v", tt.code, got)
			}
		})
	}
}
