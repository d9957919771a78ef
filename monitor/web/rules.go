package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/rules"
)

// routeRules adds 规则 (administrators only): the rules in force, the
// editor with live checking and a preview, the version history, and the
// parameters page.
func (s *Server) routeRules(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRoles(store.RoleAdmin))
		r.Get("/rules", s.listRules)
		r.Get("/rules/edit", s.editRules)
		r.Post("/rules/check", s.checkRules)
		r.Post("/rules/preview", s.previewRules)
		r.Post("/rules", s.saveRules)
		r.Get("/rules/params", s.showParams)
		r.Post("/rules/params", s.saveParams)
	})
}

// rulesFormLimit bounds a posted rule file: the default one is about
// 28 KB, three times that once URL-encoded.
const rulesFormLimit = 2 << 20

type rulesPage struct {
	In       *inForce
	Versions []monitor.ConfigVersion
	Open     map[string]int
	Notice   string
}

// listRules shows the rules of the version in force, each with its
// condition and explanation, and the version history.
func (s *Server) listRules(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in, err := s.rulesInForce(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := rulesPage{In: in, Notice: notice(r)}
	if p.Versions, err = s.db.FindConfigVersions(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Open, err = s.db.OpenFlagsByRule(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rules", "规则", p)
}

// editorPage is the rule editor, with a check, a preview or a refused
// save below it.
type editorPage struct {
	Version  int64
	Source   string
	Note     string
	Problems []problem
	Failures []string
	Preview  *previewView
	Error    string
}

func (s *Server) editRules(w http.ResponseWriter, r *http.Request) {
	in, err := s.rulesInForce(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rules_edit", "编辑规则", editorPage{Version: in.Version, Source: in.Source})
}

// problem is one thing wrong with a rule file, placed in the file.
type problem struct {
	Rule    string `json:"rule,omitempty"`
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line"`   // 1-based line of the file; 0 when unknown
	Column  int    `json:"column"` // 1-based column (characters); 0 when unknown
	Message string `json:"message"`
}

// checkResult is the answer of /rules/check.
type checkResult struct {
	OK       bool      `json:"ok"`
	Rules    int       `json:"rules"`
	Problems []problem `json:"problems"`
	Failures []string  `json:"example_failures"`
}

// check compiles a rule file and runs its examples.
func check(src string) checkResult {
	res := checkResult{Problems: []problem{}, Failures: []string{}}
	set, err := rules.Parse([]byte(src))
	if err != nil {
		res.Problems = problemsOf(src, err)
		return res
	}
	res.Rules = len(set.Rules)
	for _, e := range set.RunExamples() {
		res.Failures = append(res.Failures, e.Error())
	}
	res.OK = len(res.Failures) == 0
	return res
}

// problemsOf places the problems of a parse error in the file.
func problemsOf(src string, err error) []problem {
	var pe *rules.ParseError
	if !errors.As(err, &pe) {
		return []problem{{Message: monitor.ErrorMessage(err)}}
	}
	lines := strings.Split(src, "\n")
	out := make([]problem, 0, len(pe.Problems))
	for _, p := range pe.Problems {
		q := problem{Rule: p.Rule, Field: p.Field, Line: p.Line, Column: p.Column, Message: p.Message}
		if p.Field != "toml" {
			q.Line, q.Column = placeInFile(lines, p)
		}
		out = append(out, q)
	}
	return out
}

// placeInFile turns the position of a problem inside a rule's expression
// (the compiler counts from the expression's start) into a line and column
// of the file: it finds the rule by its code, then the field's line.
func placeInFile(lines []string, p rules.Problem) (line, col int) {
	start := -1
	for i, l := range lines {
		k, v, ok := tomlKey(l)
		if ok && k == "code" && strings.Trim(v, `"' `) == p.Rule && p.Rule != "" {
			start = i
			break
		}
	}
	if start < 0 {
		return 0, 0
	}
	for i := start; i < len(lines); i++ {
		if i > start && strings.HasPrefix(strings.TrimSpace(lines[i]), "[[rule]]") {
			break
		}
		k, v, ok := tomlKey(lines[i])
		if !ok || k != p.Field {
			continue
		}
		// The value starts after its opening quote(s); a multi-line
		// string whose quotes end the line starts on the next line.
		off := len([]rune(lines[i])) - len([]rune(v))
		for _, q := range []string{"'''", `"""`, "'", `"`} {
			if strings.HasPrefix(v, q) {
				if len(q) == 3 && strings.TrimSpace(v[3:]) == "" {
					return i + 1 + max(p.Line, 1), p.Column
				}
				off += len(q)
				break
			}
		}
		// An explanation's placeholder counts from its own start.
		if m := placeholderText.FindStringSubmatch(p.Message); m != nil && p.Field == "explain" {
			if j := strings.Index(lines[i], m[1]); j >= 0 && p.Line <= 1 {
				return i + 1, len([]rune(lines[i][:j])) + 1 + p.Column
			}
		}
		switch {
		case p.Line > 1:
			return i + p.Line, p.Column
		case p.Column > 0:
			return i + 1, off + p.Column
		}
		return i + 1, 0
	}
	return start + 1, 0
}

// placeholderText finds the placeholder a problem of an explanation names.
var placeholderText = regexp.MustCompile(`占位符 (\{.*\}) 无法编译`)

// tomlKey splits "key = value" (leading spaces allowed).
func tomlKey(l string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(l, "=")
	if !ok {
		return "", "", false
	}
	k = strings.TrimSpace(k)
	if k == "" || strings.ContainsAny(k, " \t[#") {
		return "", "", false
	}
	return k, strings.TrimLeft(v, " \t"), true
}

// readRuleForm parses a posted rule file with the larger limit it needs,
// and checks the CSRF token.
func (s *Server) readRuleForm(w http.ResponseWriter, r *http.Request) (src string, ok bool) {
	r.Body = http.MaxBytesReader(w, r.Body, rulesFormLimit)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, monitor.Errorf(monitor.EINVALID, "表单无法读取（规则文件不能超过 2 MB）"))
		return "", false
	}
	if !s.validCSRF(w, r, r.PostForm.Get("csrf")) {
		return "", false
	}
	return strings.ReplaceAll(r.PostForm.Get("source"), "\r\n", "\n"), true
}

// checkRules answers the editor's script: the compile problems with their
// line and column, and the examples that fail, as JSON.
func (s *Server) checkRules(w http.ResponseWriter, r *http.Request) {
	src, ok := s.readRuleForm(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, check(src))
}

// previewView is a preview: per rule, how many households the edited
// rules would flag (and which) beside what is flagged now.
type previewView struct {
	AsOf       monitor.Date
	Households int
	Flagged    int
	Rows       []previewRow
}

type previewRow struct {
	Code, Name string
	Now, Would int
	Examples   []string
	New        bool // not in the rules in force
	Gone       bool // in force, not in the edited rules
}

// previewRules evaluates the edited rules over every household without
// saving anything (watch.Preview) and shows the counts under the editor.
func (s *Server) previewRules(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	src, ok := s.readRuleForm(w, r)
	if !ok {
		return
	}
	p := editorPage{Source: src, Note: r.PostForm.Get("note")}
	in, err := s.rulesInForce(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Version = in.Version
	res := check(src)
	p.Problems, p.Failures = res.Problems, res.Failures
	if len(res.Problems) > 0 {
		p.Error = "规则无法编译，不能预览：请按下面的提示修改。"
		s.render(w, r, http.StatusBadRequest, "rules_edit", "编辑规则", p)
		return
	}
	asOf, err := s.evaluationDate(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pr, err := watch.Preview(ctx, s.db, []byte(src), asOf, store.EvalScope{})
	if err != nil {
		if status(err) == http.StatusBadRequest {
			p.Error = messageOf(err)
			s.render(w, r, http.StatusBadRequest, "rules_edit", "编辑规则", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	now, err := s.db.OpenFlagsByRule(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Preview = previewOf(pr, src, in, now, asOf)
	s.render(w, r, http.StatusOK, "rules_edit", "预览规则", p)
}

func previewOf(pr *watch.PreviewResult, src string, in *inForce, now map[string]int, asOf monitor.Date) *previewView {
	v := &previewView{AsOf: asOf, Households: pr.Households, Flagged: pr.Flagged}
	set, _ := rules.Parse([]byte(src))
	seen := map[string]bool{}
	old := map[string]bool{}
	for _, ru := range in.Set.Rules {
		old[ru.Code] = true
	}
	if set != nil {
		for _, ru := range set.Rules {
			seen[ru.Code] = true
			v.Rows = append(v.Rows, previewRow{Code: ru.Code, Name: ru.Name, Now: now[ru.Code], Would: pr.ByRule[ru.Code], Examples: pr.Examples[ru.Code], New: !old[ru.Code]})
		}
	}
	for _, ru := range in.Set.Rules {
		if !seen[ru.Code] {
			v.Rows = append(v.Rows, previewRow{Code: ru.Code, Name: ru.Name, Now: now[ru.Code], Gone: true})
		}
	}
	slices.SortStableFunc(v.Rows, func(a, b previewRow) int {
		return cmp.Compare(abs(b.Would-b.Now), abs(a.Would-a.Now))
	})
	return v
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// evaluationDate is the date re-evaluations and previews use: the date the
// registry was last evaluated as of, or today when it never was.
func (s *Server) evaluationDate(ctx context.Context) (monitor.Date, error) {
	d, ok, err := s.db.MonitoringDate(ctx)
	if err != nil {
		return monitor.Date{}, err
	}
	if !ok {
		return s.today(), nil
	}
	return d, nil
}

// saveRules saves the edited rules as a new version (refused unless they
// compile and every example passes) and re-evaluates every household.
func (s *Server) saveRules(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	src, ok := s.readRuleForm(w, r)
	if !ok {
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	l, err := watch.SaveRules(ctx, s.db, []byte(src), u.Username, note)
	if err != nil {
		if status(err) != http.StatusBadRequest {
			s.fail(w, r, err)
			return
		}
		in, ierr := s.rulesInForce(ctx)
		if ierr != nil {
			s.fail(w, r, ierr)
			return
		}
		res := check(src)
		s.render(w, r, http.StatusBadRequest, "rules_edit", "编辑规则", editorPage{Version: in.Version, Source: src, Note: note,
			Problems: res.Problems, Failures: res.Failures, Error: "未保存：" + messageOf(err)})
		return
	}
	eval := s.reevaluateAll(r)
	s.audit(r, store.AuditEntry{Action: store.AuditRulesSave, Object: fmt.Sprintf("config:%d", l.Version), Detail: evalDetail(fmt.Sprintf("规则 %d 条；%s", len(l.Set.Rules), note), eval)})
	redirect(w, r, doneURL("/rules", "rules", eval))
}

// reevaluateAll evaluates every household with the version just saved.
func (s *Server) reevaluateAll(r *http.Request) *monitor.EvaluationCounts {
	asOf, err := s.evaluationDate(r.Context())
	if err != nil {
		s.log.Error("读取评估日期失败", "err", err)
		return nil
	}
	c, err := watch.Evaluate(r.Context(), s.db, asOf, store.EvalScope{})
	if err != nil {
		s.log.Error("保存规则或参数后重新评估失败", "err", err)
		return nil
	}
	return c
}

func evalDetail(what string, c *monitor.EvaluationCounts) string {
	if c == nil {
		return what
	}
	return fmt.Sprintf("%s；按 %s 重新评估 %d 户：新增预警 %d，持续 %d，解除 %d", what, c.AsOf, c.Households, c.Opened, c.Kept, c.Closed)
}
