package monitor

import (
	"math"
	"testing"
)

func TestCheckNumber(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"OK", 3.45, true}, {"OKBound", 36, true}, {"ErrNaN", math.NaN(), false}, {"ErrInf", math.Inf(1), false},
		{"ErrNegInf", math.Inf(-1), false}, {"ErrAbove", 36.01, false}, {"ErrBelow", -0.01, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNumber("贷款利率", tt.v, 0, 36)
			if got := err == nil; got != tt.ok {
				t.Fatalf("CheckNumber(%v) = %v", tt.v, err)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Fatalf("code %s", ErrorCode(err))
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
		multiline      bool
	}{
		{"Plain", "陆华", "陆华", false},
		{"NUL", "陆\x00华", "陆华", false},
		{"ExcelNUL", "陆_x0000_华", "陆华", false},
		{"Escape", "\x1b[31m陆华\x1b[0m", "[31m陆华[0m", false},
		{"DELAndC1", "陆\x7f华\u0085", "陆华", false},
		{"TabKept", "a\tb", "a\tb", false},
		{"NewlineDroppedInName", "a\nb", "ab", false},
		{"NewlineKeptInNote", "a\r\nb", "a\r\nb", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in, tt.multiline); got != tt.want {
				t.Fatalf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoanValidateRefusesNaN(t *testing.T) {
	l := Loan{BorrowerIDNumber: "500119195610231938", Amount: Yuan(50000), IssueDate: Date{2022, 3, 1}, TermMonths: 36, RatePct: math.NaN(), Purpose: "养殖", BorrowerName: "陆\x00华"}
	if err := l.Validate(); err == nil {
		t.Fatal("a NaN rate was accepted")
	}
	if l.BorrowerName != "陆华" {
		t.Fatalf("name not cleaned: %q", l.BorrowerName)
	}
	l.RatePct = 3.45
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
}
