package web

import (
	"net/http"
	"strconv"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

type dashboardPage struct {
	S          *store.Summary
	Imports    []store.ImportRecord
	Leads      []monitor.Lead
	ByCategory chart
	ByRisk     chart
	ByVillage  chart
}

// showDashboard is 首页: the figures of the user's place, each a link to
// the list behind it.
func (s *Server) showDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scope := info(r).user.Scope()
	sum, err := s.db.Summarize(ctx, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := dashboardPage{S: sum}
	if p.Imports, err = s.db.FindImports(ctx, scope, 5); err != nil {
		s.fail(w, r, err)
		return
	}
	if sum.LeadsOpen > 0 {
		leads, err := s.db.FindLeads(ctx, scope, "open")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Leads = leads[max(0, len(leads)-10):]
	}
	var cat, risk, vil []bar
	for _, c := range sum.ByCategory {
		cat = append(cat, bar{Label: c.Label, N: c.N, Href: "/households" + queryString("category", c.Label)})
	}
	for _, c := range sum.FlagsByRisk {
		risk = append(risk, bar{Label: c.Label, N: c.N, Href: "/households" + queryString("flag", c.Label)})
	}
	for _, v := range sum.ByVillage {
		label := v.Village
		if scope.All {
			label = v.Township + " " + v.Village
		}
		vil = append(vil, bar{Label: label, N: v.Households, Href: "/households" + queryString("township", v.Township, "village", v.Village),
			Note: "监测 " + strconv.Itoa(v.Monitored)})
	}
	p.ByCategory = newChart(cat, "户")
	p.ByRisk = newChart(risk, "条")
	p.ByVillage = newChart(vil, "户")
	s.render(w, r, http.StatusOK, "dashboard", "首页", p)
}
