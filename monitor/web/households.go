package web

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

const perPage = 50

// householdsPage is the search form and one page of results.
type householdsPage struct {
	Filter     store.HouseholdFilter
	Items      []*monitor.Household
	Total      int
	Page       int
	Pages      int
	First      int
	Villages   []store.VillageCount
	Categories []string
	Risks      []string
}

// householdFilter reads the search of a list page or API call.
func householdFilter(r *http.Request, per int) (store.HouseholdFilter, int) {
	q := r.URL.Query()
	page := pageParam(r)
	f := store.HouseholdFilter{Township: q.Get("township"), Village: q.Get("village"), Category: q.Get("category"),
		Query: q.Get("q"), Flag: q.Get("flag"), Limit: per, Offset: (page - 1) * per}
	return f, page
}

func (s *Server) listHouseholds(w http.ResponseWriter, r *http.Request) {
	scope := info(r).user.Scope()
	f, page := householdFilter(r, perPage)
	items, total, err := s.db.FindHouseholds(r.Context(), scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	villages, err := s.db.VillagesIn(r.Context(), scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	risks, err := s.db.OpenRiskTypes(r.Context(), scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := householdsPage{Filter: f, Items: items, Total: total, Page: page, Pages: (total + perPage - 1) / perPage,
		First: f.Offset + 1, Villages: villages, Categories: monitor.Categories, Risks: risks}
	s.render(w, r, http.StatusOK, "households", "农户", p)
}

// householdView is everything shown about one household.
type householdView struct {
	H           *monitor.Household
	FullIDs     bool
	CanReveal   bool
	OpenFlags   []monitor.Flag
	ClosedFlags []monitor.Flag
	Changes     []monitor.Change
	Dept        []monitor.DeptRecord
	Leads       []monitor.Lead
	Work        *householdWork // cases, measures, cadres, loans (householdwork.go)
}

// loadHousehold loads a household of scope with its flags, history,
// department records and leads. Outside scope it is ENOTFOUND.
func (s *Server) loadHousehold(ctx context.Context, scope store.Scope, code string) (*householdView, error) {
	h, err := s.db.FindHouseholdByCode(ctx, scope, code)
	if err != nil {
		return nil, err
	}
	v := &householdView{H: h}
	flags, _, err := s.db.FindFlags(ctx, scope, store.FlagFilter{HouseholdCode: h.Code, Status: "all"})
	if err != nil {
		return nil, err
	}
	for _, f := range flags {
		if f.Status == monitor.FlagOpen {
			v.OpenFlags = append(v.OpenFlags, f)
		} else {
			v.ClosedFlags = append(v.ClosedFlags, f)
		}
	}
	if v.Changes, err = s.db.FindChanges(ctx, scope, h.Code); err != nil {
		return nil, err
	}
	if v.Dept, err = s.db.FindDeptRecords(ctx, scope, h.Code); err != nil {
		return nil, err
	}
	if v.Leads, err = s.db.FindHouseholdLeads(ctx, scope, h.Code); err != nil {
		return nil, err
	}
	if v.Work, err = s.loadWork(ctx, scope, h); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) showHousehold(w http.ResponseWriter, r *http.Request) {
	s.renderHousehold(w, r, false)
}

// revealIDs shows the household with full ID numbers, to county and admin
// users only, and records that they looked.
func (s *Server) revealIDs(w http.ResponseWriter, r *http.Request) {
	if !s.checkCSRF(w, r) {
		return
	}
	if !info(r).user.SeesFullIDs() {
		s.fail(w, r, monitor.Errorf(monitor.EFORBIDDEN, "只有区县和管理员账号可以查看完整的身份证号码"))
		return
	}
	s.renderHousehold(w, r, true)
}

func (s *Server) renderHousehold(w http.ResponseWriter, r *http.Request, full bool) {
	u := info(r).user
	v, err := s.loadHousehold(r.Context(), u.Scope(), chi.URLParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.FullIDs, v.CanReveal = full, u.SeesFullIDs() && !full
	v.Work.Notice = notice(r)
	action, detail := store.AuditViewHousehold, "农户页面"
	if full {
		action, detail = store.AuditRevealIDs, "农户页面：显示完整身份证号码"
	}
	s.audit(r, store.AuditEntry{Action: action, Object: "household:" + v.H.Code, Detail: detail})
	s.render(w, r, http.StatusOK, "household", "农户 "+v.H.HeadName, v)
}
