package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// routeAPIRecords adds the API for the work records: cases (list, one,
// open, record a step), measures and loans. Same scoping, audit and error
// JSON as the pages.
func (s *Server) routeAPIRecords(r chi.Router) {
	r.Get("/cases", s.apiListCases)
	r.Get("/cases/{id}", s.apiShowCase)
	r.Post("/cases", s.apiOpenCase)
	r.Post("/cases/{id}/steps", s.apiRecordStep)
	r.Get("/measures", s.apiListMeasures)
	r.Get("/loans", s.apiListLoans)
}

// listAnswer is the shape of every API list.
type listAnswer[T any] struct {
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Items   []T `json:"items"`
}

func answerList[T any](items []T, page, per int) listAnswer[T] {
	out := pageSlice(items, page, per)
	if out == nil {
		out = []T{}
	}
	return listAnswer[T]{Total: len(items), Page: page, PerPage: per, Items: out}
}

// decodeJSON reads a small JSON body into v, refusing unknown fields (a
// misspelt field would otherwise be silently ignored).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, formLimit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return monitor.Errorf(monitor.EINVALID, "请求体为空：需要 JSON 对象")
		}
		var me *monitor.Error
		if errors.As(err, &me) {
			return me
		}
		return monitor.Errorf(monitor.EINVALID, "请求体不是有效的 JSON：%v", err)
	}
	return nil
}

// apiCase is a case as the API answers it: with its next step.
type apiCase struct {
	monitor.Case
	NextStep string `json:"next_step"`
}

func apiCaseOf(c *monitor.Case) apiCase {
	ac := apiCase{Case: *c}
	if c.Status == monitor.CaseOpen {
		ac.NextStep = c.NextStep()
	}
	if ac.Steps == nil {
		ac.Steps = []monitor.CaseStep{}
	}
	return ac
}

// apiListCases lists cases: ?status=open|done|cancelled|all, village,
// household, kind, step (the next step), overdue=true.
func (s *Server) apiListCases(w http.ResponseWriter, r *http.Request) {
	page, per, err := apiPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := caseFilter(r)
	today := s.today()
	overdue, err := parseBool(r.URL.Query().Get("overdue"), "overdue", false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if overdue {
		f.OverdueOn = today
	}
	cs, err := s.db.FindCases(r.Context(), info(r).user.Scope(), f, today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]apiCase, len(cs))
	for i := range cs {
		items[i] = apiCaseOf(&cs[i])
	}
	writeJSON(w, http.StatusOK, answerList(items, page, per))
}

func (s *Server) apiShowCase(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.db.FindCase(r.Context(), info(r).user.Scope(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.Overdue = c.OverdueOn(s.today())
	writeJSON(w, http.StatusOK, apiCaseOf(c))
}

// caseRequest is the body of POST /api/v1/cases.
type caseRequest struct {
	HouseholdCode  string       `json:"household_code"`
	Kind           string       `json:"kind"`
	Channel        string       `json:"channel"`
	Category       string       `json:"category"`
	Risks          []string     `json:"risks"`
	Emergency      bool         `json:"emergency"`
	Method         string       `json:"method"`
	OpenedOn       monitor.Date `json:"opened_on"`
	Note           string       `json:"note"`
	OverrideReason string       `json:"override_reason"`
	FlagID         int64        `json:"flag_id"`
}

// apiOpenCase opens a case; the answer is 201 with the case.
func (s *Server) apiOpenCase(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	var req caseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.db.FindHouseholdByCode(ctx, u.Scope(), req.HouseholdCode)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if req.FlagID != 0 {
		if _, err := s.scopedFlag(r, h, req.FlagID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if strings.TrimSpace(req.OverrideReason) != "" {
		if err := monitor.CheckOverride(u.Role); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if req.Channel == "" {
		req.Channel = "基层干部排查"
		if req.FlagID != 0 {
			req.Channel = "风险预警"
		}
	}
	form := caseForm{Kind: req.Kind, Category: req.Category, Channel: req.Channel, Method: req.Method, Date: req.OpenedOn.String(),
		Note: strings.TrimSpace(req.Note), Override: strings.TrimSpace(req.OverrideReason), Risks: req.Risks, Emergency: req.Emergency, FlagID: req.FlagID}
	c, err := form.newCase(h, u)
	if err == nil {
		err = watch.OpenCase(ctx, s.db, u.Scope(), c, s.today())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.caseOpened(r, c)
	if c, err = s.db.FindCase(ctx, u.Scope(), c.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/cases/%d", c.ID))
	writeJSON(w, http.StatusCreated, apiCaseOf(c))
}

// stepRequest is the body of POST /api/v1/cases/{id}/steps.
type stepRequest struct {
	Step           string       `json:"step"`
	Date           monitor.Date `json:"date"`
	Person         string       `json:"person"`
	Note           string       `json:"note"`
	NoticeStart    monitor.Date `json:"notice_start"`
	NoticeEnd      monitor.Date `json:"notice_end"`
	OverrideReason string       `json:"override_reason"`
}

// apiRecordStep records the next step of a case as the token's or
// session's account and answers the case. A step the account may not
// record (monitor.MayRecordStep) is 403 with code "forbidden".
func (s *Server) apiRecordStep(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.db.FindCase(ctx, u.Scope(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	var req stepRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	override := strings.TrimSpace(req.OverrideReason)
	if override != "" {
		if err := monitor.CheckOverride(u.Role); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	step := monitor.CaseStep{Step: req.Step, DoneOn: req.Date, Person: strings.TrimSpace(req.Person), Note: strings.TrimSpace(req.Note),
		NoticeStart: req.NoticeStart, NoticeEnd: req.NoticeEnd, RecordedBy: u.Username, RecordedRole: u.Role}
	if step.DoneOn.IsZero() {
		step.DoneOn = s.today()
	}
	c, err := watch.RecordStep(ctx, s.db, u.Scope(), id, step, override, s.today())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.stepRecorded(r, c, step)
	c.Overdue = c.OverdueOn(s.today())
	writeJSON(w, http.StatusOK, apiCaseOf(c))
}

// apiMeasure is a measure as the API answers it: the member's ID masked
// for users who may not see it whole.
type apiMeasure struct {
	monitor.Measure
	InPlace bool `json:"in_place"`
}

// apiListMeasures lists measures: ?village, household, category, status
// (planned, in_place, ended).
func (s *Server) apiListMeasures(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	page, per, err := apiPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	ms, err := s.db.FindMeasures(r.Context(), u.Scope(), store.MeasureFilter{Township: q.Get("township"), Village: q.Get("village"),
		HouseholdCode: q.Get("household"), Category: q.Get("category"), Status: q.Get("status")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.today()
	items := make([]apiMeasure, len(ms))
	for i := range ms {
		ms[i].MemberID = maskFor(u, ms[i].MemberID)
		items[i] = apiMeasure{Measure: ms[i], InPlace: ms[i].ActiveOn(today)}
	}
	writeJSON(w, http.StatusOK, answerList(items, page, per))
}

// apiLoan is a loan with its figures as of the date asked, amounts in
// yuan as `shouwang loans --json` writes them.
type apiLoan struct {
	ID               int64               `json:"id"`
	HouseholdCode    string              `json:"household_code"`
	Township         string              `json:"township"`
	Village          string              `json:"village"`
	HeadName         string              `json:"head_name"`
	BorrowerName     string              `json:"borrower_name"`
	BorrowerIDNumber string              `json:"borrower_id_number"`
	Product          string              `json:"product"`
	Bank             string              `json:"bank"`
	AmountYuan       float64             `json:"amount_yuan"`
	TermMonths       int                 `json:"term_months"`
	IssueDate        monitor.Date        `json:"issue_date"`
	MaturityDate     monitor.Date        `json:"maturity_date"` // the 展期 date when extended
	ExtendedTo       monitor.Date        `json:"extended_to"`
	RatePct          float64             `json:"rate_pct"`
	Status           string              `json:"status"`
	AsOf             monitor.Date        `json:"as_of"`
	RepaidYuan       float64             `json:"repaid_yuan"`
	BalanceYuan      float64             `json:"balance_yuan"`
	DaysOverdue      int                 `json:"days_overdue"`
	Bucket           string              `json:"bucket"`
	SubsidyYuan      float64             `json:"subsidy_yuan"`
	Repayments       []monitor.Repayment `json:"repayments"`
}

func apiLoanOf(row *loanRow, u *store.User) apiLoan {
	l := &row.Loan
	reps := l.Repayments
	if reps == nil {
		reps = []monitor.Repayment{}
	}
	return apiLoan{ID: l.ID, HouseholdCode: l.HouseholdCode, Township: row.Township, Village: row.Village, HeadName: row.HeadName,
		BorrowerName: l.BorrowerName, BorrowerIDNumber: maskFor(u, l.BorrowerIDNumber), Product: l.Product, Bank: l.Bank,
		AmountYuan: l.Amount.Float(), TermMonths: l.TermMonths, IssueDate: l.IssueDate, MaturityDate: row.Maturity, ExtendedTo: l.ExtendedTo,
		RatePct: l.RatePct, Status: l.Status, AsOf: row.AsOf, RepaidYuan: row.Paid.Float(), BalanceYuan: row.Balance.Float(),
		DaysOverdue: row.DaysOverdue, Bucket: row.Bucket, SubsidyYuan: row.Subsidy.Float(), Repayments: reps}
}

// apiListLoans lists loans with balance, days overdue and bucket as of
// ?as_of (default today): ?village, household, year, product, overdue=true.
func (s *Server) apiListLoans(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	page, per, err := apiPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
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
	items := make([]apiLoan, len(lg.Rows))
	for i := range lg.Rows {
		items[i] = apiLoanOf(&lg.Rows[i], u)
	}
	writeJSON(w, http.StatusOK, answerList(items, page, per))
}

// apiWork is the work of a household in its API answer: measures, cadres,
// loans (with their figures as of today) and cases.
type apiWork struct {
	Measures []apiMeasure     `json:"measures"`
	Cadres   *store.CadreList `json:"cadres"`
	Loans    []apiLoan        `json:"loans"`
	Cases    []apiCase        `json:"cases"`
}

func apiWorkOf(wk *householdWork, u *store.User) apiWork {
	out := apiWork{Measures: []apiMeasure{}, Cadres: wk.Cadres, Loans: []apiLoan{}, Cases: []apiCase{}}
	for _, m := range wk.Measures {
		mm := m.Measure
		mm.MemberID = maskFor(u, mm.MemberID)
		out.Measures = append(out.Measures, apiMeasure{Measure: mm, InPlace: m.InPlace})
	}
	for i := range wk.Loans {
		out.Loans = append(out.Loans, apiLoanOf(&wk.Loans[i], u))
	}
	for i := range wk.Cases {
		out.Cases = append(out.Cases, apiCaseOf(&wk.Cases[i]))
	}
	return out
}
