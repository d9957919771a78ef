package reports

import (
	"fmt"
	"io"
	"iter"

	"github.com/shouwang/shouwang/monitor"
)

// LoanRow is one loan of the 小额信贷台账 with the borrower's household.
// Balance, days overdue and the arrears bucket are computed from the loan
// as of Meta.AsOf; Subsidy (应贴息金额) comes from the caller, who holds
// the subsidy table and chooses the period, e.g.
// l.Subsidy(firstOfYear, asOf, table, monitor.MicroLoanCap).
type LoanRow struct {
	Loan                                             monitor.Loan
	Township, Village, Group, HeadName, HeadIDNumber string
	Subsidy                                          monitor.Money
}

const (
	loansName   = "小额信贷台账"
	overdueName = "逾期清单"
)

const (
	lTownship = iota
	lVillage
	lGroup
	lCode
	lHead
	lHeadID
	lBorrower
	lBorrowerID
	lRelation
	lProduct
	lCredit
	lAmount
	lTerm
	lIssued
	lMaturity
	lExtended
	lRate
	lBank
	lMode
	lRepaid
	lLastPaid
	lBalance
	lOverdue
	lDays
	lBucket
	lSubsidy
	lPurpose
	lStatus
	lNote
)

// loanCols are the ledger's columns, named as staff's ledgers name them
// (DOMAIN.md); amounts lent are in 万元 as those ledgers write them, the
// computed amounts in yuan.
var loanCols = []column{
	{"乡镇（街道）", kText}, {"行政村", kText}, {"组别", kText}, {"户编号", kText}, {"户主姓名", kText},
	{"户主身份证号", kText}, {"贷款人姓名", kText}, {"贷款人身份证号", kText}, {"与户主关系", kText},
	{"贷款品种", kText}, {"授信额度（万元）", kWan}, {"贷款金额（万元）", kWan}, {"贷款期限（月）", kInt},
	{"放款日期", kDate}, {"到期日期", kDate}, {"展期到期日", kDate}, {"贷款利率（%）", kDec},
	{"贷款金融机构", kText}, {"还款方式", kText}, {"偿还贷款金额（元）", kYuan}, {"还款时间", kDate},
	{"贷款余额（元）", kYuan}, {"逾期贷款金额（元）", kYuan}, {"逾期天数", kInt}, {"逾期档次", kText},
	{"应贴息金额（元）", kYuan}, {"贷款用途", kText}, {"台账状态", kText}, {"备注", kLong},
}

const (
	oTownship = iota
	oVillage
	oGroup
	oHead
	oBorrower
	oBorrowerID
	oProduct
	oAmount
	oIssued
	oMaturity
	oBank
	oBalance
	oOverdue
	oDays
	oBucket
)

var overdueCols = []column{
	{"乡镇（街道）", kText}, {"行政村", kText}, {"组别", kText}, {"户主姓名", kText}, {"贷款人姓名", kText},
	{"贷款人身份证号", kText}, {"贷款品种", kText}, {"贷款金额（万元）", kWan}, {"放款日期", kDate},
	{"到期日期", kDate}, {"贷款金融机构", kText}, {"贷款余额（元）", kYuan}, {"逾期贷款金额（元）", kYuan},
	{"逾期天数", kInt}, {"逾期档次", kText},
}

// loanSums are the figures of a subtotal or total row. Households are
// counted distinct within a village; the total adds the villages' counts
// (a household belongs to one village), so no set grows with the report.
type loanSums struct {
	hh, overdueHH                                 map[string]bool // a village's households
	nHH, nOverdueHH                               int             // the total's
	loans, overdueLoans                           int
	amount, repaid, balance, overdue, subsidy     monitor.Money
	overdueAmount, overdueBalance, overdueOverdue monitor.Money
}

func (s *loanSums) households() int {
	if s.hh != nil {
		return len(s.hh)
	}
	return s.nHH
}

func (s *loanSums) overdueHouseholds() int {
	if s.overdueHH != nil {
		return len(s.overdueHH)
	}
	return s.nOverdueHH
}

// Loans writes the 小额信贷台账 (every loan, a subtotal per village and a
// total) and, in the same pass with a second stream, the 逾期清单 of the
// loans overdue at m.AsOf with its own subtotals and total. A loan is
// overdue when its oldest unpaid principal instalment is past due
// (monitor.Loan.DaysOverdue); its 逾期贷款金额 is its whole outstanding
// balance, as banks report an overdue loan. Rows should arrive ordered by
// township and village. The CSV form has the ledger only.
func Loans(w io.Writer, m Meta, rows iter.Seq2[LoanRow, error]) error {
	if err := writeLoans(w, m, rows); err != nil {
		return fmt.Errorf("reports: loans: %w", err)
	}
	return nil
}

func writeLoans(w io.Writer, m Meta, rows iter.Seq2[LoanRow, error]) error {
	var ledger, overdue *table
	if m.Format == CSV {
		t, err := newCSVTable(w, loanCols)
		if err != nil {
			return err
		}
		if err := fillLoans(t, nil, m, rows); err != nil {
			return err
		}
		return t.close()
	}
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	if ledger, err = b.newTable(loansName, b.titleLines(m, loansName, true), loanCols, nil); err != nil {
		return err
	}
	if overdue, err = b.newTable(overdueName, b.titleLines(m, "小额信贷逾期清单", true), overdueCols, nil); err != nil {
		return err
	}
	if err := fillLoans(ledger, overdue, m, rows); err != nil {
		return err
	}
	if err := ledger.close(); err != nil {
		return err
	}
	if err := overdue.close(); err != nil {
		return err
	}
	return b.write(w)
}

// fillLoans writes the ledger rows to t and the overdue ones to o (when
// not nil).
func fillLoans(t, o *table, m Meta, rows iter.Seq2[LoanRow, error]) error {
	var (
		cur     placeKey
		started bool
		v       = &loanSums{hh: map[string]bool{}, overdueHH: map[string]bool{}}
		all     = &loanSums{}
	)
	subtotal := func(township, village string, s *loanSums, rk rowKind) error {
		if rk == rowSub {
			all.nHH += len(s.hh)
			all.nOverdueHH += len(s.overdueHH)
		}
		t.str(lTownship, township)
		t.str(lVillage, village)
		t.count(lCode, s.households(), "户")
		t.count(lBorrower, s.loans, "笔")
		t.money(lAmount, s.amount)
		t.money(lRepaid, s.repaid)
		t.money(lBalance, s.balance)
		t.money(lOverdue, s.overdue)
		t.money(lSubsidy, s.subsidy)
		if err := t.emit(rk); err != nil {
			return err
		}
		if o == nil || (rk == rowSub && s.overdueLoans == 0) {
			return nil
		}
		o.str(oTownship, township)
		o.str(oVillage, village)
		o.count(oHead, s.overdueHouseholds(), "户")
		o.count(oBorrower, s.overdueLoans, "笔")
		o.money(oAmount, s.overdueAmount)
		o.money(oBalance, s.overdueBalance)
		o.money(oOverdue, s.overdueOverdue)
		return o.emit(rk)
	}
	for r, err := range rows {
		if err != nil {
			return err
		}
		if k := (placeKey{r.Township, r.Village}); !started || k != cur {
			if started {
				if err := subtotal(cur.township, cur.village+"小计", v, rowSub); err != nil {
					return err
				}
			}
			cur, started = k, true
			clear(v.hh)
			clear(v.overdueHH)
			*v = loanSums{hh: v.hh, overdueHH: v.overdueHH}
		}
		l := &r.Loan
		paid := l.PrincipalPaid(m.AsOf)
		bal := l.Balance(m.AsOf)
		days := l.DaysOverdue(m.AsOf)
		var overdueAmt monitor.Money
		if days > 0 {
			overdueAmt = bal
		}
		hk := householdKey(l.HouseholdCode, l.HouseholdID)
		v.hh[hk] = true
		if days > 0 {
			v.overdueHH[hk] = true
		}
		for _, s := range [2]*loanSums{v, all} {
			s.loans++
			s.amount += l.Amount
			s.repaid += paid
			s.balance += bal
			s.overdue += overdueAmt
			s.subsidy += r.Subsidy
			if days > 0 {
				s.overdueLoans++
				s.overdueAmount += l.Amount
				s.overdueBalance += bal
				s.overdueOverdue += overdueAmt
			}
		}

		t.str(lTownship, r.Township)
		t.str(lVillage, r.Village)
		t.str(lGroup, r.Group)
		t.str(lCode, l.HouseholdCode)
		t.str(lHead, r.HeadName)
		t.str(lHeadID, idText(m, r.HeadIDNumber))
		t.str(lBorrower, l.BorrowerName)
		t.str(lBorrowerID, idText(m, l.BorrowerIDNumber))
		t.str(lRelation, l.Relation)
		t.str(lProduct, l.Product)
		if l.CreditLine != 0 {
			t.money(lCredit, l.CreditLine)
		}
		t.money(lAmount, l.Amount)
		if l.TermMonths > 0 {
			t.num(lTerm, l.TermMonths)
		}
		t.date(lIssued, l.IssueDate)
		t.date(lMaturity, l.MaturityDate)
		t.date(lExtended, l.ExtendedTo)
		t.dec(lRate, l.RatePct)
		t.str(lBank, l.Bank)
		t.str(lMode, l.Mode)
		t.money(lRepaid, paid)
		t.date(lLastPaid, lastRepayment(l, m.AsOf))
		t.money(lBalance, bal)
		t.money(lOverdue, overdueAmt)
		if days > 0 {
			t.num(lDays, days)
		}
		t.str(lBucket, monitor.Bucket(days))
		t.money(lSubsidy, r.Subsidy)
		t.str(lPurpose, l.Purpose)
		t.str(lStatus, l.Status)
		t.str(lNote, l.Note)
		if err := t.emit(rowData); err != nil {
			return err
		}
		if o == nil || days <= 0 {
			continue
		}
		o.str(oTownship, r.Township)
		o.str(oVillage, r.Village)
		o.str(oGroup, r.Group)
		o.str(oHead, r.HeadName)
		o.str(oBorrower, l.BorrowerName)
		o.str(oBorrowerID, idText(m, l.BorrowerIDNumber))
		o.str(oProduct, l.Product)
		o.money(oAmount, l.Amount)
		o.date(oIssued, l.IssueDate)
		o.date(oMaturity, l.Maturity())
		o.str(oBank, l.Bank)
		o.money(oBalance, bal)
		o.money(oOverdue, overdueAmt)
		o.num(oDays, days)
		o.str(oBucket, monitor.Bucket(days))
		if err := o.emit(rowData); err != nil {
			return err
		}
	}
	if started {
		if err := subtotal(cur.township, cur.village+"小计", v, rowSub); err != nil {
			return err
		}
	}
	return subtotal("合计", "", all, rowTotal)
}

// lastRepayment is the date of the latest repayment on or before asOf.
func lastRepayment(l *monitor.Loan, asOf monitor.Date) monitor.Date {
	var last monitor.Date
	for _, r := range l.Repayments {
		if !r.Date.IsZero() && r.Date.Compare(asOf) <= 0 && last.Before(r.Date) {
			last = r.Date
		}
	}
	return last
}
