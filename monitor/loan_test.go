package monitor

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// loanDate parses YYYY-MM-DD for test tables.
func loanDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseISODate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// loanPay is a repayment of principal only.
func loanPay(t testing.TB, on string, principal Money) Repayment {
	return Repayment{Date: loanDate(t, on), Principal: principal}
}

// loanBase is 50,000 yuan at 3.45% for 12 months from 2023-03-15, interest
// only (mode left blank as most ledgers do), so it matures 2024-03-15.
func loanBase(t testing.TB, reps ...Repayment) Loan {
	return Loan{
		Product: ProductMicro, Amount: Yuan(50000), RatePct: 3.45, TermMonths: 12,
		IssueDate: loanDate(t, "2023-03-15"), Repayments: reps,
	}
}

// loanMonthly is 12,000 yuan at 3.6% (0.3% a month) in 12 equal-principal
// instalments from 2023-01-10: 1,000 principal due on the 10th of each month
// from 2023-02-10 to 2024-01-10. The borrower pays February, misses March,
// pays 1,000 in April and catchUp in May (2,000 clears the arrears), then
// 1,000 every month through 2024-01-10.
func loanMonthly(t testing.TB, catchUp Money) Loan {
	reps := []Repayment{
		loanPay(t, "2023-02-10", Yuan(1000)),
		loanPay(t, "2023-04-10", Yuan(1000)),
		loanPay(t, "2023-05-10", catchUp),
	}
	for _, on := range []string{"2023-06-10", "2023-07-10", "2023-08-10", "2023-09-10",
		"2023-10-10", "2023-11-10", "2023-12-10", "2024-01-10"} {
		reps = append(reps, loanPay(t, on, Yuan(1000)))
	}
	return Loan{
		Product: ProductMicro, Amount: Yuan(12000), RatePct: 3.6, TermMonths: 12,
		Mode: ModeEqualPrincipal, IssueDate: loanDate(t, "2023-01-10"), Repayments: reps,
	}
}

// loanAnnuity is 50,000 yuan at 3.45% over 36 months from 2023-01-15, 等额本息.
func loanAnnuity(t testing.TB, reps ...Repayment) Loan {
	return Loan{
		Product: ProductMicro, Amount: Yuan(50000), RatePct: 3.45, TermMonths: 36,
		Mode: ModeAnnuity, IssueDate: loanDate(t, "2023-01-15"), Repayments: reps,
	}
}

func TestLoanMaturity(t *testing.T) {
	tests := []struct {
		name string
		loan Loan
		want string
	}{
		{"extension wins over recorded maturity and term",
			Loan{IssueDate: loanDate(t, "2021-03-15"), TermMonths: 36,
				MaturityDate: loanDate(t, "2024-03-15"), ExtendedTo: loanDate(t, "2025-03-15")},
			"2025-03-15"},
		{"recorded maturity wins over term",
			Loan{IssueDate: loanDate(t, "2021-03-15"), TermMonths: 36, MaturityDate: loanDate(t, "2024-03-14")},
			"2024-03-14"},
		// January has 31 days, February 2021 only 28: clamp to the month's end.
		{"term only clamps Jan 31 to Feb 28",
			Loan{IssueDate: loanDate(t, "2021-01-31"), TermMonths: 1}, "2021-02-28"},
		// 2023-08 + 6 months = 2024-02; 2024 is a leap year, so the 31st clamps to the 29th.
		{"term only clamps to Feb 29 in a leap year",
			Loan{IssueDate: loanDate(t, "2023-08-31"), TermMonths: 6}, "2024-02-29"},
		// 36 months = 3 years: 2021 + 3 = 2024, same day.
		{"term only keeps the day of month",
			Loan{IssueDate: loanDate(t, "2021-03-15"), TermMonths: 36}, "2024-03-15"},
		{"unknown without maturity or term",
			Loan{IssueDate: loanDate(t, "2021-03-15")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.loan.Maturity().String(); got != tt.want {
				t.Errorf("Maturity() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoanBalance(t *testing.T) {
	// Issued 2023-03-01 for 50,000.00. Repayments listed out of order on
	// purpose: an interest-only payment on 06-01, 10,000 principal on
	// 09-01, 15,000.50 on 2024-03-01 and an overpayment of 30,000 on
	// 2024-06-01 (a ledger typo the balance must not turn negative on).
	l := Loan{Amount: Yuan(50000), IssueDate: loanDate(t, "2023-03-01"), Repayments: []Repayment{
		loanPay(t, "2024-03-01", Money(1500050)),
		{Date: loanDate(t, "2023-09-01"), Principal: Yuan(10000), Interest: Money(86250)},
		{Date: loanDate(t, "2023-06-01"), Interest: Money(43125)},
		loanPay(t, "2024-06-01", Yuan(30000)),
	}}
	tests := []struct {
		name   string
		asOf   string
		want   string
		active bool
	}{
		{"zero before the loan is issued", "2023-02-28", "0.00", false},
		{"full amount on the issue day", "2023-03-01", "50000.00", true},
		{"interest-only payment leaves the balance", "2023-08-31", "50000.00", true},
		{"first principal repayment counts on its day", "2023-09-01", "40000.00", true}, // 50,000 − 10,000
		{"second partial repayment to the fen", "2024-03-01", "24999.50", true},         // 40,000 − 15,000.50
		{"overpayment floors at zero", "2024-06-01", "0.00", false},                     // 24,999.50 − 30,000 < 0
		{"still zero long after", "2026-01-01", "0.00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asOf := loanDate(t, tt.asOf)
			if got := l.Balance(asOf).String(); got != tt.want {
				t.Errorf("Balance = %s, want %s", got, tt.want)
			}
			if got := l.Active(asOf); got != tt.active {
				t.Errorf("Active = %v, want %v", got, tt.active)
			}
		})
	}
	t.Run("principal paid sums every principal up to the date", func(t *testing.T) {
		// 10,000 + 15,000.50 + 30,000 = 55,000.50
		if got := l.PrincipalPaid(loanDate(t, "2024-06-01")).String(); got != "55000.50" {
			t.Errorf("PrincipalPaid = %s, want 55000.50", got)
		}
	})
}

func TestLoanDaysOverdue(t *testing.T) {
	extended := loanBase(t)
	extended.ExtendedTo = loanDate(t, "2025-03-15")
	tests := []struct {
		name string
		loan Loan
		asOf string
		want int
	}{
		// Interest only, maturity 2024-03-15.
		{"not overdue before maturity", loanBase(t), "2024-03-14", 0},
		{"not overdue on the maturity day", loanBase(t), "2024-03-15", 0},
		{"repaid in full on the due date is never overdue",
			loanBase(t, loanPay(t, "2024-03-15", Yuan(50000))), "2024-03-16", 0},
		// Paid on 03-16: seen on 03-16 before the payment is posted the
		// loan is 1 day overdue (03-16 − 03-15); once posted it is 0.
		{"repaid the day after is 1 day overdue until the payment posts", loanBase(t), "2024-03-16", 1},
		{"repaid the day after is clear once paid",
			loanBase(t, loanPay(t, "2024-03-16", Yuan(50000))), "2024-03-16", 0},
		{"repaid the day after stays clear",
			loanBase(t, loanPay(t, "2024-03-16", Yuan(50000))), "2024-04-30", 0},
		// 30,000 of 50,000 paid at maturity: overdue from 03-16.
		// 03-16 → 1; 04-15 → 16 days left in March (16..31) + 15 = 31.
		{"partial repayment at maturity is overdue from the next day",
			loanBase(t, loanPay(t, "2024-03-15", Yuan(30000))), "2024-03-16", 1},
		{"partial repayment at maturity keeps ageing",
			loanBase(t, loanPay(t, "2024-03-15", Yuan(30000))), "2024-04-15", 31},
		// Extended from 2024-03-15 to 2025-03-15.
		{"extension is not overdue after the original maturity", extended, "2024-03-16", 0},
		{"extension is not overdue on the new maturity", extended, "2025-03-15", 0},
		{"extension is overdue the day after the new maturity", extended, "2025-03-16", 1},
		{"nothing overdue before issue", loanBase(t), "2023-01-01", 0},
		{"no maturity means nothing can be overdue",
			Loan{Amount: Yuan(1000), IssueDate: loanDate(t, "2020-01-01")}, "2024-01-01", 0},

		// Equal principal, 1,000 due on the 10th of each month; March missed.
		{"instalment paid on its due date is on time", loanMonthly(t, Yuan(2000)), "2023-02-11", 0},
		{"missed instalment is not overdue on its due date", loanMonthly(t, Yuan(2000)), "2023-03-10", 0},
		// Paid 1,000; cumulative due by 03-10 is 2,000 > 1,000 → due 03-10, so 03-11 is day 1.
		{"missed month is overdue the day after", loanMonthly(t, Yuan(2000)), "2023-03-11", 1},
		// 03-10 → 04-09: 21 days left in March + 9 = 30.
		{"missed month ages to 30 days", loanMonthly(t, Yuan(2000)), "2023-04-09", 30},
		// Paid 2,000 by 04-10 covers Feb and March (cumulative 2,000);
		// April's 1,000 (cumulative 3,000) is due that very day.
		{"late payment clears the old instalment on its date", loanMonthly(t, Yuan(2000)), "2023-04-10", 0},
		// April's instalment (due 04-10) is now the oldest unpaid one.
		{"one instalment behind counts from the next due date", loanMonthly(t, Yuan(2000)), "2023-04-11", 1},
		// 04-10 → 05-09: 20 + 9 = 29.
		{"one instalment behind ages to 29 days", loanMonthly(t, Yuan(2000)), "2023-05-09", 29},
		// Paid 1,000 + 1,000 + 2,000 = 4,000 = cumulative due through May.
		{"double payment clears the arrears", loanMonthly(t, Yuan(2000)), "2023-05-11", 0},
		{"caught-up loan ends repaid", loanMonthly(t, Yuan(2000)), "2024-01-11", 0},
		// Without the catch-up the borrower paid 11 × 1,000 = 11,000 by
		// 2024-01-10 against 12,000 due then: 2024-01-11 is day 1 and
		// 2024-02-10 is day 31 (21 days left in January + 10).
		{"never caught up is overdue after the last instalment", loanMonthly(t, Yuan(1000)), "2024-01-11", 1},
		{"never caught up keeps ageing", loanMonthly(t, Yuan(1000)), "2024-02-10", 31},

		// Annuity: the first instalment (due 2023-02-15) holds 1,320.25
		// principal (see TestLoanScheduleAnnuity).
		{"annuity first instalment unpaid is overdue the day after", loanAnnuity(t), "2023-02-16", 1},
		{"annuity first instalment's principal paid on time",
			loanAnnuity(t, loanPay(t, "2023-02-15", Money(132025))), "2023-02-16", 0},
		{"annuity one fen short is overdue",
			loanAnnuity(t, loanPay(t, "2023-02-15", Money(132024))), "2023-02-16", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.loan.DaysOverdue(loanDate(t, tt.asOf)); got != tt.want {
				t.Errorf("DaysOverdue(%s) = %d, want %d", tt.asOf, got, tt.want)
			}
		})
	}
}

func TestLoanScheduleInterestOnly(t *testing.T) {
	// 50,000 at 3.45% is 5,000,000 fen × 0.0345 = 172,500 fen a 360-day year.
	// Quarters from 2023-03-15 (actual days, first day in, last day out):
	//   03-15 → 06-15: 16 + 30 + 31 + 15 = 92 → 172,500 × 92 / 360 = 44,083.33 → 440.83
	//   06-15 → 09-15: 15 + 31 + 31 + 15 = 92 → 440.83
	//   09-15 → 12-15: 15 + 31 + 30 + 15 = 91 → 172,500 × 91 / 360 = 43,604.17 → 436.04
	//   12-15 → 2024-03-15: 16 + 31 + 29 + 15 = 91 (2024 is leap) → 436.04, with the principal.
	want := []struct {
		due                 string
		principal, interest string
	}{
		{"2023-06-15", "0.00", "440.83"},
		{"2023-09-15", "0.00", "440.83"},
		{"2023-12-15", "0.00", "436.04"},
		{"2024-03-15", "50000.00", "436.04"},
	}
	t.Run("quarterly interest by actual days and principal at maturity", func(t *testing.T) {
		l := loanBase(t)
		l.Mode = ModeInterestOnly
		got := l.Schedule()
		if len(got) != len(want) {
			t.Fatalf("got %d instalments, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.Due.String() != w.due || g.Principal.String() != w.principal || g.Interest.String() != w.interest {
				t.Errorf("instalment %d = %s %s %s, want %s %s %s", i+1,
					g.Due, g.Principal, g.Interest, w.due, w.principal, w.interest)
			}
		}
	})
	t.Run("yearly interest is one period of 366 days", func(t *testing.T) {
		// 172,500 × 366 / 360 = 175,375 fen exactly.
		l := loanBase(t)
		l.InterestEveryMonths = 12
		got := l.Schedule()
		if len(got) != 1 || got[0].Interest != 175375 || got[0].Principal != Yuan(50000) {
			t.Errorf("Schedule = %+v, want one instalment of 50000.00 + 1753.75", got)
		}
	})
	t.Run("extension carries the interest periods to the new maturity", func(t *testing.T) {
		// 2023-03-15 → 2025-03-15 in quarters: 8 periods.
		l := loanBase(t)
		l.ExtendedTo = loanDate(t, "2025-03-15")
		got := l.Schedule()
		if len(got) != 8 || got[7].Due.String() != "2025-03-15" || got[7].Principal != Yuan(50000) {
			t.Errorf("Schedule = %+v, want 8 quarters ending 2025-03-15 with the principal", got)
		}
	})
}

func TestLoanScheduleAnnuity(t *testing.T) {
	// r = 3.45% / 12 = 0.002875, n = 36.
	// ln(1.002875) = 0.002875 − 0.002875²/2 + 0.002875³/3 = 0.0028708751
	// × 36 = 0.1033515; e^0.1033515 = 1.1088811 = (1+r)^n
	// payment = 50,000 × r × 1.1088811 / (1.1088811 − 1)
	//         = 143.75 × 10.184330 = 1,463.9973 → 1,464.00
	// month 1: interest 50,000 × 0.002875 = 143.75, principal 1,464.00 − 143.75 = 1,320.25
	// month 2: interest 48,679.75 × 0.002875 = 139.954 → 139.95, principal 1,324.05
	annuity := loanAnnuity(t)
	got := annuity.Schedule()
	t.Run("has 36 monthly instalments ending at maturity", func(t *testing.T) {
		if len(got) != 36 {
			t.Fatalf("got %d instalments", len(got))
		}
		if got[0].Due.String() != "2023-02-15" || got[35].Due.String() != "2026-01-15" {
			t.Errorf("due dates %s … %s, want 2023-02-15 … 2026-01-15", got[0].Due, got[35].Due)
		}
	})
	t.Run("first payment is 1464.00 split 1320.25 principal 143.75 interest", func(t *testing.T) {
		if got[0].Principal != 132025 || got[0].Interest != 14375 {
			t.Errorf("first = %s + %s", got[0].Principal, got[0].Interest)
		}
		if got[1].Principal != 132405 || got[1].Interest != 13995 {
			t.Errorf("second = %s + %s, want 1324.05 + 139.95", got[1].Principal, got[1].Interest)
		}
	})
	t.Run("every payment but the last is 1464.00", func(t *testing.T) {
		for i, in := range got[:35] {
			if in.Principal+in.Interest != 146400 {
				t.Errorf("instalment %d = %s", i+1, in.Principal+in.Interest)
			}
		}
		// The last one absorbs the rounding: within a yuan of the others.
		last := got[35].Principal + got[35].Interest
		if last < 146300 || last > 146500 {
			t.Errorf("last instalment = %s, want about 1464.00", last)
		}
	})
	t.Run("principal sums to the amount", func(t *testing.T) {
		var sum Money
		for _, in := range got {
			sum += in.Principal
		}
		if sum != Yuan(50000) {
			t.Errorf("principal sum = %s, want 50000.00", sum)
		}
	})
}

func TestLoanScheduleEqualPrincipal(t *testing.T) {
	t.Run("equal principal with falling interest", func(t *testing.T) {
		// 12,000 / 12 = 1,000 a month; interest 0.3% of what is outstanding:
		// 12,000 × 0.003 = 36.00, then 33.00, 30.00 … 3.00.
		l := loanMonthly(t, 0)
		got := l.Schedule()
		if len(got) != 12 {
			t.Fatalf("got %d instalments", len(got))
		}
		for i, in := range got {
			wantInterest := Money(3600 - 300*i)
			if in.Principal != Yuan(1000) || in.Interest != wantInterest {
				t.Errorf("instalment %d = %s + %s, want 1000.00 + %s", i+1, in.Principal, in.Interest, wantInterest)
			}
		}
		if got[0].Due.String() != "2023-02-10" || got[11].Due.String() != "2024-01-10" {
			t.Errorf("due dates %s … %s", got[0].Due, got[11].Due)
		}
	})
	t.Run("remainder goes to the last instalment", func(t *testing.T) {
		// 10,000.00 / 3 = 3,333.33 twice, last 10,000.00 − 6,666.66 = 3,333.34.
		// Interest: 10,000 × 0.003 = 30.00; 6,666.67 × 0.003 = 20.00001 → 20.00;
		// 3,333.34 × 0.003 = 10.00002 → 10.00.
		l := Loan{Amount: Yuan(10000), RatePct: 3.6, TermMonths: 3, Mode: ModeEqualPrincipal,
			IssueDate: loanDate(t, "2024-01-31")}
		got := l.Schedule()
		want := []struct{ due, p, i string }{
			{"2024-02-29", "3333.33", "30.00"}, // Jan 31 + 1 month, leap February
			{"2024-03-31", "3333.33", "20.00"},
			{"2024-04-30", "3333.34", "10.00"},
		}
		if len(got) != 3 {
			t.Fatalf("got %+v", got)
		}
		for k, w := range want {
			if got[k].Due.String() != w.due || got[k].Principal.String() != w.p || got[k].Interest.String() != w.i {
				t.Errorf("instalment %d = %s %s %s, want %s %s %s", k+1,
					got[k].Due, got[k].Principal, got[k].Interest, w.due, w.p, w.i)
			}
		}
	})
	t.Run("term derived from dates when the ledger leaves it blank", func(t *testing.T) {
		// 2021-03-15 → 2024-03-14 is 35 whole months and a bit: 36 instalments.
		l := Loan{Amount: Yuan(36000), Mode: ModeEqualPrincipal,
			IssueDate: loanDate(t, "2021-03-15"), MaturityDate: loanDate(t, "2024-03-14")}
		got := l.Schedule()
		if len(got) != 36 || got[35].Due.String() != "2024-03-14" || got[0].Principal != Yuan(1000) {
			t.Errorf("got %d instalments, last %+v", len(got), got[len(got)-1])
		}
	})
}

func TestBucket(t *testing.T) {
	tests := []struct {
		days int
		want string
	}{
		{-3, ""}, {0, ""}, {1, "1-30"}, {30, "1-30"}, {31, "31-90"}, {90, "31-90"},
		{91, "91-180"}, {180, "91-180"}, {181, ">180"}, {2000, ">180"},
	}
	for _, tt := range tests {
		name := tt.want
		if name == "" {
			name = "not overdue"
		}
		t.Run(strconv.Itoa(tt.days)+" days is "+name, func(t *testing.T) {
			if got := Bucket(tt.days); got != tt.want {
				t.Errorf("Bucket(%d) = %q, want %q", tt.days, got, tt.want)
			}
		})
	}
}

func TestPAR(t *testing.T) {
	mk := func(amount int64, issue, maturity string, reps ...Repayment) Loan {
		return Loan{Product: ProductMicro, Amount: Yuan(amount), RatePct: 3.45,
			IssueDate: loanDate(t, issue), MaturityDate: loanDate(t, maturity), Repayments: reps}
	}
	// As of 2024-06-30:
	//   A 50,000 matured 2024-03-15 unpaid: 16 (Mar 16–31) + 30 + 31 + 30 = 107 days
	//   B 30,000 matured 2024-05-31 unpaid: 30 days (all of June)
	//   C 20,000 matured 2024-05-30 unpaid: 31 days
	//   D 100,000 maturing 2025-01-10: current
	//   E 40,000 repaid in full: no balance
	//   F 50,000 issued 2024-07-01: not yet a loan
	// outstanding = 50,000 + 30,000 + 20,000 + 100,000 = 200,000
	loans := []Loan{
		mk(50000, "2023-03-15", "2024-03-15"),
		mk(30000, "2023-05-31", "2024-05-31"),
		mk(20000, "2023-05-30", "2024-05-30"),
		mk(100000, "2024-01-10", "2025-01-10"),
		mk(40000, "2023-01-01", "2024-01-01", loanPay(t, "2024-01-01", Yuan(40000))),
		mk(50000, "2024-07-01", "2025-07-01"),
	}
	asOf := loanDate(t, "2024-06-30")
	tests := []struct {
		name   string
		days   int
		atRisk Money
		ratio  float64
	}{
		{"PAR0 counts every overdue loan", 0, Yuan(100000), 0.5},  // A+B+C = 100,000 / 200,000
		{"PAR30 excludes exactly 30 days", 30, Yuan(70000), 0.35}, // A+C = 70,000 / 200,000
		{"PAR90 keeps only over 90 days", 90, Yuan(50000), 0.25},  // A = 50,000 / 200,000
		{"PAR180 is empty", 180, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			atRisk, out, ratio := PAR(loans, asOf, tt.days)
			if atRisk != tt.atRisk || out != Yuan(200000) || math.Abs(ratio-tt.ratio) > 1e-12 {
				t.Errorf("PAR = %s / %s = %v, want %s / 200000.00 = %v", atRisk, out, ratio, tt.atRisk, tt.ratio)
			}
		})
	}
	t.Run("empty portfolio has ratio 0", func(t *testing.T) {
		if a, o, r := PAR(nil, asOf, 30); a != 0 || o != 0 || r != 0 {
			t.Errorf("PAR(nil) = %s %s %v", a, o, r)
		}
	})
	t.Run("buckets of the portfolio", func(t *testing.T) {
		want := []string{"91-180", "1-30", "31-90", "", "", ""}
		for i := range loans {
			if got := Bucket(loans[i].DaysOverdue(asOf)); got != want[i] {
				t.Errorf("loan %c bucket %q, want %q", 'A'+i, got, want[i])
			}
		}
	})
}

func TestSubsidyTable(t *testing.T) {
	tab := DefaultSubsidyTable()
	for _, tt := range []struct {
		name string
		year int
		want float64
	}{
		{"before the table is 0", 2015, 0}, {"first year is full", 2016, 1}, {"2023 is full", 2023, 1},
		{"2024 is 70%", 2024, 0.7}, {"2025 is 70%", 2025, 0.7}, {"unconfigured year is 0", 2026, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tab.ShareFor(tt.year); got != tt.want {
				t.Errorf("ShareFor(%d) = %v, want %v", tt.year, got, tt.want)
			}
		})
	}
}

func TestLoanSubsidy(t *testing.T) {
	def := DefaultSubsidyTable()
	only2023 := SubsidyTable{{2023, 1.0}}
	// yearLoan: amount at 3.45% from 2023-01-01, due 2024-01-01; repaidLoan
	// is repaid in full on that day. 50,000 earns 5,000,000 fen × 0.0345 / 360
	// = 479.1666… fen a day.
	yearLoan := func(amount int64, reps ...Repayment) Loan {
		return Loan{Product: ProductMicro, Amount: Yuan(amount), RatePct: 3.45,
			IssueDate: loanDate(t, "2023-01-01"), MaturityDate: loanDate(t, "2024-01-01"), Repayments: reps}
	}
	// spanLoan: 50,000 at 3.45% from 2023-07-01, due and repaid 2024-07-01.
	repaidLoan := func(amount int64) Loan {
		return yearLoan(amount, loanPay(t, "2024-01-01", Yuan(amount)))
	}
	spanLoan := Loan{Product: ProductMicro, Amount: Yuan(50000), RatePct: 3.45,
		IssueDate: loanDate(t, "2023-07-01"), MaturityDate: loanDate(t, "2024-07-01"),
		Repayments: []Repayment{loanPay(t, "2024-07-01", Yuan(50000))}}
	startup := repaidLoan(200000)
	startup.Product = ProductStartup
	other := repaidLoan(50000)
	other.Product = ProductOther
	unpaid := yearLoan(50000)
	extended := yearLoan(50000)
	extended.ExtendedTo = loanDate(t, "2025-01-01")

	tests := []struct {
		name     string
		loan     Loan
		from, to string
		table    SubsidyTable
		cap      Money
		want     Money
	}{
		// 365 days × 479.1666… = 172,500 × 365 / 360 = 174,895.83 → 1,748.96
		{"full year at 100%", repaidLoan(50000), "2023-01-01", "2023-12-31", def, MicroLoanCap, 174896},
		// The maturity day (balance repaid that day) and later earn nothing.
		{"whole life equals the contract year", repaidLoan(50000), "2022-01-01", "2025-12-31", def, MicroLoanCap, 174896},
		// Oct 1 – Dec 31 = 31 + 30 + 31 = 92 days: 172,500 × 92 / 360 = 44,083.33
		{"period clipped to the last quarter", repaidLoan(50000), "2023-10-01", "2023-12-31", def, MicroLoanCap, 44083},
		// 2023: Jul–Dec = 31+31+30+31+30+31 = 184 days at 1.0;
		// 2024: Jan–Jun = 31+29+31+30+31+30 = 182 days at 0.7 = 127.4 day-equivalents.
		// 172,500 × (184 + 127.4) / 360 = 172,500 × 311.4 / 360 = 149,212.5 → half away → 149,213
		{"loan spanning 2023 into 2024 splits the share by days", spanLoan, "2023-01-01", "2024-12-31", def, MicroLoanCap, 149213},
		// Same loan, 2024 missing from the table: 172,500 × 184 / 360 = 88,166.67
		{"year missing from the table pays nothing", spanLoan, "2023-01-01", "2024-12-31", only2023, MicroLoanCap, 88167},
		// 100,000 balance capped at 50,000: same as the full year above.
		{"amount above the cap earns on 50,000 only", repaidLoan(100000), "2023-01-01", "2023-12-31", def, MicroLoanCap, 174896},
		// 100,000; 60,000 repaid 2023-07-01 leaves 40,000 (under the cap).
		// Jan 1 – Jun 30 = 181 days at 50,000 (capped), Jul 1 – Dec 31 = 184 days at 40,000:
		// (5,000,000 × 181 + 4,000,000 × 184) × 0.0345 / 360
		// = (905,000,000 + 736,000,000) × 0.0345 / 360 = 56,614,500 / 360 = 157,262.5 → 157,263
		{"capped balance then below the cap after a repayment",
			yearLoan(100000, loanPay(t, "2023-07-01", Yuan(60000)), loanPay(t, "2024-01-01", Yuan(40000))),
			"2023-01-01", "2023-12-31", def, MicroLoanCap, 157263},
		// cap 0: 10,000,000 × 0.0345 × 365 / 360 = 345,000 × 365 / 360 = 349,791.67
		{"no cap when cap is 0", repaidLoan(100000), "2023-01-01", "2023-12-31", def, 0, 349792},
		// 创业担保贷款 200,000 under a 300,000 cap: 690,000 × 365 / 360 = 699,583.33
		{"start-up guaranteed loan is subsidised", startup, "2023-01-01", "2023-12-31", def, Yuan(300000), 699583},
		{"other product gets nothing", other, "2023-01-01", "2023-12-31", def, MicroLoanCap, 0},
		{"unpaid at maturity earns nothing from the maturity day", unpaid, "2024-01-01", "2024-12-31", def, MicroLoanCap, 0},
		// Extended to 2025-01-01: 2024 has 366 days at 0.7:
		// 172,500 × 366 × 0.7 / 360 = 175,375 × 0.7 = 122,762.5 → 122,763
		{"extension keeps earning until the new maturity", extended, "2024-01-01", "2024-12-31", def, MicroLoanCap, 122763},
		{"empty period gets nothing", repaidLoan(50000), "2023-12-31", "2023-01-01", def, MicroLoanCap, 0},
		// 12,000 at 3.6%: 3.6% / 360 = 0.01% a day, so B yuan outstanding
		// earns B/100 fen a day (12,000 yuan → 120 fen). March is missed (see loanMonthly):
		//   01-10..02-09  31 d × 120 = 3,720   (balance 12,000)
		//   02-10..03-10  29 d × 110 = 3,190   (11,000)
		//   03-11..04-09  30 d overdue = 0
		//   04-10          1 d × 100 =   100   (10,000; April's instalment due that day)
		//   04-11..05-09  29 d overdue = 0
		//   05-10..06-09  31 d ×  80 = 2,480   (8,000 after the 2,000 catch-up)
		//   06-10..07-09  30 d ×  70 = 2,100
		//   07-10..08-09  31 d ×  60 = 1,860
		//   08-10..09-09  31 d ×  50 = 1,550
		//   09-10..10-09  30 d ×  40 = 1,200
		//   10-10..11-09  31 d ×  30 =   930
		//   11-10..12-09  30 d ×  20 =   600
		//   12-10..12-31  22 d ×  10 =   220
		// total 17,950 fen = 179.50
		{"overdue days earn no subsidy", loanMonthly(t, Yuan(2000)), "2023-01-01", "2023-12-31", only2023, MicroLoanCap, 17950},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.loan.Subsidy(loanDate(t, tt.from), loanDate(t, tt.to), tt.table, tt.cap)
			if got != tt.want {
				t.Errorf("Subsidy = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("a year's parts add up to the span to the fen", func(t *testing.T) {
		// 88,166.67 → 88,167 and 172,500 × 182 × 0.7 / 360 = 61,045.83 → 61,046: sum 149,213.
		a := spanLoan.Subsidy(loanDate(t, "2023-01-01"), loanDate(t, "2023-12-31"), def, MicroLoanCap)
		b := spanLoan.Subsidy(loanDate(t, "2024-01-01"), loanDate(t, "2024-12-31"), def, MicroLoanCap)
		if a != 88167 || b != 61046 {
			t.Errorf("parts = %s + %s, want 881.67 + 610.46", a, b)
		}
	})
}

// BenchmarkPortfolio scores a county-sized portfolio: 100,000 loans with a
// few repayments each, their balance, days overdue and bucket, then PAR30
// and PAR90, as of one date.
func BenchmarkPortfolio(b *testing.B) {
	const n = 100000
	rng := rand.New(rand.NewPCG(1, 2))
	base, _ := NewDate(2021, 1, 1)
	loans := make([]Loan, n)
	for i := range loans {
		l := &loans[i]
		l.ID = int64(i + 1)
		l.Product = ProductMicro
		l.Amount = Yuan(int64(10000 + rng.IntN(41)*1000))
		l.RatePct = 3.45
		l.TermMonths = []int{12, 24, 36}[rng.IntN(3)]
		l.IssueDate = base.AddDays(rng.IntN(4 * 365))
		switch r := rng.IntN(10); {
		case r == 0:
			l.Mode = ModeAnnuity
		case r == 1:
			l.Mode = ModeEqualPrincipal
		}
		paid := Money(0)
		for k := range rng.IntN(5) {
			p := Money(rng.Int64N(int64(l.Amount-paid)/2 + 1))
			paid += p
			l.Repayments = append(l.Repayments, Repayment{
				Date: l.IssueDate.AddDays(30 * (k + 1) * (1 + rng.IntN(8))), Principal: p, Interest: 10000})
		}
	}
	asOf, _ := NewDate(2024, 6, 30)
	var par30, par90 float64
	var buckets map[string]int
	for b.Loop() {
		buckets = map[string]int{}
		var total Money
		for i := range loans {
			total += loans[i].Balance(asOf)
			buckets[Bucket(loans[i].DaysOverdue(asOf))]++
		}
		_, _, par30 = PAR(loans, asOf, 30)
		_, _, par90 = PAR(loans, asOf, 90)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "loans/s")
	b.ReportMetric(par30*100, "PAR30%")
	b.ReportMetric(par90*100, "PAR90%")
	b.Logf("buckets %v", buckets)
}

// TestLoanSubsidyMatchesDailyReference checks Subsidy's incremental walk
// against the definition applied day by day through the public methods
// (Balance and DaysOverdue each day), on random loans of every mode.
func TestLoanSubsidyMatchesDailyReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base, _ := NewDate(2022, 1, 1)
	tab := DefaultSubsidyTable()
	for i := range 300 {
		l := Loan{Product: ProductMicro, Amount: Yuan(int64(10000 + rng.IntN(91)*1000)), RatePct: 3.45,
			TermMonths: []int{6, 12, 24}[rng.IntN(3)], IssueDate: base.AddDays(rng.IntN(700)),
			Mode: []string{"", ModeAnnuity, ModeEqualPrincipal}[rng.IntN(3)]}
		if rng.IntN(5) == 0 {
			l.ExtendedTo = l.Maturity().AddDays(180)
		}
		for k := range rng.IntN(8) {
			l.Repayments = append(l.Repayments, Repayment{
				Date: l.IssueDate.AddDays(20 + 25*k + rng.IntN(40)), Principal: Money(rng.Int64N(int64(l.Amount) / 4))})
		}
		from, to := base.AddDays(rng.IntN(400)), base.AddDays(400+rng.IntN(800))
		// Reference: Σ min(balance, cap) × share in fen-days per day, then
		// × 3.45 / 100 / 360, in float (exact enough away from a half fen).
		var ref float64
		mat := l.Maturity()
		for d := from; !to.Before(d); d = d.AddDays(1) {
			if d.Before(l.IssueDate) || !d.Before(mat) || l.DaysOverdue(d) > 0 {
				continue
			}
			ref += float64(min(l.Balance(d), MicroLoanCap)) * tab.ShareFor(d.Year)
		}
		ref = ref * 3.45 / 100 / 360
		got := l.Subsidy(from, to, tab, MicroLoanCap)
		if math.Abs(float64(got)-ref) > 0.5+1e-6 {
			t.Fatalf("loan %d %+v from %s to %s: Subsidy = %d fen, reference %.4f", i, l, from, to, got, ref)
		}
	}
}
