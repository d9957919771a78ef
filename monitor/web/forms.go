package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/rules"
)

// Helpers shared by the work pages (预警, 案件, 帮扶, 信贷, 规则, 审计): path
// and form values, roles, the rules in force, paging and notices.

func init() {
	funcs["pct"] = func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }
	funcs["caseStatus"] = func(s string) string { return caseStatusNames[s] }
	funcs["caseKind"] = monitor.CaseKindLabel
	funcs["measureStatus"] = func(s string) string { return measureStatusNames[s] }
	funcs["yuan"] = yuanText
	funcs["wan"] = func(m monitor.Money) string { return strconv.FormatFloat(m.Float()/10000, 'f', 2, 64) }
	funcs["isoDate"] = func(d monitor.Date) string { return d.String() }
	funcs["contains"] = func(list []string, s string) bool { return slices.Contains(list, s) }
	funcs["ruleKind"] = func(k string) string {
		if n, ok := ruleKindNames[k]; ok {
			return n
		}
		return k
	}
	funcs["measureFields"] = func(f measureForm, members []memberOption, cats []string, statuses []option, csrf, action, button string) measureFieldsView {
		return measureFieldsView{Form: f, Members: members, Categories: cats, Statuses: statuses, CSRF: csrf, Action: action, Button: button}
	}
	funcs["delta"] = func(from, to int) string {
		switch d := to - from; {
		case d > 0:
			return "+" + strconv.Itoa(d)
		case d < 0:
			return strconv.Itoa(d)
		}
		return "—"
	}
	funcs["yesnoParam"] = func(b bool) string {
		if b {
			return "true"
		}
		return ""
	}
	funcs["auditObject"] = auditObject
	funcs["maskIDs"] = maskIDs
	funcs["auditAction"] = func(a string) string {
		if n, ok := auditActionNames[a]; ok {
			return n
		}
		return a
	}
}

// measureFieldsView is what the measure form partial (_measure_form.html)
// needs, on the household page and the edit page alike.
type measureFieldsView struct {
	Form       measureForm
	Members    []memberOption
	Categories []string
	Statuses   []option
	CSRF       string
	Action     string
	Button     string
}

// maskIDs masks every ID number (a run of 15 or 18 digits, the last may
// be X) inside a text, such as a loan's key "身份证号/放款日期/金额" in a
// change history, for users who may not see ID numbers whole.
func maskIDs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || (s[j] == 'X' || s[j] == 'x') && j > i) {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		if run := s[i:j]; len(run) == 18 || len(run) == 15 && !strings.ContainsAny(run, "Xx") {
			b.WriteString(monitor.MaskID(run))
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// auditObject links an audit entry's object to its page where it has one
// ("household:…", "case:…", "loan:…").
func auditObject(obj string) template.HTML {
	kind, id, _ := strings.Cut(obj, ":")
	prefix := map[string]string{"household": "/households/", "case": "/cases/", "loan": "/loans/"}[kind]
	if prefix == "" || id == "" {
		return template.HTML(template.HTMLEscapeString(obj))
	}
	return template.HTML(`<a href="` + template.HTMLEscapeString(prefix+url.PathEscape(id)) + `">` + template.HTMLEscapeString(obj) + `</a>`)
}

var caseStatusNames = map[string]string{monitor.CaseOpen: "办理中", monitor.CaseDone: "已办结", monitor.CaseCancelled: "已撤销", "": "—"}

var measureStatusNames = map[string]string{monitor.MeasurePlanned: "计划", monitor.MeasureInPlace: "已落实", monitor.MeasureEnded: "已结束"}

// option is a value offered in a select, with its label.
type option struct{ Value, Label string }

var measureStatusOptions = []option{{monitor.MeasurePlanned, "计划"}, {monitor.MeasureInPlace, "已落实"}, {monitor.MeasureEnded, "已结束"}}

var ruleKindNames = map[string]string{rules.KindRisk: "风险", rules.KindQuality: "数据质量", rules.KindLoan: "小额信贷"}

// yuanText writes an amount with thousands separators: 1,234,567.80.
func yuanText(m monitor.Money) string {
	s := m.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String() + "." + frac
}

// idParam reads a numeric path parameter. Anything else is a page that
// does not exist (404), like an id outside the user's place.
func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, monitor.Errorf(monitor.ENOTFOUND, "页面不存在")
	}
	return id, nil
}

// formDate reads an optional YYYY-MM-DD field (what <input type=date>
// sends); label names it in the error.
func formDate(v, label string) (monitor.Date, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return monitor.Date{}, nil
	}
	d, _, err := monitor.ParseDateText(v)
	if err != nil {
		return monitor.Date{}, monitor.Errorf(monitor.EINVALID, "%s“%s”不是有效日期，请写成 2023-01-15 的样式", label, v)
	}
	return d, nil
}

// formMoney reads an optional amount in yuan, at least 0.
func formMoney(v, label string) (monitor.Money, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	m, err := monitor.ParseMoney(v, 1)
	if err != nil {
		return 0, monitor.Errorf(monitor.EINVALID, "%s“%s”不是有效金额，请填写元，如 1200 或 1200.50", label, v)
	}
	if m < 0 {
		return 0, monitor.Errorf(monitor.EINVALID, "%s不能为负数", label)
	}
	return m, nil
}

// formInt reads an optional whole number between lo and hi.
func formInt(v, label string, lo, hi int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, monitor.Errorf(monitor.EINVALID, "%s应为 %d 到 %d 之间的整数，收到“%s”", label, lo, hi, v)
	}
	return n, nil
}

// requireRoles lets through users of the given roles; the others get 403.
func (s *Server) requireRoles(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u := info(r).user; u == nil || !slices.Contains(roles, u.Role) {
				names := make([]string, len(roles))
				for i, ro := range roles {
					names[i] = store.RoleNames[ro]
				}
				s.fail(w, r, monitor.Errorf(monitor.EFORBIDDEN, "此页面只对%s账号开放", strings.Join(names, "、")))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// mayOverride reports whether u may override a refused risk elimination
// with a reason: township, county and admin users; village users may not.
func mayOverride(u *store.User) bool { return u.Role != store.RoleVillage }

var errNoOverride = monitor.Errorf(monitor.EFORBIDDEN, "村级账号不能特批风险消除：不符合条件的，请由乡镇、区县或管理员账号填写理由后办理")

// inForce is the rule set and parameters in force, read without saving
// anything (a page view must not write the first version).
// inForce is the rule set and parameters in force (watch.InForce).
type inForce = watch.Loaded

func (s *Server) rulesInForce(ctx context.Context) (*inForce, error) {
	return watch.InForce(ctx, s.db)
}

// reevaluate evaluates one household again after a change made on a page,
// as of the date the registry was last evaluated as of (nothing runs when
// it never was). A failure is logged: the change itself is saved.
func (s *Server) reevaluate(r *http.Request, householdID int64) *monitor.EvaluationCounts {
	c, err := imports.Reevaluate(r.Context(), s.db, monitor.Date{}, []int64{householdID})
	if err != nil {
		s.log.Error("修改后重新评估失败", "household", householdID, "err", err)
	}
	return c
}

// pager is one page of a list.
type pager struct {
	Page, Pages, Total, First, Last int
}

// maxPage bounds a requested page, so that page × per_page cannot
// overflow: a page past the end is an empty page with the right total.
const maxPage = 1_000_000

// pageParam reads ?page= (from 1, at most maxPage; anything else is 1).
func pageParam(r *http.Request) int {
	p, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return min(max(p, 1), maxPage)
}

func newPager(page, per, total int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+per-1)/per)}
	p.First = (page-1)*per + 1
	p.Last = min(total, page*per)
	return p
}

// pageSlice cuts one page out of a list loaded whole.
func pageSlice[T any](items []T, page, per int) []T {
	lo := min(len(items), (page-1)*per)
	return items[lo:min(len(items), lo+per)]
}

// notices are the messages a page shows after a form was saved, by the
// code in ?done=, so a redirect never carries text of its own.
var notices = map[string]string{
	"case_open":   "案件已开启。",
	"case_step":   "步骤已记录。",
	"case_done":   "全部步骤已完成，结果已记入农户信息。",
	"case_cancel": "案件已撤销。",
	"measure":     "帮扶措施已保存。",
	"measure_end": "帮扶措施已结束。",
	"cadre":       "帮扶责任人已保存。",
	"loan":        "贷款已登记。",
	"repayment":   "还款已记录。",
	"extension":   "展期已记录。",
	"settlement":  "贷款已结清。",
	"lead":        "线索状态已更新。",
	"rules":       "规则已保存为新版本。",
	"params":      "参数已保存为新版本。",
}

// notice is the message of ?done=, and whether the change was followed by
// a re-evaluation (?eval=1).
func notice(r *http.Request) string {
	q := r.URL.Query()
	msg := notices[q.Get("done")]
	if msg != "" && q.Get("eval") != "" {
		msg += "已按最近一次评估的日期重新评估，预警已随之更新。"
	}
	return msg
}

// doneURL is where a saved form goes: path with the notice code, and
// eval=1 when a re-evaluation ran.
func doneURL(path, code string, eval *monitor.EvaluationCounts) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	u := path + sep + "done=" + code
	if eval != nil {
		u += "&eval=1"
	}
	return u
}

// memberOption is a member offered in a form: chosen by the row id, so a
// form never carries a full ID number that the user may not see.
type memberOption struct {
	ID       int64
	Name     string
	Relation string
}

func memberOptions(h *monitor.Household) []memberOption {
	var out []memberOption
	for _, m := range h.Members {
		if !m.Missing {
			out = append(out, memberOption{ID: m.ID, Name: m.Name, Relation: m.Relation})
		}
	}
	return out
}

// memberByOption returns the member a form chose, or ok=false.
func memberByOption(h *monitor.Household, v string) (monitor.Member, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return monitor.Member{}, false
	}
	for _, m := range h.Members {
		if m.ID == id {
			return m, true
		}
	}
	return monitor.Member{}, false
}

// maskFor masks an ID number unless the user may see it whole.
func maskFor(u *store.User, id string) string {
	if u.SeesFullIDs() {
		return id
	}
	return monitor.MaskID(id)
}
