package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/rules"
)

const doubleLineRule = `
[[rule]]
code = "income_below_double_line"
name = "人均纯收入低于两倍监测标准（试算）"
kind = "risk"
risk = "收入"
severity = "低"
when = 'Income.Has && Income.PerCapita < Line * 2'
explain = '家庭年人均纯收入 {yuan(Income.PerCapita)} 元，低于两倍监测标准 {yuan(Line * 2)} 元'

  [[rule.example]]
  name = "低于两倍"
  facts = '{"Income": {"Has": true, "Year": 2022, "PerCapita": 10000}, "Line": 6900}'
  fires = true

  [[rule.example]]
  name = "高于两倍"
  facts = '{"Income": {"Has": true, "Year": 2022, "PerCapita": 20000}, "Line": 6900}'
  fires = false
`

// TestRulesEditor: the rules pages are the administrator's; the check
// places a broken rule's error on its line and column; a preview counts
// what a new rule would flag without writing; saving makes version 2 and
// re-evaluates.
func TestRulesEditor(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		for _, path := range []string{"/rules", "/rules/edit", "/rules/params", "/audit"} {
			if res := w.county.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("county user on %s: %d, want 403", path, res.StatusCode)
			}
		}
		if res := w.county.submit("/rules/check", url.Values{"source": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("county user checking rules: %d, want 403", res.StatusCode)
		}
		list := w.admin.get("/rules")
		if list.StatusCode != http.StatusOK || !strings.Contains(list.body, "income_below_line") || !strings.Contains(list.body, "Income.Has &amp;&amp; Income.PerCapita &lt; Line") || !strings.Contains(list.body, "第 1 版") {
			t.Fatalf("rules list: %d", list.StatusCode)
		}
		if !strings.Contains(w.admin.get("/").body, `href="/rules"`) || strings.Contains(w.village.get("/").body, `href="/rules"`) {
			t.Error("the 规则 link is not for administrators only")
		}
		src := string(rules.DefaultSource())
		check := func(source string) checkResult {
			t.Helper()
			res := w.admin.submit("/rules/check", url.Values{"source": {source}})
			var out checkResult
			if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(res.body), &out) != nil {
				t.Fatalf("check: %d %s", res.StatusCode, res.body)
			}
			return out
		}
		t.Run("CheckOK", func(t *testing.T) {
			if out := check(src); !out.OK || out.Rules < 20 || len(out.Problems) != 0 {
				t.Fatalf("default rules: %+v", out)
			}
		})
		t.Run("CheckBrokenRule", func(t *testing.T) {
			broken := strings.Replace(src, "when = 'Income.Has && Income.PerCapita < Line'", "when = 'Income.Has && Incom.PerCapita < Line'", 1)
			lines := strings.Split(broken, "\n")
			line := 0
			for i, l := range lines {
				if strings.Contains(l, "Incom.PerCapita") {
					line = i + 1
				}
			}
			out := check(broken)
			if out.OK || len(out.Problems) != 1 {
				t.Fatalf("broken rule: %+v", out)
			}
			p := out.Problems[0]
			col := strings.Index(lines[line-1], "Incom.") + 1
			if p.Rule != "income_below_line" || p.Line != line || p.Column < col || p.Column > col+len("Incom") || !strings.Contains(p.Message, "Incom") {
				t.Fatalf("problem %+v, want line %d near column %d", p, line, col)
			}
			toml := check(strings.Replace(src, `code = "income_below_line"`, `code = "income_below_line`, 1))
			if len(toml.Problems) != 1 || toml.Problems[0].Line != line-5 {
				t.Errorf("a TOML error: %+v, want line %d", toml.Problems, line-5)
			}
			failing := check(strings.Replace(src+doubleLineRule, "PerCapita\": 20000}, \"Line\": 6900}'\n  fires = false", "PerCapita\": 20000}, \"Line\": 6900}'\n  fires = true", 1))
			if failing.OK || len(failing.Failures) != 1 || !strings.Contains(failing.Failures[0], "income_below_double_line") {
				t.Errorf("a failing example: %+v", failing)
			}
			res := w.admin.submit("/rules", url.Values{"source": {broken}, "note": {"坏"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, fmt.Sprintf(`data-line="%d"`, line)) || !strings.Contains(res.body, "Incom") {
				t.Errorf("saving a broken rule: %d %s", res.StatusCode, pageMessage(res.body))
			}
		})
		t.Run("Preview", func(t *testing.T) {
			res := w.admin.submit("/rules/preview", url.Values{"source": {src + doubleLineRule}})
			if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "income_below_double_line") {
				t.Fatalf("preview: %d %s", res.StatusCode, pageMessage(res.body))
			}
			open, _ := e.db.OpenFlagsByRule(ctx)
			n := strings.Count(res.body, `data-rule="income_below_double_line">0<`)
			if n != 0 || !strings.Contains(res.body, fmt.Sprintf(`data-rule="income_below_line">%d<`, open["income_below_line"])) {
				t.Errorf("preview counts: the new rule flags nobody, or the old rule's count differs from the %d open flags", open["income_below_line"])
			}
			if after, _ := e.db.OpenFlagsByRule(ctx); after["income_below_double_line"] != 0 {
				t.Error("the preview wrote flags")
			}
		})
		t.Run("SaveVersion2", func(t *testing.T) {
			loc := mustRedirect(t, "save", w.admin.submit("/rules", url.Values{"source": {src + doubleLineRule}, "note": {"两倍标准试算"}}))
			cv, _ := e.db.CurrentConfig(ctx)
			if cv.ID != 2 || cv.Note != "两倍标准试算" || cv.Actor != "admin" {
				t.Fatalf("current version %d %q %q, want 2", cv.ID, cv.Note, cv.Actor)
			}
			if open, _ := e.db.OpenFlagsByRule(ctx); open["income_below_double_line"] == 0 {
				t.Error("saving did not re-evaluate with the new rule")
			}
			if page := w.admin.get(loc); !strings.Contains(page.body, "规则已保存为新版本") || !strings.Contains(page.body, "第 2 版") || !strings.Contains(page.body, "两倍标准试算") {
				t.Error("the rules page does not show version 2 in force and in the history")
			}
			if es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Action: store.AuditRulesSave}); len(es) != 1 || es[0].Object != "config:2" {
				t.Errorf("audit: %+v", es)
			}
		})
	})
}

// TestParams: changing the 2022 monitoring line on the parameters page
// saves a new version and changes the income flags on re-evaluation.
func TestParams(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		page := w.admin.get("/rules/params")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `name="line_yuan" value="6900"`) || !strings.Contains(page.body, `name="param_LoanCap"`) {
			t.Fatalf("params page: %d", page.StatusCode)
		}
		before, _ := e.db.OpenFlagsByRule(ctx)
		form := func(yuan2022 string) url.Values {
			f := url.Values{"identify_days": {"15"}, "notice_days": {"5"}, "stable_months": {"6"}}
			for _, l := range rules.DefaultConfig().Lines {
				yuan := fmt.Sprint(l.Yuan)
				if l.Year == 2022 {
					yuan = yuan2022
				}
				f["line_region"] = append(f["line_region"], l.Region)
				f["line_year"] = append(f["line_year"], fmt.Sprint(l.Year))
				f["line_yuan"] = append(f["line_yuan"], yuan)
			}
			// The blank row the page adds is ignored.
			f["line_region"], f["line_year"], f["line_yuan"] = append(f["line_region"], ""), append(f["line_year"], ""), append(f["line_yuan"], "")
			return f
		}
		if res := w.admin.submit("/rules/params", form("六千")); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "监测标准金额“六千”不是数字") {
			t.Fatalf("a line that is not a number: %d %s", res.StatusCode, pageMessage(res.body))
		}
		if cv, _ := e.db.CurrentConfig(ctx); cv.ID != 1 {
			t.Fatal("a refused form saved a version")
		}
		mustRedirect(t, "params", w.admin.submit("/rules/params", form("20000")))
		cv, _ := e.db.CurrentConfig(ctx)
		cfg, err := rules.ParseConfig([]byte(cv.Params))
		if err != nil || cv.ID != 2 || cfg.LineFor("5001190001000100", 2022) != 20000 || cfg.Params != rules.DefaultParams() || !reflect.DeepEqual(cfg.Subsidy, monitor.DefaultSubsidyTable()) {
			t.Fatalf("version %d: line %v, params kept %v, subsidy kept %v (%v)", cv.ID, cfg.LineFor("5001190001000100", 2022), cfg.Params == rules.DefaultParams(), reflect.DeepEqual(cfg.Subsidy, monitor.DefaultSubsidyTable()), err)
		}
		after, _ := e.db.OpenFlagsByRule(ctx)
		if after["income_below_line"] <= before["income_below_line"] {
			t.Fatalf("income_below_line flags: %d before, %d after raising the 2022 line to 20000", before["income_below_line"], after["income_below_line"])
		}
		if page := w.admin.get("/rules/params"); !strings.Contains(page.body, `name="line_yuan" value="20000"`) || !strings.Contains(page.body, "第 2 版") {
			t.Error("the params page does not show the saved line")
		}
	})
}

// TestParamFieldsCoverParams: every rule parameter has a field on the
// form, so saving the page never drops one.
func TestParamFieldsCoverParams(t *testing.T) {
	have := map[string]bool{}
	for _, f := range paramFields {
		have[f.Name] = true
	}
	typ := reflect.TypeFor[rules.Params]()
	for i := range typ.NumField() {
		if !have[typ.Field(i).Name] {
			t.Errorf("rules.Params.%s has no field on the parameters page (paramFields)", typ.Field(i).Name)
		}
	}
	if len(paramFields) != typ.NumField() {
		t.Errorf("paramFields has %d entries, rules.Params %d fields", len(paramFields), typ.NumField())
	}
}
