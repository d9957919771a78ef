package web

import (
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// routeFlags adds 预警: the work queue of flags.
func (s *Server) routeFlags(r chi.Router) {
	r.Get("/flags", s.listFlags)
}

// ruleOption is a rule offered in a filter.
type ruleOption struct{ Code, Name string }

type flagsPage struct {
	Filter     store.FlagFilter
	Items      []monitor.Flag
	Pager      pager
	Villages   []store.VillageCount
	Risks      []string
	Rules      []ruleOption
	Severities []string
	LeadsOpen  int // -1 when the user may not see leads
	// Households are the flagged households of the page: 发起识别 is
	// offered on risk flags of households not monitored already.
	Households map[string]store.HouseholdBrief
}

// listFlags is the 预警 work queue: open flags (or, on the second tab,
// closed ones) of the user's place, each with its household, explanation,
// dates and the household's case, and 发起识别 where no case is open.
func (s *Server) listFlags(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scope := info(r).user.Scope()
	q := r.URL.Query()
	page := pageParam(r)
	f := store.FlagFilter{Status: monitor.FlagOpen, Township: q.Get("township"), Village: q.Get("village"), RiskType: q.Get("risk"),
		RuleCode: q.Get("rule"), Severity: q.Get("severity"), Limit: perPage, Offset: (page - 1) * perPage}
	if q.Get("status") == monitor.FlagClosed {
		f.Status = monitor.FlagClosed
	}
	items, total, err := s.db.FindFlags(ctx, scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := flagsPage{Filter: f, Items: items, Pager: newPager(page, perPage, total), Severities: []string{"高", "中", "低"}, LeadsOpen: -1}
	codes := make([]string, len(items))
	for i, f := range items {
		codes[i] = f.HouseholdCode
	}
	if p.Households, err = s.db.FindHouseholdBriefs(ctx, scope, codes); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Villages, err = s.db.VillagesIn(ctx, scope); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := s.rulesInForce(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, ru := range in.Set.Rules {
		p.Rules = append(p.Rules, ruleOption{ru.Code, ru.Name})
		if !slices.Contains(p.Risks, ru.Risk) {
			p.Risks = append(p.Risks, ru.Risk)
		}
	}
	if scope.All {
		leads, err := s.db.FindLeads(ctx, scope, "open")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.LeadsOpen = len(leads)
	}
	s.render(w, r, http.StatusOK, "flags", "预警", p)
}
