package web

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// routeLeads adds 部门推送线索: people on department lists who are in no
// household. A lead belongs to no place, so only county and admin users
// see and settle them.
func (s *Server) routeLeads(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRoles(store.RoleCounty, store.RoleAdmin))
		r.Get("/leads", s.listLeads)
		r.Post("/leads/{id}/status", s.setLeadStatus)
	})
}

// leadStatusNames are the lead statuses in Chinese.
var leadStatusNames = map[string]string{"open": "待核实", "checked": "已核实", "dismissed": "不予处理"}

type leadsPage struct {
	Status   string
	Items    []monitor.Lead
	Statuses map[string]string
	Notice   string
}

func (s *Server) listLeads(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if _, ok := leadStatusNames[status]; !ok && status != "all" {
		status = "open"
	}
	leads, err := s.db.FindLeads(r.Context(), info(r).user.Scope(), status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "leads", "部门推送线索", leadsPage{Status: status, Items: leads, Statuses: leadStatusNames, Notice: notice(r)})
}

// setLeadStatus records that a lead was checked (已核实) or dismissed
// (不予处理), or opens it again.
func (s *Server) setLeadStatus(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.checkCSRF(w, r) {
		return
	}
	status := r.PostForm.Get("status")
	if err := s.db.SetLeadStatus(r.Context(), id, status); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditLeadStatus, Object: fmt.Sprintf("lead:%d", id), Detail: leadStatusNames[status]})
	redirect(w, r, "/leads?done=lead")
}
