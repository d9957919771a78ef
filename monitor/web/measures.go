package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// routeMeasures adds 帮扶: the measures list with each village's coverage,
// and the forms of a household's measures and responsible cadre.
func (s *Server) routeMeasures(r chi.Router) {
	r.Get("/measures", s.listMeasures)
	r.Post("/households/{code}/measures", s.addMeasure)
	r.Get("/households/{code}/measures/{id}", s.editMeasure)
	r.Post("/households/{code}/measures/{id}", s.saveMeasure)
	r.Post("/households/{code}/measures/{id}/end", s.endMeasure)
	r.Post("/households/{code}/cadres", s.setCadre)
}

// publicJobs is the category whose measures count months employed.
const publicJobs = "公益岗位帮扶"

type measuresPage struct {
	Filter     store.MeasureFilter
	AsOf       monitor.Date
	Items      []monitor.Measure
	Pager      pager
	Coverage   []store.Coverage
	Total      store.Coverage
	Villages   []store.VillageCount
	Categories []string
	Statuses   []option
	Households map[string]store.HouseholdBrief // of the page's measures
}

// listMeasures lists the measures of the user's place by village and
// category, with each village's 帮扶措施落实率 (monitored households with a
// measure in place ÷ monitored households) as of a date.
func (s *Server) listMeasures(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scope := info(r).user.Scope()
	q := r.URL.Query()
	asOf, err := formDate(q.Get("as_of"), "统计日期")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if asOf.IsZero() {
		asOf = s.today()
	}
	f := store.MeasureFilter{Township: q.Get("township"), Village: q.Get("village"), Category: q.Get("category"), Status: q.Get("status")}
	ms, err := s.db.FindMeasures(ctx, scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := pageParam(r)
	p := measuresPage{Filter: f, AsOf: asOf, Items: pageSlice(ms, page, perPage), Pager: newPager(page, perPage, len(ms)),
		Categories: monitor.MeasureCategories, Statuses: measureStatusOptions}
	codes := make([]string, len(p.Items))
	for i, m := range p.Items {
		codes[i] = m.HouseholdCode
	}
	if p.Households, err = s.db.FindHouseholdBriefs(ctx, scope, codes); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Coverage, err = s.db.MeasureCoverage(ctx, scope, asOf); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range p.Coverage {
		p.Total.Monitored += c.Monitored
		p.Total.WithMeasure += c.WithMeasure
	}
	if p.Villages, err = s.db.VillagesIn(ctx, scope); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "measures", "帮扶措施", p)
}

// measureForm is a measure as typed, to show again with an error.
type measureForm struct {
	ID                                                    int64
	Category, SubType, Member, Start, End, Amount, Months string
	Status, Note                                          string
}

func measureFormOf(r *http.Request) measureForm {
	pf := r.PostForm
	return measureForm{Category: pf.Get("category"), SubType: strings.TrimSpace(pf.Get("sub_type")), Member: pf.Get("member"),
		Start: pf.Get("start"), End: pf.Get("end"), Amount: strings.TrimSpace(pf.Get("amount")), Months: strings.TrimSpace(pf.Get("months")),
		Status: pf.Get("status"), Note: strings.TrimSpace(pf.Get("note"))}
}

// formOfMeasure fills the form with a stored measure.
func formOfMeasure(m *monitor.Measure, h *monitor.Household) measureForm {
	f := measureForm{ID: m.ID, Category: m.Category, SubType: m.SubType, Start: m.Start.String(), End: m.End.String(),
		Status: m.Status, Note: m.Note}
	if m.Amount != 0 {
		f.Amount = m.Amount.String()
	}
	if m.Months != 0 {
		f.Months = strconv.Itoa(m.Months)
	}
	for _, mb := range h.Members {
		if mb.IDNumber == m.MemberID && m.MemberID != "" {
			f.Member = strconv.FormatInt(mb.ID, 10)
		}
	}
	return f
}

// measure checks the form and turns it into a measure of household h.
func (f measureForm) measure(h *monitor.Household) (*monitor.Measure, error) {
	m := &monitor.Measure{ID: f.ID, HouseholdCode: h.Code, Category: f.Category, SubType: f.SubType, Status: f.Status, Note: f.Note}
	var bad []string
	if !slices.Contains(monitor.MeasureCategories, f.Category) {
		bad = append(bad, "请选择帮扶措施类别")
	}
	if _, ok := measureStatusNames[f.Status]; !ok {
		bad = append(bad, "请选择状态：计划、已落实或已结束")
	}
	var err error
	if m.Start, err = formDate(f.Start, "开始日期"); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	}
	if m.End, err = formDate(f.End, "结束日期"); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	}
	if !m.Start.IsZero() && !m.End.IsZero() && m.End.Before(m.Start) {
		bad = append(bad, "结束日期早于开始日期")
	}
	if f.Status == monitor.MeasureEnded && m.End.IsZero() {
		bad = append(bad, "已结束的措施请填写结束日期")
	}
	if m.Amount, err = formMoney(f.Amount, "金额"); err != nil {
		bad = append(bad, monitor.ErrorMessage(err))
	}
	if f.Category == publicJobs {
		if m.Months, err = formInt(f.Months, "公益岗位务工月数", 0, 12); err != nil {
			bad = append(bad, monitor.ErrorMessage(err))
		}
	} else if f.Months != "" && f.Months != "0" {
		bad = append(bad, "只有公益岗位帮扶填写务工月数")
	}
	if f.Member != "" {
		mb, ok := memberByOption(h, f.Member)
		if !ok {
			bad = append(bad, "受益成员不是本户成员")
		}
		m.MemberID = mb.IDNumber
	}
	if len(bad) > 0 {
		return nil, monitor.Errorf(monitor.EINVALID, "帮扶措施有误：%s", strings.Join(bad, "；"))
	}
	return m, nil
}

// addMeasure records a measure typed on the household page, then
// re-evaluates the household (a measure in place closes "no measure").
func (s *Server) addMeasure(w http.ResponseWriter, r *http.Request) {
	h, ok := s.formHousehold(w, r)
	if !ok {
		return
	}
	u := info(r).user
	form := measureFormOf(r)
	m, err := form.measure(h)
	if err == nil {
		err = s.db.CreateMeasure(r.Context(), u.Scope(), m, u.Username)
	}
	if err != nil {
		s.measureRefused(w, r, h, form, err)
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditMeasureAdd, Object: fmt.Sprintf("measure:%d", m.ID), Detail: h.Code + " " + measureText(m)})
	redirect(w, r, doneURL("/households/"+h.Code, "measure", s.reevaluate(r, h.ID))+"#measures")
}

// measureRefused shows the form again with the reason it was refused: on
// the household page for a new measure, on the edit page for an edit.
func (s *Server) measureRefused(w http.ResponseWriter, r *http.Request, h *monitor.Household, form measureForm, err error) {
	st := status(err)
	if st >= 500 || st == http.StatusNotFound || st == http.StatusForbidden {
		s.fail(w, r, err)
		return
	}
	if form.ID != 0 {
		s.renderMeasure(w, r, st, h, form, messageOf(err))
		return
	}
	s.renderHouseholdForm(w, r, st, h.Code, func(wk *householdWork) {
		wk.MeasureForm, wk.FormError, wk.ErrorFor = form, messageOf(err), "measure"
	})
}

func measureText(m *monitor.Measure) string {
	s := m.Category
	if m.SubType != "" {
		s += "/" + m.SubType
	}
	return s + "（" + measureStatusNames[m.Status] + "）"
}

// formHousehold checks the form's CSRF token and loads the household of
// the path within the user's place.
func (s *Server) formHousehold(w http.ResponseWriter, r *http.Request) (*monitor.Household, bool) {
	if !s.checkCSRF(w, r) {
		return nil, false
	}
	h, err := s.db.FindHouseholdByCode(r.Context(), info(r).user.Scope(), chi.URLParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return h, true
}

// householdMeasure finds measure {id} among the measures of household
// {code} of the user's place; elsewhere it is not found.
func (s *Server) householdMeasure(r *http.Request, h *monitor.Household) (*monitor.Measure, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	ms, err := s.db.FindMeasures(r.Context(), info(r).user.Scope(), store.MeasureFilter{HouseholdCode: h.Code})
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].ID == id {
			return &ms[i], nil
		}
	}
	return nil, monitor.Errorf(monitor.ENOTFOUND, "帮扶措施 %d 不存在", id)
}

type measurePage struct {
	H          *monitor.Household
	Form       measureForm
	Members    []memberOption
	Categories []string
	Statuses   []option
	Today      monitor.Date
	Error      string
}

func (s *Server) editMeasure(w http.ResponseWriter, r *http.Request) {
	h, err := s.db.FindHouseholdByCode(r.Context(), info(r).user.Scope(), chi.URLParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.householdMeasure(r, h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderMeasure(w, r, http.StatusOK, h, formOfMeasure(m, h), "")
}

func (s *Server) renderMeasure(w http.ResponseWriter, r *http.Request, status int, h *monitor.Household, form measureForm, msg string) {
	s.render(w, r, status, "measure", "帮扶措施 · "+h.HeadName, measurePage{H: h, Form: form, Members: memberOptions(h),
		Categories: monitor.MeasureCategories, Statuses: measureStatusOptions, Today: s.today(), Error: msg})
}

func (s *Server) saveMeasure(w http.ResponseWriter, r *http.Request) {
	h, ok := s.formHousehold(w, r)
	if !ok {
		return
	}
	u := info(r).user
	old, err := s.householdMeasure(r, h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := measureFormOf(r)
	form.ID = old.ID
	m, err := form.measure(h)
	if err == nil {
		err = s.db.UpdateMeasure(r.Context(), u.Scope(), m, u.Username)
	}
	if err != nil {
		s.measureRefused(w, r, h, form, err)
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditMeasureEdit, Object: fmt.Sprintf("measure:%d", m.ID), Detail: h.Code + " " + measureText(m)})
	redirect(w, r, doneURL("/households/"+h.Code, "measure", s.reevaluate(r, h.ID))+"#measures")
}

// endMeasure ends a measure on the date given (default today).
func (s *Server) endMeasure(w http.ResponseWriter, r *http.Request) {
	h, ok := s.formHousehold(w, r)
	if !ok {
		return
	}
	u := info(r).user
	m, err := s.householdMeasure(r, h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	end, err := formDate(r.PostForm.Get("end"), "结束日期")
	if err == nil && end.IsZero() {
		end = s.today()
	}
	if err == nil && !m.Start.IsZero() && end.Before(m.Start) {
		err = monitor.Errorf(monitor.EINVALID, "结束日期 %s 早于开始日期 %s", end, m.Start)
	}
	if err == nil {
		m.End, m.Status = end, monitor.MeasureEnded
		err = s.db.UpdateMeasure(r.Context(), u.Scope(), m, u.Username)
	}
	if err != nil {
		s.measureRefused(w, r, h, formOfMeasure(m, h), err)
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditMeasureEnd, Object: fmt.Sprintf("measure:%d", m.ID), Detail: h.Code + " " + measureText(m) + " 结束于 " + end.String()})
	redirect(w, r, doneURL("/households/"+h.Code, "measure_end", s.reevaluate(r, h.ID))+"#measures")
}

// cadreForm is a responsible cadre as typed.
type cadreForm struct {
	Name, Unit, Phone, From string
}

// setCadre makes the person typed the household's responsible cadre from
// the date given; the previous one's period ends the day before.
func (s *Server) setCadre(w http.ResponseWriter, r *http.Request) {
	h, ok := s.formHousehold(w, r)
	if !ok {
		return
	}
	u := info(r).user
	pf := r.PostForm
	form := cadreForm{Name: strings.TrimSpace(pf.Get("name")), Unit: strings.TrimSpace(pf.Get("unit")), Phone: strings.TrimSpace(pf.Get("phone")), From: pf.Get("from")}
	c := &monitor.Cadre{Name: form.Name, Unit: form.Unit, Phone: form.Phone}
	var err error
	if c.From, err = formDate(form.From, "帮扶开始日期"); err == nil {
		err = s.db.SetCadre(r.Context(), u.Scope(), h.Code, c, u.Username)
	}
	if err != nil {
		if st := status(err); st >= 500 || st == http.StatusNotFound || st == http.StatusForbidden {
			s.fail(w, r, err)
			return
		}
		s.renderHouseholdForm(w, r, status(err), h.Code, func(wk *householdWork) {
			wk.CadreForm, wk.FormError, wk.ErrorFor = form, messageOf(err), "cadre"
		})
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditCadreSet, Object: "household:" + h.Code, Detail: strings.TrimSpace(c.Name + " " + c.Unit + " 自 " + c.From.String())})
	redirect(w, r, doneURL("/households/"+h.Code, "cadre", nil)+"#cadres")
}
