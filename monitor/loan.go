package monitor

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// Loan products (贷款品种).
const (
	ProductMicro   = "脱贫人口小额信贷"
	ProductStartup = "创业担保贷款"
	ProductOther   = "其他贷款"
)

// Loan statuses as recorded in a ledger. The arithmetic below never trusts
// them: balance and arrears are computed from the amount, the plan and the
// repayments, so a ledger that says 正常 for a loan two months past maturity
// is caught.
const (
	LoanNormal   = "正常"
	LoanSettled  = "已结清"
	LoanOverdue  = "逾期"
	LoanExtended = "展期"
	LoanRenewed  = "续贷"
)

// Repayment modes (还款方式).
const (
	// ModeInterestOnly pays interest periodically and all principal at
	// maturity. It is the usual mode of 脱贫人口小额信贷 and the one assumed
	// when a ledger does not say (any unrecognised mode is treated the same).
	ModeInterestOnly   = "按期付息到期还本"
	ModeAnnuity        = "等额本息"
	ModeEqualPrincipal = "等额本金"
)

// MicroLoanCap is the part of a 脱贫人口小额信贷 balance that earns the
// interest subsidy: 50,000 yuan. Places that allow a top-up to 100,000 pay
// no subsidy on the part above it.
const MicroLoanCap = Money(50000 * 100)

// Loan is one loan of a household member, as a 小额信贷台账 row records it,
// with its repayments.
type Loan struct {
	ID                  int64       `db:"id" json:"id"`
	HouseholdID         int64       `db:"household_id" json:"-"`
	HouseholdCode       string      `db:"household_code" json:"household_code"`
	BorrowerIDNumber    string      `db:"borrower_id_number" json:"borrower_id_number"`
	BorrowerName        string      `db:"borrower_name" json:"borrower_name"`
	Relation            string      `db:"relation" json:"relation,omitempty"` // 与户主关系
	Product             string      `db:"product" json:"product"`
	Bank                string      `db:"bank" json:"bank"`
	Contract            string      `db:"contract" json:"contract,omitempty"`
	Amount              Money       `db:"amount" json:"amount"`
	CreditLine          Money       `db:"credit_line" json:"credit_line,omitempty"` // 授信额度
	TermMonths          int         `db:"term_months" json:"term_months"`
	IssueDate           Date        `db:"issue_date" json:"issue_date"`
	MaturityDate        Date        `db:"maturity_date" json:"maturity_date"`
	ExtendedTo          Date        `db:"extended_to" json:"extended_to"` // 展期 new maturity; zero when none
	RatePct             float64     `db:"rate_pct" json:"rate_pct"`       // annual rate in percent, e.g. 3.45
	Purpose             string      `db:"purpose" json:"purpose"`
	Mode                string      `db:"mode" json:"mode"`
	InterestEveryMonths int         `db:"interest_every_months" json:"interest_every_months"` // 3 (按季) by default for ModeInterestOnly
	Status              string      `db:"status" json:"status"`                               // as recorded in the ledger
	RenewedFrom         *int64      `db:"renewed_from" json:"renewed_from,omitempty"`
	Note                string      `db:"note" json:"note,omitempty"`
	Repayments          []Repayment `db:"-" json:"repayments,omitempty"`
}

// Repayment is one payment on a loan. Principal may be 0 for an
// interest-only payment.
type Repayment struct {
	ID        int64 `db:"id" json:"id"`
	LoanID    int64 `db:"loan_id" json:"-"`
	Date      Date  `db:"paid_on" json:"date"`
	Principal Money `db:"principal" json:"principal"`
	Interest  Money `db:"interest" json:"interest"`
}

// Installment is one due date of a loan's repayment plan.
type Installment struct {
	Due       Date
	Principal Money
	Interest  Money
}

// Maturity returns the date the principal is finally due: the 展期 date
// when the loan was extended, else the recorded maturity, else the issue
// date plus the term (same day of month, clamped to the month's end, so
// 2021-01-31 + 1 month is 2021-02-28). It is the zero Date when none of
// these is known.
func (l *Loan) Maturity() Date {
	switch {
	case !l.ExtendedTo.IsZero():
		return l.ExtendedTo
	case !l.MaturityDate.IsZero():
		return l.MaturityDate
	case !l.IssueDate.IsZero() && l.TermMonths > 0:
		return loanAddMonths(l.IssueDate, l.TermMonths)
	}
	return Date{}
}

// Schedule returns the repayment plan (nil when the maturity is unknown).
//
//   - ModeInterestOnly (and a blank or unknown mode): interest every
//     InterestEveryMonths (default 3, 按季) counted from IssueDate, the last
//     period ending at Maturity() together with all the principal. Period
//     interest is Amount × RatePct/100 × days/360 with actual days (算头不算尾:
//     the first day counts, the last does not), the day-count convention of
//     Chinese bank loans, rounded to the fen per period.
//   - ModeAnnuity: TermMonths equal monthly payments from the standard
//     formula P·r/(1−(1+r)^−n), r = RatePct/1200, rounded to the fen; each
//     month's interest is the outstanding principal × r, the rest is
//     principal, and the last instalment takes whatever principal remains.
//   - ModeEqualPrincipal: Amount/TermMonths principal a month (the remainder
//     in the last) plus interest on the outstanding principal × r.
//
// Monthly instalments fall on the issue day of each month (clamped to the
// month's end); the last falls on Maturity(), so a 展期 defers only what is
// still due at the end and earlier missed instalments stay overdue — an
// extension must not hide repayment risk. When TermMonths is 0 the term is
// the number of months from IssueDate to MaturityDate, rounded up.
func (l *Loan) Schedule() []Installment {
	var plan []Installment
	l.walk(true, func(in Installment) bool {
		plan = append(plan, in)
		return true
	})
	return plan
}

// PrincipalPaid returns the principal repaid on or before asOf. A repayment
// with an unknown date counts as paid from the start: ledgers often fill
// 偿还贷款金额 without 还款时间 for old repayments.
func (l *Loan) PrincipalPaid(asOf Date) Money {
	var paid Money
	for i := range l.Repayments {
		if l.Repayments[i].Date.Compare(asOf) <= 0 {
			paid += l.Repayments[i].Principal
		}
	}
	return paid
}

// Balance returns the principal outstanding at the end of asOf: Amount less
// the principal repaid by then, never below 0, and 0 before the loan is
// issued (it does not exist yet). A loan with an unknown issue date counts
// as issued.
func (l *Loan) Balance(asOf Date) Money {
	if l.notIssued(asOf) {
		return 0
	}
	return max(l.Amount-l.PrincipalPaid(asOf), 0)
}

// DaysOverdue returns how many days the oldest unpaid principal instalment
// is past due at the end of asOf (逾期天数), 0 when nothing is overdue or the
// balance is 0.
//
// Repaid principal is applied to instalments in due order (oldest first).
// The first instalment whose cumulative principal exceeds the principal
// repaid by asOf is the oldest unpaid one; if its due date is before asOf
// the loan is overdue from the day after that due date. So a payment on the
// due date is on time, and a late payment clears the arrears from its date.
// A borrower who misses one monthly instalment and then pays the later ones
// on time stays about one instalment behind: the count restarts at each
// due date rather than growing, which is how banks report 逾期天数 for
// instalment loans. For ModeInterestOnly only the principal at Maturity()
// counts: the ledgers do not track interest collection.
//
// It runs in O(repayments + instalments) with no allocation, so a whole
// county's portfolio can be scored at once.
func (l *Loan) DaysOverdue(asOf Date) int {
	if l.notIssued(asOf) {
		return 0
	}
	paid := l.PrincipalPaid(asOf)
	if l.Amount-paid <= 0 {
		return 0
	}
	days := 0
	var due Money
	l.walk(false, func(in Installment) bool {
		if !in.Due.Before(asOf) {
			return false // due today or later: not overdue yet
		}
		due += in.Principal
		if due > paid {
			days = loanDayNum(asOf) - loanDayNum(in.Due)
			return false
		}
		return true
	})
	return days
}

// Active reports whether the loan is issued on or before asOf and still has
// principal outstanding.
func (l *Loan) Active(asOf Date) bool { return l.Balance(asOf) > 0 }

// Bucket names the arrears class of a days-overdue count as the 逾期清单
// groups it: "" (not overdue), "1-30", "31-90", "91-180" or ">180".
func Bucket(daysOverdue int) string {
	switch {
	case daysOverdue <= 0:
		return ""
	case daysOverdue <= 30:
		return "1-30"
	case daysOverdue <= 90:
		return "31-90"
	case daysOverdue <= 180:
		return "91-180"
	}
	return ">180"
}

// PAR is portfolio at risk: the outstanding balance of loans more than days
// days overdue (atRisk) against the total outstanding balance, both at the
// end of asOf, and their ratio (0 when nothing is outstanding). PAR30 is
// PAR(loans, asOf, 30).
func PAR(loans []Loan, asOf Date, days int) (atRisk, outstanding Money, ratio float64) {
	for i := range loans {
		l := &loans[i]
		b := l.Balance(asOf)
		if b <= 0 {
			continue
		}
		outstanding += b
		if l.DaysOverdue(asOf) > days {
			atRisk += b
		}
	}
	if outstanding > 0 {
		ratio = float64(atRisk) / float64(outstanding)
	}
	return atRisk, outstanding, ratio
}

// SubsidyShare is the share of interest the government pays (财政贴息) for
// the days of one calendar year, e.g. {2023, 1.0}, {2024, 0.7}.
type SubsidyShare struct {
	Year  int
	Share float64
}

// SubsidyTable lists the yearly subsidy shares. It is configuration: the
// shares differ by province and change by policy notice.
type SubsidyTable []SubsidyShare

// ShareFor returns the share for a year; a year missing from the table gets
// 0, so a year nobody has configured pays nothing rather than guessing.
func (t SubsidyTable) ShareFor(year int) float64 {
	for _, s := range t {
		if s.Year == year {
			return s.Share
		}
	}
	return 0
}

// DefaultSubsidyTable is an example table, not policy: full subsidy
// 2016–2023, then 70% for 2024 and 2025 as some provinces set it. A
// deployment loads its own table from configuration.
func DefaultSubsidyTable() SubsidyTable {
	t := SubsidyTable{}
	for y := 2016; y <= 2023; y++ {
		t = append(t, SubsidyShare{y, 1.0})
	}
	return append(t, SubsidyShare{2024, 0.7}, SubsidyShare{2025, 0.7})
}

// Subsidy returns the interest subsidy (财政贴息) due for the days from..to,
// both included. A day earns balance × RatePct/100 / 360 × the share of its
// calendar year when on that day the loan is issued, before its (possibly
// extended) maturity, and not overdue (overdue interest is never
// subsidised). The balance is the end-of-day balance, capped at cap (the
// subsidised amount, MicroLoanCap for micro-loans; cap <= 0 means no cap).
//
// The maturity day itself earns nothing: contract interest runs from the
// issue date up to, not including, the maturity date (算头不算尾), so
// interest on a principal still unpaid on its maturity day is already
// overdue interest. For the same reason a repayment stops the repaid part
// earning from the day it is paid.
//
// Only ProductMicro and ProductStartup loans are subsidised; a loan without
// an issue date gets 0 until the ledger is corrected. The sum is kept exact
// (integer fen-days, with rate and share as integer millionths) and rounded
// half away from zero to the fen once at the end, so no per-day rounding
// error builds up over a three-year loan.
func (l *Loan) Subsidy(from, to Date, table SubsidyTable, cap Money) Money {
	if l.Product != ProductMicro && l.Product != ProductStartup {
		return 0
	}
	if l.IssueDate.IsZero() || from.IsZero() || to.IsZero() || to.Before(from) || l.RatePct <= 0 {
		return 0
	}
	start, end := loanDayNum(from), loanDayNum(to)
	start = max(start, loanDayNum(l.IssueDate))
	if mat := l.Maturity(); !mat.IsZero() {
		end = min(end, loanDayNum(mat)-1)
	}
	if end < start {
		return 0
	}

	// Repayments in date order, and the plan's principal due dates with
	// their running totals, so that each day is an O(1) step.
	type event struct {
		day int
		amt Money
	}
	reps := make([]event, 0, len(l.Repayments))
	for _, r := range l.Repayments {
		d := math.MinInt // unknown date: paid from the start, as in PrincipalPaid
		if !r.Date.IsZero() {
			d = loanDayNum(r.Date)
		}
		reps = append(reps, event{d, r.Principal})
	}
	slices.SortStableFunc(reps, func(a, b event) int { return cmp.Compare(a.day, b.day) })
	var dues []event // amt is the cumulative principal due
	var cum Money
	l.walk(false, func(in Installment) bool {
		cum += in.Principal
		dues = append(dues, event{loanDayNum(in.Due), cum})
		return true
	})

	// Per-year sums of capped balance × days, in fen-days, as 128-bit
	// integers so no amount can overflow.
	type yearSum struct {
		year   int
		hi, lo uint64
	}
	var sums []yearSum
	year := l.IssueDate.Year
	if from.Year > year {
		year = from.Year
	}
	nextYear := loanDayNum(Date{year + 1, 1, 1})
	var paid, lastPaid Money
	ri, k := 0, 0
	for t := start; t <= end; t++ {
		for t >= nextYear {
			year++
			nextYear = loanDayNum(Date{year + 1, 1, 1})
		}
		for ri < len(reps) && reps[ri].day <= t {
			paid += reps[ri].amt
			ri++
		}
		if paid < lastPaid {
			k = 0 // a reversal (negative principal): rescan the plan
		}
		lastPaid = paid
		for k < len(dues) && dues[k].amt <= paid {
			k++
		}
		bal := l.Amount - paid
		if bal <= 0 || (k < len(dues) && dues[k].day < t) {
			continue // repaid, or overdue that day
		}
		if cap > 0 && bal > cap {
			bal = cap
		}
		if len(sums) == 0 || sums[len(sums)-1].year != year {
			sums = append(sums, yearSum{year: year})
		}
		s := &sums[len(sums)-1]
		var c uint64
		s.lo, c = bits.Add64(s.lo, uint64(bal), 0)
		s.hi += c
	}

	// subsidy = Σ fenDays × share × rate/100/360, with share and rate held
	// as integers in millionths so the only rounding is the final one.
	num := new(big.Int)
	for _, s := range sums {
		share := math.Round(table.ShareFor(s.year) * 1e6)
		if share <= 0 {
			continue
		}
		v := new(big.Int).SetUint64(s.hi)
		v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(s.lo))
		num.Add(num, v.Mul(v, big.NewInt(int64(share))))
	}
	num.Mul(num, big.NewInt(loanRateMicro(l.RatePct)))
	den := big.NewInt(100 * 360 * 1e6 * 1e6)
	num.Add(num, new(big.Int).Rsh(den, 1)) // half away from zero (num >= 0)
	num.Quo(num, den)
	if !num.IsInt64() {
		return Money(math.MaxInt64)
	}
	return Money(num.Int64())
}

// notIssued reports whether asOf is before a known issue date.
func (l *Loan) notIssued(asOf Date) bool {
	return !l.IssueDate.IsZero() && asOf.Before(l.IssueDate)
}

// walk yields the plan in due order (see Schedule). With withInterest false
// an interest-only loan yields only its principal instalment, which is all
// the arrears arithmetic needs and saves computing the interest periods.
// Due dates never decrease.
func (l *Loan) walk(withInterest bool, yield func(Installment) bool) {
	mat := l.Maturity()
	if mat.IsZero() {
		return
	}
	rate := loanRateMicro(l.RatePct)
	if l.IssueDate.IsZero() || (l.Mode != ModeAnnuity && l.Mode != ModeEqualPrincipal) {
		if withInterest && !l.IssueDate.IsZero() {
			every := l.InterestEveryMonths
			if every <= 0 {
				every = 3
			}
			prev := l.IssueDate
			for k := 1; ; k++ {
				due := loanAddMonths(l.IssueDate, k*every)
				if !due.Before(mat) {
					break
				}
				if !yield(Installment{Due: due, Interest: loanDayInterest(l.Amount, rate, prev, due)}) {
					return
				}
				prev = due
			}
			yield(Installment{Due: mat, Principal: l.Amount, Interest: loanDayInterest(l.Amount, rate, prev, mat)})
			return
		}
		yield(Installment{Due: mat, Principal: l.Amount})
		return
	}

	n := l.termMonths()
	var pay, per Money
	if l.Mode == ModeAnnuity {
		if r := l.RatePct / 1200; r > 0 {
			// (1+r)^−n via log1p/expm1 keeps precision at small r.
			pay = Money(math.Round(float64(l.Amount) * r / -math.Expm1(-float64(n)*math.Log1p(r))))
		} else {
			pay = l.Amount / Money(n)
		}
	} else {
		per = l.Amount / Money(n)
	}
	bal := l.Amount
	for i := 1; i <= n; i++ {
		due := loanAddMonths(l.IssueDate, i)
		if i == n || mat.Before(due) {
			due = mat
		}
		interest := Money(0)
		if rate > 0 {
			interest = Money(loanMulDiv(int64(bal), rate, 1200*1e6))
		}
		p := per
		if l.Mode == ModeAnnuity {
			p = pay - interest
		}
		if i == n || p > bal {
			p = bal
		}
		p = max(p, 0)
		bal -= p
		if !yield(Installment{Due: due, Principal: p, Interest: interest}) {
			return
		}
	}
}

// termMonths is TermMonths, or when the ledger left it blank the months
// from IssueDate to the original maturity rounded up (a ledger that writes
// 2021-03-15 → 2024-03-14 means 36 months); at least 1.
func (l *Loan) termMonths() int {
	if l.TermMonths > 0 {
		return l.TermMonths
	}
	end := l.MaturityDate
	if end.IsZero() {
		end = l.ExtendedTo
	}
	if end.IsZero() || !l.IssueDate.Before(end) {
		return 1
	}
	n := (end.Year-l.IssueDate.Year)*12 + end.Month - l.IssueDate.Month
	if loanAddMonths(l.IssueDate, n).Compare(end) > 0 {
		n--
	}
	if loanAddMonths(l.IssueDate, n).Before(end) {
		n++
	}
	return max(n, 1)
}

// loanDayInterest is principal × rate × days/360 for the days from a up to,
// not including, b (actual/360, 算头不算尾), rounded to the fen. rate is in
// millionths of a percent.
func loanDayInterest(principal Money, rate int64, a, b Date) Money {
	days := loanDayNum(b) - loanDayNum(a)
	if days <= 0 || rate <= 0 {
		return 0
	}
	return Money(loanMulDiv(int64(principal), rate*int64(days), 100*360*1e6))
}

// loanRateMicro turns a percent rate into millionths of a percent, so that
// 3.45 is exactly 3,450,000 and interest is integer arithmetic.
func loanRateMicro(pct float64) int64 {
	if pct <= 0 {
		return 0
	}
	return int64(math.Round(pct * 1e6))
}

// loanMulDiv returns a×b/c rounded half away from zero, through a 128-bit
// product so large amounts cannot overflow; c must be positive. The result
// saturates at the int64 range.
func loanMulDiv(a, b, c int64) int64 {
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = -ua
	}
	if b < 0 {
		ub = -ub
	}
	hi, lo := bits.Mul64(ua, ub)
	var carry uint64
	lo, carry = bits.Add64(lo, uint64(c)/2, 0)
	hi += carry
	var q uint64
	if hi >= uint64(c) {
		q = math.MaxInt64
	} else {
		q, _ = bits.Div64(hi, lo, uint64(c))
		q = min(q, math.MaxInt64)
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

// loanAddMonths adds n months keeping the day of month, clamped to the end
// of the target month (2021-01-31 + 1 = 2021-02-28), as loan contracts
// count terms.
func loanAddMonths(d Date, n int) Date {
	m := d.Year*12 + d.Month - 1 + n
	y, mo := m/12, m%12+1
	return Date{y, mo, min(d.Day, loanMonthDays(y, mo))}
}

func loanMonthDays(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// loanDayNum numbers days consecutively (days since 1970-01-01) without
// going through time.Time, which is several times slower and is called for
// every instalment of every loan. Algorithm: H. Hinnant, days_from_civil.
func loanDayNum(d Date) int {
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
