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
	"github.com/shouwang/shouwang/monitor/watch"
)

// routeCases adds 案件: the queue of identification and elimination cases,
// a case with its steps, and opening a case from a household.
func (s *Server) routeCases(r chi.Router) {
	r.Get("/cases", s.listCases)
	r.Get("/cases/{id}", s.showCase)
	r.Post("/cases/{id}/steps", s.recordStep)
	r.Post("/cases/{id}/cancel", s.cancelCase)
	r.Get("/households/{code}/cases/new", s.newCase)
	r.Post("/households/{code}/cases", s.openCase)
}

type casesPage struct {
	Filter   store.CaseFilter
	Items    []monitor.Case
	Pager    pager
	Overdue  int
	Villages []store.VillageCount
	Steps    []string
}

// caseFilter reads the filters of the case list and the API.
func caseFilter(r *http.Request) store.CaseFilter {
	q := r.URL.Query()
	return store.CaseFilter{Status: q.Get("status"), Township: q.Get("township"), Village: q.Get("village"),
		HouseholdCode: q.Get("household"), Kind: q.Get("kind"), NextStep: q.Get("step")}
}

// listCases is the 案件 work queue: overdue cases first, then by deadline.
func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scope := info(r).user.Scope()
	f := caseFilter(r)
	if f.Status == "" {
		f.Status = monitor.CaseOpen
	}
	today := s.today()
	cs, err := s.db.FindCases(ctx, scope, f, today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := pageParam(r)
	p := casesPage{Filter: f, Items: pageSlice(cs, page, perPage), Pager: newPager(page, perPage, len(cs)), Steps: monitor.CaseSteps}
	for _, c := range cs {
		if c.Overdue {
			p.Overdue++
		}
	}
	if p.Villages, err = s.db.VillagesIn(ctx, scope); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases", "案件", p)
}

// stepForm is what the next-step form holds, to show it again with an
// error.
type stepForm struct {
	Step, Date, Person, Note, NoticeStart, NoticeEnd, Override string
}

type casePage struct {
	C           *monitor.Case
	Flag        *monitor.Flag
	Steps       []string            // the procedure
	StepsDone   []*monitor.CaseStep // the recorded step of each, or nil
	Recorders   []string            // who may record each step, for people
	Next        string
	MayRecord   bool   // the user may record the next step
	WhyNot      string // else why not
	NoticeDays  int
	Blockers    []string
	MayOverride bool
	Form        stepForm
	Error       string
	Notice      string
	Today       monitor.Date
}

func (s *Server) showCase(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderCase(w, r, http.StatusOK, id, nil, "")
}

// renderCase shows a case with its steps as a timeline and the form for
// the next step only; form and msg, when set, are a refused step to show
// again with its reason.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, id int64, form *stepForm, msg string) {
	ctx := r.Context()
	u := info(r).user
	c, err := s.db.FindCase(ctx, u.Scope(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.today()
	c.Overdue = c.OverdueOn(today)
	in, err := s.rulesInForce(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := casePage{C: c, Next: c.NextStep(), NoticeDays: in.Config.Deadlines.NoticeDays, MayOverride: mayOverride(u), Error: msg, Notice: notice(r), Today: today}
	if c.Status != monitor.CaseOpen {
		p.Next = ""
	}
	p.Steps = monitor.CaseSteps
	p.StepsDone = make([]*monitor.CaseStep, len(p.Steps))
	p.Recorders = make([]string, len(p.Steps))
	for i, step := range p.Steps {
		p.Recorders[i] = monitor.StepRecorders(step)
	}
	for i := range c.Steps {
		if j := slices.Index(p.Steps, c.Steps[i].Step); j >= 0 && p.StepsDone[j] == nil {
			p.StepsDone[j] = &c.Steps[i]
		}
	}
	if p.Next != "" {
		// The form is offered only to whom may use it; others see who may.
		if err := monitor.MayRecordStep(c, p.Next, u.Username, u.Role); err != nil {
			p.WhyNot = monitor.ErrorMessage(err)
		} else {
			p.MayRecord = true
		}
	}
	if c.FlagID != nil {
		if f, err := s.db.FindFlag(ctx, u.Scope(), *c.FlagID); err == nil {
			p.Flag = f
		}
	}
	if c.Kind == monitor.CaseElimination && p.Next != "" {
		if p.Blockers, err = watch.EliminationBlockers(ctx, s.db, u.Scope(), c.HouseholdCode, today); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if form != nil {
		p.Form = *form
	} else {
		p.Form = stepForm{Step: p.Next, Date: today.String(), Person: u.Name()}
		if p.Next == monitor.StepNotice {
			p.Form.NoticeStart = today.AddDays(-in.Config.Deadlines.NoticeDays).String()
			p.Form.NoticeEnd = today.AddDays(-1).String()
		}
	}
	s.render(w, r, status, "case", fmt.Sprintf("案件 %d", c.ID), p)
}

// recordStep records the next step from the case page's form. A refused
// step (who may record it, order, dates, a public notice shorter than the
// configured days, an elimination whose conditions fail) shows the page
// again with the reason.
func (s *Server) recordStep(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.checkCSRF(w, r) {
		return
	}
	if _, err := s.db.FindCase(ctx, u.Scope(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	pf := r.PostForm
	form := stepForm{Step: pf.Get("step"), Date: pf.Get("date"), Person: strings.TrimSpace(pf.Get("person")), Note: strings.TrimSpace(pf.Get("note")),
		NoticeStart: pf.Get("notice_start"), NoticeEnd: pf.Get("notice_end"), Override: strings.TrimSpace(pf.Get("override_reason"))}
	if form.Override != "" {
		if err := monitor.CheckOverride(u.Role); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	step, err := form.step(u, s.today())
	if err == nil {
		var c *monitor.Case
		if c, err = watch.RecordStep(ctx, s.db, u.Scope(), id, step, form.Override, s.today()); err == nil {
			done, eval := s.stepRecorded(r, c, step)
			redirect(w, r, doneURL(fmt.Sprintf("/cases/%d", c.ID), done, eval))
			return
		}
	}
	if st := status(err); st >= 500 || st == http.StatusNotFound {
		s.fail(w, r, err)
		return
	}
	s.renderCase(w, r, status(err), id, &form, messageOf(err))
}

// step turns the form into a case step.
func (f stepForm) step(u *store.User, today monitor.Date) (monitor.CaseStep, error) {
	s := monitor.CaseStep{Step: f.Step, Person: f.Person, Note: f.Note, RecordedBy: u.Username, RecordedRole: u.Role}
	var err error
	if s.DoneOn, err = formDate(f.Date, "日期"); err != nil {
		return s, err
	}
	if s.DoneOn.IsZero() {
		s.DoneOn = today
	}
	if s.NoticeStart, err = formDate(f.NoticeStart, "公示开始日期"); err != nil {
		return s, err
	}
	if s.NoticeEnd, err = formDate(f.NoticeEnd, "公示结束日期"); err != nil {
		return s, err
	}
	return s, nil
}

// stepRecorded audits a recorded step and, when it completed the case,
// re-evaluates the household (its category changed). It returns the
// notice to show and the evaluation, if one ran.
func (s *Server) stepRecorded(r *http.Request, c *monitor.Case, step monitor.CaseStep) (string, *monitor.EvaluationCounts) {
	detail := step.Step + " " + step.DoneOn.String() + " 经办人 " + step.Person
	if step.Step == monitor.StepNotice {
		detail += fmt.Sprintf("（公示 %s 至 %s）", step.NoticeStart, step.NoticeEnd)
	}
	if c.OverrideReason != "" && c.Status == monitor.CaseDone {
		detail += "；特批理由：" + c.OverrideReason
	}
	s.audit(r, store.AuditEntry{Action: store.AuditCaseStep, Object: fmt.Sprintf("case:%d", c.ID), Detail: c.HouseholdCode + " " + detail})
	if c.Status == monitor.CaseDone {
		return "case_done", s.reevaluate(r, c.HouseholdID)
	}
	return "case_step", nil
}

func (s *Server) cancelCase(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.checkCSRF(w, r) {
		return
	}
	c, err := s.db.FindCase(ctx, u.Scope(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if err := s.db.CancelCase(ctx, u.Scope(), id, s.today(), reason); err != nil {
		if status(err) == http.StatusBadRequest {
			s.renderCase(w, r, http.StatusBadRequest, id, nil, messageOf(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.audit(r, store.AuditEntry{Action: store.AuditCaseCancel, Object: fmt.Sprintf("case:%d", id), Detail: c.HouseholdCode + " 撤销原因：" + reason})
	redirect(w, r, fmt.Sprintf("/cases/%d?done=case_cancel", id))
}

// caseForm is the form that opens a case, to show again with an error.
type caseForm struct {
	Kind, Category, Channel, Method, Date, Note, Override string
	Risks                                                 []string
	Emergency                                             bool
	FlagID                                                int64
}

type newCasePage struct {
	H           *monitor.Household
	Flag        *monitor.Flag
	Form        caseForm
	Blockers    []string
	MayOverride bool
	Categories  []string
	Risks       []string
	Channels    []string
	Methods     []string
	OpenCases   []monitor.Case
	Error       string
}

// newCase is the form that opens an identification (识别纳入) or a risk
// elimination (风险消除) for a household; from a flag it is an
// identification through the channel 风险预警.
func (s *Server) newCase(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form := caseForm{Kind: q.Get("kind"), Date: s.today().String(), Channel: "基层干部排查"}
	if form.Kind != monitor.CaseElimination {
		form.Kind = monitor.CaseInclusion
	}
	if v := q.Get("flag"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.fail(w, r, monitor.Errorf(monitor.ENOTFOUND, "预警不存在"))
			return
		}
		form.FlagID, form.Kind, form.Channel = id, monitor.CaseInclusion, "风险预警"
	}
	s.renderNewCase(w, r, http.StatusOK, form, "")
}

func (s *Server) renderNewCase(w http.ResponseWriter, r *http.Request, status int, form caseForm, msg string) {
	ctx := r.Context()
	u := info(r).user
	h, err := s.db.FindHouseholdByCode(ctx, u.Scope(), chi.URLParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := newCasePage{H: h, Form: form, MayOverride: mayOverride(u), Categories: monitor.Categories, Risks: monitor.Risks,
		Channels: monitor.CaseChannels, Methods: monitor.EliminationMethods, Error: msg}
	if form.FlagID != 0 {
		if p.Flag, err = s.scopedFlag(r, h, form.FlagID); err != nil {
			s.fail(w, r, err)
			return
		}
		if len(form.Risks) == 0 && form.Category == "" && slices.Contains(monitor.Risks, p.Flag.RiskType) {
			p.Form.Risks = []string{p.Flag.RiskType}
		}
	}
	if form.Kind == monitor.CaseElimination {
		if p.Blockers, err = watch.EliminationBlockers(ctx, s.db, u.Scope(), h.Code, s.today()); err != nil {
			s.fail(w, r, err)
			return
		}
		if form.Method == "" {
			p.Form.Method = monitor.EliminationMethods[0]
		}
	} else if len(p.Form.Risks) == 0 {
		p.Form.Risks = h.Risks
	}
	if p.OpenCases, err = s.db.FindCases(ctx, u.Scope(), store.CaseFilter{HouseholdCode: h.Code}, s.today()); err != nil {
		s.fail(w, r, err)
		return
	}
	title := "识别纳入"
	if form.Kind == monitor.CaseElimination {
		title = "风险消除"
	}
	s.render(w, r, status, "case_new", title+" · "+h.HeadName, p)
}

// scopedFlag returns a flag of household h; another household's flag (or
// one outside the user's place) is not found.
func (s *Server) scopedFlag(r *http.Request, h *monitor.Household, id int64) (*monitor.Flag, error) {
	f, err := s.db.FindFlag(r.Context(), info(r).user.Scope(), id)
	if err != nil {
		return nil, err
	}
	if f.HouseholdCode != h.Code {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "预警 %d 不存在", id)
	}
	return f, nil
}

// openCase opens the case the form describes.
func (s *Server) openCase(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	code := chi.URLParam(r, "code")
	if !s.checkCSRF(w, r) {
		return
	}
	h, err := s.db.FindHouseholdByCode(ctx, u.Scope(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pf := r.PostForm
	form := caseForm{Kind: pf.Get("kind"), Category: pf.Get("category"), Channel: pf.Get("channel"), Method: pf.Get("method"),
		Date: pf.Get("date"), Note: strings.TrimSpace(pf.Get("note")), Override: strings.TrimSpace(pf.Get("override_reason")),
		Risks: pf["risks"], Emergency: pf.Get("emergency") != ""}
	if v := pf.Get("flag_id"); v != "" {
		if form.FlagID, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.fail(w, r, monitor.Errorf(monitor.ENOTFOUND, "预警不存在"))
			return
		}
		if _, err := s.scopedFlag(r, h, form.FlagID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if form.Override != "" {
		if err := monitor.CheckOverride(u.Role); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	c, err := form.newCase(h, u)
	if err == nil {
		err = watch.OpenCase(ctx, s.db, u.Scope(), c, s.today())
	}
	if err != nil {
		if st := status(err); st >= 500 || st == http.StatusNotFound || st == http.StatusForbidden {
			s.fail(w, r, err)
			return
		}
		s.renderNewCase(w, r, status(err), form, messageOf(err))
		return
	}
	redirect(w, r, doneURL(fmt.Sprintf("/cases/%d", c.ID), "case_open", s.caseOpened(r, c)))
}

// newCase checks the form and turns it into a case.
func (f caseForm) newCase(h *monitor.Household, u *store.User) (*monitor.Case, error) {
	c := &monitor.Case{HouseholdCode: h.Code, Kind: f.Kind, Channel: f.Channel, Note: f.Note, OverrideReason: f.Override, OpenedBy: u.Username}
	var err error
	if c.OpenedOn, err = formDate(f.Date, "开始日期"); err != nil {
		return nil, err
	}
	if f.FlagID != 0 {
		id := f.FlagID
		c.FlagID = &id
	}
	if !slices.Contains(monitor.CaseChannels, c.Channel) {
		return nil, monitor.Errorf(monitor.EINVALID, "请选择识别渠道：%s", strings.Join(monitor.CaseChannels, "、"))
	}
	switch f.Kind {
	case monitor.CaseInclusion:
		c.Category, c.Emergency = f.Category, f.Emergency
		for _, risk := range f.Risks {
			if !slices.Contains(monitor.Risks, risk) {
				return nil, monitor.Errorf(monitor.EINVALID, "风险类型“%s”无效", risk)
			}
			if !slices.Contains(c.Risks, risk) {
				c.Risks = append(c.Risks, risk)
			}
		}
		if len(c.Risks) == 0 {
			return nil, monitor.Errorf(monitor.EINVALID, "请至少勾选一项风险类型")
		}
		if len(c.Risks) > monitor.MaxRisks {
			return nil, monitor.Errorf(monitor.EINVALID, "风险类型最多 %d 项，勾选了 %d 项", monitor.MaxRisks, len(c.Risks))
		}
	case monitor.CaseElimination:
		c.Method = f.Method
	default:
		return nil, monitor.Errorf(monitor.EINVALID, "案件类型无效")
	}
	return c, nil
}

// caseOpened audits an opened case and re-evaluates the household when an
// emergency inclusion made it monitored at once.
func (s *Server) caseOpened(r *http.Request, c *monitor.Case) *monitor.EvaluationCounts {
	detail := c.HouseholdCode + " " + c.Describe()
	if c.Category != "" {
		detail += " " + c.Category + " " + strings.Join(c.Risks, "、")
	}
	if c.Method != "" {
		detail += " " + c.Method
	}
	if c.OverrideReason != "" {
		detail += "；特批理由：" + c.OverrideReason
	}
	s.audit(r, store.AuditEntry{Action: store.AuditCaseOpen, Object: fmt.Sprintf("case:%d", c.ID), Detail: detail})
	if c.Emergency {
		return s.reevaluate(r, c.HouseholdID)
	}
	return nil
}
