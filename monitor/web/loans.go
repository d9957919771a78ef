package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// routeLoans adds 信贷: the loan ledger, a loan with its repayments and
// the forms to record a repayment, an extension (展期) or the settlement,
// and a new loan of a household member.
func (s *Server) routeLoans(r chi.Router) {
	r.Get("/loans", s.listLoans)
	r.Get("/loans/{id}", s.showLoan)
	r.Post("/loans/{id}/repayments", s.addRepayment)
	r.Post("/loans/{id}/extension", s.extendLoan)
	r.Post("/loans/{id}/settlement", s.settleLoan)
	r.Get("/households/{code}/loans/new", s.newLoan)
	r.Post("/households/{code}/loans", s.createLoan)
}

// loanRow is a loan with its figures as of a date. The arithmetic is the
// domain's (monitor.Loan); pages and the API only show it.
type loanRow struct {
	store.LoanRecord
	AsOf        monitor.Date
	Maturity    monitor.Date
	Paid        monitor.Money
	Balance     monitor.Money
	DaysOverdue int
	Bucket      string
	Subsidy     monitor.Money // 财政贴息 from 1 January of AsOf's year to AsOf
}

func newLoanRow(rec *store.LoanRecord, asOf monitor.Date, in *inForce) loanRow {
	l := &rec.Loan
	cap := monitor.Money(0)
	if l.Product == monitor.ProductMicro {
		cap = monitor.Money(in.Config.Params.LoanCap * 100)
	}
	days := l.DaysOverdue(asOf)
	return loanRow{LoanRecord: *rec, AsOf: asOf, Maturity: l.Maturity(), Paid: l.PrincipalPaid(asOf), Balance: l.Balance(asOf),
		DaysOverdue: days, Bucket: monitor.Bucket(days), Subsidy: l.Subsidy(monitor.Date{Year: asOf.Year, Month: 1, Day: 1}, asOf, in.Config.Subsidy, cap)}
}

// loanQuery is the ledger's filter.
type loanQuery struct {
	store.LoanFilter
	Overdue bool
	AsOf    monitor.Date
}

// loanQueryOf reads the ledger's filters (page and API alike).
func (s *Server) loanQueryOf(r *http.Request) (loanQuery, error) {
	q := r.URL.Query()
	lq := loanQuery{LoanFilter: store.LoanFilter{Township: q.Get("township"), Village: q.Get("village"), HouseholdCode: q.Get("household"), Product: q.Get("product")}}
	var err error
	if v := q.Get("year"); v != "" {
		if lq.Year, err = formInt(v, "放款年度", 2000, 2100); err != nil {
			return lq, err
		}
	}
	if lq.AsOf, err = formDate(q.Get("as_of"), "计算日期"); err != nil {
		return lq, err
	}
	if lq.AsOf.IsZero() {
		lq.AsOf = s.today()
	}
	lq.Overdue, err = parseBool(q.Get("overdue"), "overdue", false)
	if q.Get("overdue") == "on" {
		lq.Overdue, err = true, nil
	}
	return lq, err
}

// ledger is the loans of a query with their figures and totals.
type ledger struct {
	AsOf               monitor.Date
	Rows               []loanRow
	Households         int // households with a loan listed
	Outstanding        int // loans with principal outstanding
	Amount, Balance    monitor.Money
	Subsidy            monitor.Money
	Overdue            int
	OverdueBalance     monitor.Money
	ByBucket           map[string]int
	BucketNames        []string
	PAR30, PAR90       float64
	AtRisk30, AtRisk90 monitor.Money
}

func (s *Server) loadLedger(r *http.Request, lq loanQuery) (*ledger, error) {
	ctx := r.Context()
	recs, err := s.db.FindLoans(ctx, info(r).user.Scope(), lq.LoanFilter)
	if err != nil {
		return nil, err
	}
	in, err := s.rulesInForce(ctx)
	if err != nil {
		return nil, err
	}
	lg := &ledger{AsOf: lq.AsOf, ByBucket: map[string]int{}, BucketNames: []string{"1-30", "31-90", "91-180", ">180"}}
	var loans []monitor.Loan
	households := map[int64]bool{}
	for i := range recs {
		row := newLoanRow(&recs[i], lq.AsOf, in)
		if lq.Overdue && row.DaysOverdue == 0 {
			continue
		}
		lg.Rows = append(lg.Rows, row)
		loans = append(loans, recs[i].Loan)
		households[row.HouseholdID] = true
		lg.Amount += row.Amount
		lg.Balance += row.Balance
		lg.Subsidy += row.Subsidy
		if row.Balance > 0 {
			lg.Outstanding++
		}
		if row.DaysOverdue > 0 {
			lg.Overdue++
			lg.OverdueBalance += row.Balance
			lg.ByBucket[row.Bucket]++
		}
	}
	lg.Households = len(households)
	lg.AtRisk30, _, lg.PAR30 = monitor.PAR(loans, lq.AsOf, 30)
	lg.AtRisk90, _, lg.PAR90 = monitor.PAR(loans, lq.AsOf, 90)
	return lg, nil
}

type loansPage struct {
	Query    loanQuery
	L        *ledger
	Items    []loanRow
	Pager    pager
	Villages []store.VillageCount
	Products []string
}

// listLoans is the loan ledger (小额信贷台账) of the user's place with
// balance, days overdue, bucket and subsidy as of a date, totals and
// portfolio at risk.
func (s *Server) listLoans(w http.ResponseWriter, r *http.Request) {
	lq, err := s.loanQueryOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lg, err := s.loadLedger(r, lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := pageParam(r)
	p := loansPage{Query: lq, L: lg, Items: pageSlice(lg.Rows, page, perPage), Pager: newPager(page, perPage, len(lg.Rows)),
		Products: []string{monitor.ProductMicro, monitor.ProductStartup, monitor.ProductOther}}
	if p.Villages, err = s.db.VillagesIn(r.Context(), info(r).user.Scope()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "loans", "信贷", p)
}

type loanPage struct {
	L        loanRow
	Schedule []monitor.Installment
	Today    monitor.Date
	Form     repaymentForm
	Extend   string
	Error    string
	ErrorFor string
	Notice   string
}

// repaymentForm is a repayment as typed.
type repaymentForm struct{ Date, Principal, Interest string }

func (s *Server) showLoan(w http.ResponseWriter, r *http.Request) {
	s.renderLoan(w, r, http.StatusOK, nil, "", "")
}

// renderLoan shows a loan with its figures as of today, its plan and its
// repayments, and the forms; form, msg and which say what was refused.
func (s *Server) renderLoan(w http.ResponseWriter, r *http.Request, status int, form *repaymentForm, msg, which string) {
	ctx := r.Context()
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.db.FindLoanByID(ctx, info(r).user.Scope(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := s.rulesInForce(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.today()
	p := loanPage{L: newLoanRow(rec, today, in), Schedule: rec.Loan.Schedule(), Today: today, Error: msg, ErrorFor: which, Notice: notice(r)}
	p.Form = repaymentForm{Date: today.String()}
	if form != nil {
		p.Form = *form
	}
	if m := p.L.Maturity; !m.IsZero() {
		p.Extend = loanAddYear(m).String()
	}
	s.render(w, r, status, "loan", "贷款 · "+rec.BorrowerName, p)
}

// loanAddYear suggests an extension: a year after maturity.
func loanAddYear(d monitor.Date) monitor.Date {
	if n, ok := monitor.NewDate(d.Year+1, d.Month, d.Day); ok {
		return n
	}
	return monitor.Date{Year: d.Year + 1, Month: d.Month, Day: 28}
}

// formLoan checks the CSRF token and loads the loan of the path within the
// user's place.
func (s *Server) formLoan(w http.ResponseWriter, r *http.Request) (*store.LoanRecord, bool) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if !s.checkCSRF(w, r) {
		return nil, false
	}
	rec, err := s.db.FindLoanByID(r.Context(), info(r).user.Scope(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return rec, true
}

// loanRefused shows the loan page again with the reason a form was
// refused; other errors go to the error page.
func (s *Server) loanRefused(w http.ResponseWriter, r *http.Request, err error, form *repaymentForm, which string) {
	if st := status(err); st >= 500 || st == http.StatusNotFound || st == http.StatusForbidden {
		s.fail(w, r, err)
		return
	}
	s.renderLoan(w, r, status(err), form, messageOf(err), which)
}

func (s *Server) addRepayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.formLoan(w, r)
	if !ok {
		return
	}
	u := info(r).user
	pf := r.PostForm
	form := repaymentForm{Date: pf.Get("date"), Principal: strings.TrimSpace(pf.Get("principal")), Interest: strings.TrimSpace(pf.Get("interest"))}
	rp := &monitor.Repayment{}
	var err error
	if rp.Date, err = formDate(form.Date, "还款日期"); err == nil && rp.Date.IsZero() {
		err = monitor.Errorf(monitor.EINVALID, "请填写还款日期")
	}
	if err == nil && s.today().Before(rp.Date) {
		err = monitor.Errorf(monitor.EINVALID, "还款日期 %s 晚于今天", rp.Date)
	}
	if err == nil {
		rp.Principal, err = formMoney(form.Principal, "还款本金")
	}
	if err == nil {
		rp.Interest, err = formMoney(form.Interest, "还款利息")
	}
	if err == nil {
		err = s.db.AddRepayment(r.Context(), u.Scope(), rec.ID, rp, u.Username)
	}
	if err != nil {
		s.loanRefused(w, r, err, &form, "repayment")
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditLoanRepayment, Object: fmt.Sprintf("loan:%d", rec.ID),
		Detail: fmt.Sprintf("%s %s 还本金 %s 元、利息 %s 元", rec.HouseholdCode, rp.Date, rp.Principal, rp.Interest)})
	redirect(w, r, doneURL(fmt.Sprintf("/loans/%d", rec.ID), "repayment", s.reevaluate(r, rec.HouseholdID)))
}

// extendLoan records an extension (展期): the new maturity date. Earlier
// missed instalments stay overdue (the loan arithmetic sees to that).
func (s *Server) extendLoan(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.formLoan(w, r)
	if !ok {
		return
	}
	u := info(r).user
	to, err := formDate(r.PostForm.Get("extended_to"), "展期到期日")
	if err == nil && to.IsZero() {
		err = monitor.Errorf(monitor.EINVALID, "请填写展期后的到期日期")
	}
	if err == nil && !rec.Maturity().IsZero() && !rec.Maturity().Before(to) {
		err = monitor.Errorf(monitor.EINVALID, "展期到期日 %s 应晚于现在的到期日 %s", to, rec.Maturity())
	}
	l := rec.Loan
	if err == nil {
		l.ExtendedTo, l.Status = to, monitor.LoanExtended
		err = s.db.UpdateLoan(r.Context(), u.Scope(), &l, u.Username)
	}
	if err != nil {
		s.loanRefused(w, r, err, nil, "extension")
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditLoanExtend, Object: fmt.Sprintf("loan:%d", rec.ID), Detail: fmt.Sprintf("%s 展期至 %s", rec.HouseholdCode, to)})
	redirect(w, r, doneURL(fmt.Sprintf("/loans/%d", rec.ID), "extension", s.reevaluate(r, rec.HouseholdID)))
}

// settleLoan records the settlement (结清): a repayment of the principal
// still outstanding on the date, and the status 已结清.
func (s *Server) settleLoan(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.formLoan(w, r)
	if !ok {
		return
	}
	u := info(r).user
	pf := r.PostForm
	on, err := formDate(pf.Get("date"), "结清日期")
	if err == nil && on.IsZero() {
		on = s.today()
	}
	if err == nil && s.today().Before(on) {
		err = monitor.Errorf(monitor.EINVALID, "结清日期 %s 晚于今天", on)
	}
	var interest monitor.Money
	if err == nil {
		interest, err = formMoney(pf.Get("interest"), "结清时支付的利息")
	}
	l := rec.Loan
	rest := l.Amount - l.PrincipalPaid(monitor.Date{Year: 9999, Month: 12, Day: 31})
	if err == nil && (rest > 0 || interest > 0) {
		err = s.db.AddRepayment(r.Context(), u.Scope(), rec.ID, &monitor.Repayment{Date: on, Principal: max(rest, 0), Interest: interest}, u.Username)
	}
	if err == nil {
		l.Status = monitor.LoanSettled
		err = s.db.UpdateLoan(r.Context(), u.Scope(), &l, u.Username)
	}
	if err != nil {
		s.loanRefused(w, r, err, nil, "settlement")
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditLoanSettle, Object: fmt.Sprintf("loan:%d", rec.ID),
		Detail: fmt.Sprintf("%s %s 结清，归还本金 %s 元", rec.HouseholdCode, on, max(rest, 0))})
	redirect(w, r, doneURL(fmt.Sprintf("/loans/%d", rec.ID), "settlement", s.reevaluate(r, rec.HouseholdID)))
}

// loanForm is a new loan as typed.
type loanForm struct {
	Borrower, Product, Bank, Contract, Amount, Term, Issue, Maturity, Rate, Purpose, Mode, Note string
}

type newLoanPage struct {
	H        *monitor.Household
	Form     loanForm
	Members  []memberOption
	Products []string
	Modes    []string
	Error    string
}

func (s *Server) newLoan(w http.ResponseWriter, r *http.Request) {
	s.renderNewLoan(w, r, http.StatusOK, loanForm{Product: monitor.ProductMicro, Mode: monitor.ModeInterestOnly, Issue: s.today().String(), Term: "36"}, "")
}

func (s *Server) renderNewLoan(w http.ResponseWriter, r *http.Request, status int, form loanForm, msg string) {
	h, err := s.db.FindHouseholdByCode(r.Context(), info(r).user.Scope(), chi.URLParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "loan_new", "新增贷款 · "+h.HeadName, newLoanPage{H: h, Form: form, Members: memberOptions(h),
		Products: []string{monitor.ProductMicro, monitor.ProductStartup, monitor.ProductOther},
		Modes:    []string{monitor.ModeInterestOnly, monitor.ModeAnnuity, monitor.ModeEqualPrincipal}, Error: msg})
}

// createLoan records a loan of a member of the household.
func (s *Server) createLoan(w http.ResponseWriter, r *http.Request) {
	h, ok := s.formHousehold(w, r)
	if !ok {
		return
	}
	u := info(r).user
	pf := r.PostForm
	form := loanForm{Borrower: pf.Get("borrower"), Product: pf.Get("product"), Bank: strings.TrimSpace(pf.Get("bank")),
		Contract: strings.TrimSpace(pf.Get("contract")), Amount: strings.TrimSpace(pf.Get("amount")), Term: strings.TrimSpace(pf.Get("term")),
		Issue: pf.Get("issue"), Maturity: pf.Get("maturity"), Rate: strings.TrimSpace(pf.Get("rate")), Purpose: strings.TrimSpace(pf.Get("purpose")),
		Mode: pf.Get("mode"), Note: strings.TrimSpace(pf.Get("note"))}
	l, err := form.loan(h)
	if err == nil {
		err = s.db.CreateLoan(r.Context(), u.Scope(), l, u.Username)
	}
	if err != nil {
		if st := status(err); st >= 500 || st == http.StatusNotFound || st == http.StatusForbidden {
			s.fail(w, r, err)
			return
		}
		s.renderNewLoan(w, r, status(err), form, messageOf(err))
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditLoanAdd, Object: fmt.Sprintf("loan:%d", l.ID),
		Detail: fmt.Sprintf("%s %s %s %s 元，%s 放款", h.Code, l.Product, l.BorrowerName, l.Amount, l.IssueDate)})
	redirect(w, r, doneURL(fmt.Sprintf("/loans/%d", l.ID), "loan", s.reevaluate(r, h.ID)))
}

// loan checks the form and turns it into a loan of a member of h.
func (f loanForm) loan(h *monitor.Household) (*monitor.Loan, error) {
	mb, ok := memberByOption(h, f.Borrower)
	if !ok {
		return nil, monitor.Errorf(monitor.EINVALID, "请从本户成员中选择贷款人")
	}
	l := &monitor.Loan{HouseholdCode: h.Code, BorrowerIDNumber: mb.IDNumber, BorrowerName: mb.Name, Relation: mb.Relation,
		Product: f.Product, Bank: f.Bank, Contract: f.Contract, Purpose: f.Purpose, Mode: f.Mode, Status: monitor.LoanNormal, Note: f.Note}
	var bad []string
	var err error
	if l.Amount, err = formMoney(f.Amount, "贷款金额"); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	} else if l.Amount == 0 {
		bad = append(bad, "请填写贷款金额")
	}
	if l.TermMonths, err = formInt(f.Term, "贷款期限（月）", 0, 600); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	}
	if l.IssueDate, err = formDate(f.Issue, "放款日期"); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	}
	if l.MaturityDate, err = formDate(f.Maturity, "到期日期"); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	}
	if f.Rate != "" {
		if l.RatePct, err = strconv.ParseFloat(strings.TrimSuffix(f.Rate, "%"), 64); err != nil {
			bad = append(bad, fmt.Sprintf("年利率“%s”不是数字，请填写百分数，如 3.45", f.Rate))
		}
	}
	if l.Purpose == "" {
		bad = append(bad, "请填写贷款用途（限生产经营：种植、养殖、加工、商贸等）")
	}
	if len(bad) > 0 {
		return nil, monitor.Errorf(monitor.EINVALID, "贷款信息有误：%s", strings.Join(bad, "；"))
	}
	return l, nil
}
