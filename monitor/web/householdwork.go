package web

import (
	"context"
	"net/http"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// householdWork is the work recorded on a household, shown on its page
// under the registry data: cases, measures with the forms to add and end
// them, the responsible cadre, and loans.
type householdWork struct {
	Cases        []monitor.Case
	Measures     []measureRow
	Cadres       *store.CadreList
	Loans        []loanRow
	Members      []memberOption
	Categories   []string
	Statuses     []option
	MeasureForm  measureForm
	CadreForm    cadreForm
	FormError    string // the message of a refused form …
	ErrorFor     string // … and which: "measure" or "cadre"
	Notice       string
	Today        monitor.Date
	OpenCase     bool // a case of the household is open
	CanInclude   bool // not monitored, or its risk eliminated
	CanEliminate bool // monitored and its risk not eliminated
}

// measureRow is a measure with the name of the member it helps.
type measureRow struct {
	monitor.Measure
	MemberName string
	InPlace    bool // in place today
}

// loadWork loads the work of household h (of scope) as of today.
func (s *Server) loadWork(ctx context.Context, scope store.Scope, h *monitor.Household) (*householdWork, error) {
	today := s.today()
	wk := &householdWork{Members: memberOptions(h), Categories: monitor.MeasureCategories, Statuses: measureStatusOptions, Today: today,
		CanInclude: !h.Monitored() || h.RiskEliminated, CanEliminate: h.Monitored() && !h.RiskEliminated}
	wk.MeasureForm = measureForm{Status: monitor.MeasureInPlace, Start: today.String()}
	wk.CadreForm = cadreForm{From: today.String()}
	var err error
	if wk.Cases, err = s.db.FindCases(ctx, scope, store.CaseFilter{HouseholdCode: h.Code, Status: "all"}, today); err != nil {
		return nil, err
	}
	for _, c := range wk.Cases {
		wk.OpenCase = wk.OpenCase || c.Status == monitor.CaseOpen
	}
	ms, err := s.db.FindMeasures(ctx, scope, store.MeasureFilter{HouseholdCode: h.Code})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, m := range h.Members {
		names[m.IDNumber] = m.Name
	}
	for _, m := range ms {
		wk.Measures = append(wk.Measures, measureRow{Measure: m, MemberName: names[m.MemberID], InPlace: m.ActiveOn(today)})
	}
	if wk.Cadres, err = s.db.FindCadres(ctx, scope, h.Code, today); err != nil {
		return nil, err
	}
	loans, err := s.db.FindLoans(ctx, scope, store.LoanFilter{HouseholdCode: h.Code})
	if err != nil {
		return nil, err
	}
	in, err := s.rulesInForce(ctx)
	if err != nil {
		return nil, err
	}
	for i := range loans {
		wk.Loans = append(wk.Loans, newLoanRow(&loans[i], today, in))
	}
	return wk, nil
}

// renderHouseholdForm shows a household's page again after one of its
// forms was refused, with the message and what was typed.
func (s *Server) renderHouseholdForm(w http.ResponseWriter, r *http.Request, status int, code string, set func(wk *householdWork)) {
	u := info(r).user
	v, err := s.loadHousehold(r.Context(), u.Scope(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.CanReveal = u.SeesFullIDs()
	set(v.Work)
	s.render(w, r, status, "household", "农户 "+v.H.HeadName, v)
}
