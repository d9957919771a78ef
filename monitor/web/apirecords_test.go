package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// TestAPIRecords: cases opened and stepped through the API, and measures
// and loans listed, with the village token kept to its village and errors
// answered as JSON.
func TestAPIRecords(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		tok := w.villageToken
		jsonBody := func(s string) *strings.Reader { return strings.NewReader(s) }
		h := villageHousehold(t, e.db, func(h *monitor.Household) bool { return !h.Monitored() })

		t.Run("ErrJSON", func(t *testing.T) {
			for _, tc := range []struct{ body, want string }{
				{``, "请求体为空"},
				{`{"household_code": "` + h.Code + `", "kinds": "inclusion"}`, "unknown field"},
				{`{"household_code": "` + h.Code + `", "kind": "inclusion", "opened_on": "2023/01/02"}`, "日期"},
				{`{"household_code": "` + h.Code + `", "kind": "inclusion", "risks": ["因病"]}`, "监测对象类别"},
			} {
				st, out := e.api(t, tok, "POST", "/api/v1/cases", jsonBody(tc.body), "application/json")
				if st != http.StatusBadRequest || out["code"] != monitor.EINVALID || !strings.Contains(fmt.Sprint(out["error"]), tc.want) {
					t.Errorf("%s: %d %v, want 400 with %q", tc.body, st, out, tc.want)
				}
			}
			st, out := e.api(t, tok, "POST", "/api/v1/cases", jsonBody(`{"household_code": "`+w.other.Code+`", "kind": "inclusion", "category": "边缘易致贫户", "risks": ["因病"]}`), "application/json")
			if st != http.StatusNotFound || out["code"] != monitor.ENOTFOUND {
				t.Errorf("another village's household: %d %v", st, out)
			}
		})
		st, out := e.api(t, tok, "POST", "/api/v1/cases", jsonBody(`{"household_code": "`+h.Code+`", "kind": "inclusion", "category": "边缘易致贫户",
			"risks": ["因病"], "opened_on": "2023-01-02", "note": "API 开启"}`), "application/json")
		if st != http.StatusCreated || out["next_step"] != "入户核实" || out["opened_on"] != "2023-01-02" || out["due_on"] != "2023-01-17" {
			t.Fatalf("open a case: %d %v", st, out)
		}
		id := int64(out["id"].(float64))
		path := fmt.Sprintf("/api/v1/cases/%d", id)
		st, out = e.api(t, tok, "POST", path+"/steps", jsonBody(`{"step": "入户核实", "date": "2023-01-03", "person": "王网格", "note": "已入户"}`), "application/json")
		if st != http.StatusOK || out["next_step"] != "信息比对" || out["steps_done"] != float64(1) {
			t.Fatalf("a step: %d %v", st, out)
		}
		if st, out := e.api(t, tok, "POST", path+"/steps", jsonBody(`{"step": "公示", "date": "2023-01-03", "person": "王网格"}`), "application/json"); st != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out["error"]), "步骤顺序不对") {
			t.Errorf("a step out of order: %d %v", st, out)
		}
		if st, out := e.api(t, tok, "POST", path+"/steps", jsonBody(`{"step": "信息比对", "person": "王网格", "override_reason": "特批"}`), "application/json"); st != http.StatusForbidden || out["code"] != monitor.EFORBIDDEN {
			t.Errorf("a village override: %d %v", st, out)
		}
		st, out = e.api(t, tok, "GET", path, nil, "")
		steps, _ := out["steps"].([]any)
		if st != http.StatusOK || len(steps) != 1 || steps[0].(map[string]any)["date"] != "2023-01-03" {
			t.Fatalf("the case: %d %v", st, out)
		}
		st, out = e.api(t, tok, "GET", "/api/v1/cases?household="+h.Code, nil, "")
		if st != http.StatusOK || out["total"] != float64(1) {
			t.Errorf("list cases: %d %v", st, out)
		}
		if st, out := e.api(t, w.countyToken, "GET", "/api/v1/cases?status=all", nil, ""); st != http.StatusOK || out["total"] != float64(2) {
			t.Errorf("county list of all cases: %d %v", st, out["total"])
		}
		if st, _ := e.api(t, tok, "GET", "/api/v1/cases?status=later", nil, ""); st != http.StatusBadRequest {
			t.Errorf("a bad status: %d", st)
		}
		if es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Object: fmt.Sprintf("case:%d", id)}); len(es) != 2 {
			t.Errorf("API case audit: %d entries, want 2", len(es))
		}

		t.Run("Measures", func(t *testing.T) {
			st, out := e.api(t, w.countyToken, "GET", "/api/v1/measures?household="+w.other.Code, nil, "")
			items, _ := out["items"].([]any)
			if st != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["category"] != "产业帮扶" || items[0].(map[string]any)["start_date"] != "2022-03-01" {
				t.Fatalf("measures: %d %v", st, out)
			}
		})
		t.Run("Loans", func(t *testing.T) {
			st, out := e.api(t, w.countyToken, "GET", "/api/v1/loans?as_of=2023-01-15", nil, "")
			items, _ := out["items"].([]any)
			if st != http.StatusOK || len(items) != 1 {
				t.Fatalf("loans: %d %v", st, out)
			}
			l := items[0].(map[string]any)
			for _, k := range []string{"household_code", "borrower_name", "borrower_id_number", "product", "amount_yuan", "issue_date", "maturity_date", "balance_yuan", "days_overdue", "bucket"} {
				if _, ok := l[k]; !ok {
					t.Errorf("a loan lacks %q", k)
				}
			}
			if l["balance_yuan"] != float64(30000) || l["days_overdue"] != float64(0) || l["issue_date"] != "2022-04-01" || l["maturity_date"] != "2025-04-01" {
				t.Errorf("loan figures: %v", l)
			}
			if st, out := e.api(t, w.countyToken, "GET", "/api/v1/loans?overdue=true", nil, ""); st != http.StatusOK || out["total"] != float64(0) {
				t.Errorf("overdue loans: %d %v", st, out["total"])
			}
			if st, out := e.api(t, w.countyToken, "GET", "/api/v1/loans?as_of=tomorrow", nil, ""); st != http.StatusBadRequest || out["error"] == "" {
				t.Errorf("a bad date: %d %v", st, out)
			}
		})
		t.Run("Household", func(t *testing.T) {
			st, out := e.api(t, w.countyToken, "GET", "/api/v1/households/"+w.other.Code, nil, "")
			if st != http.StatusOK {
				t.Fatalf("household: %d", st)
			}
			for _, k := range []string{"measures", "loans", "cases", "cadres"} {
				if _, ok := out[k]; !ok {
					t.Errorf("the household lacks %q", k)
				}
			}
			if loans, _ := out["loans"].([]any); len(loans) != 1 {
				t.Errorf("household loans: %v", out["loans"])
			}
			l := &monitor.Loan{BorrowerIDNumber: w.mine.Members[0].IDNumber, Product: monitor.ProductMicro, Amount: monitor.Yuan(20000), TermMonths: 24,
				IssueDate: day(2022, 5, 1), RatePct: 3.45, Purpose: "种植"}
			if err := e.db.CreateLoan(ctx, store.Everywhere, l, "county"); err != nil {
				t.Fatal(err)
			}
			st, out = e.api(t, tok, "GET", "/api/v1/households/"+w.mine.Code, nil, "")
			if body := fmt.Sprint(out); st != http.StatusOK || strings.Contains(body, w.mine.Members[0].IDNumber) || !strings.Contains(body, "新增贷款") {
				t.Errorf("the village user's household answer shows a full ID number (in the loan's change history?): %d", st)
			}
			if page := w.village.get("/households/" + w.mine.Code); strings.Contains(page.body, w.mine.Members[0].IDNumber) {
				t.Error("the village user's household page shows a full ID number")
			}
		})
	})
}

// TestAPIWhoRecordsSteps: through the API a village token records the
// village's steps and is answered 403 {"code":"forbidden","error":…} for
// the township's review; the account that reviewed may not approve; a
// county token does, and each step answers with its account and role.
func TestAPIWhoRecordsSteps(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		adminToken, err := e.db.CreateToken(ctx, "admin", "")
		if err != nil {
			t.Fatal(err)
		}
		h := villageHousehold(t, e.db, func(h *monitor.Household) bool { return !h.Monitored() })
		body := func(s string) *strings.Reader { return strings.NewReader(s) }
		st, out := e.api(t, w.villageToken, "POST", "/api/v1/cases", body(`{"household_code": "`+h.Code+`", "kind": "inclusion",
			"category": "边缘易致贫户", "risks": ["因病"], "opened_on": "2023-01-02"}`), "application/json")
		if st != http.StatusCreated {
			t.Fatalf("open a case: %d %v", st, out)
		}
		id := int64(out["id"].(float64))
		path := fmt.Sprintf("/api/v1/cases/%d/steps", id)
		step := func(token, name, date, extra string) (int, map[string]any) {
			return e.api(t, token, "POST", path, body(`{"step": "`+name+`", "date": "`+date+`", "person": "王网格"`+extra+`}`), "application/json")
		}
		for _, s := range [][3]string{{"入户核实", "2023-01-03"}, {"信息比对", "2023-01-04"}, {"民主评议", "2023-01-05"},
			{"公示", "2023-01-10", `, "notice_start": "2023-01-06", "notice_end": "2023-01-10"`}} {
			if st, out := step(w.villageToken, s[0], s[1], s[2]); st != http.StatusOK {
				t.Fatalf("village %s: %d %v", s[0], st, out)
			}
		}
		forbidden := func(what string, st int, out map[string]any, want string) {
			t.Helper()
			if st != http.StatusForbidden || len(out) != 2 || out["code"] != "forbidden" || out["error"] != want {
				t.Fatalf("%s: %d %v, want 403 {\"code\":\"forbidden\",\"error\":%q}", what, st, out, want)
			}
		}
		st, out = step(w.villageToken, "乡镇审核", "2023-01-11", "")
		forbidden("village 乡镇审核", st, out, "乡镇审核须由乡镇（街道）、区县或管理员账号办理")
		if st, out := step(adminToken, "乡镇审核", "2023-01-11", ""); st != http.StatusOK || out["next_step"] != "县级审定" {
			t.Fatalf("admin 乡镇审核: %d %v", st, out)
		}
		st, out = step(adminToken, "县级审定", "2023-01-12", "")
		forbidden("the reviewer approving", st, out, fmt.Sprintf("同一账号不能既办理乡镇审核又办理县级审定（案件 %d 的乡镇审核由 admin 办理）", id))
		st, out = step(w.villageToken, "县级审定", "2023-01-12", "")
		forbidden("village 县级审定", st, out, "县级审定须由区县或管理员账号办理")
		st, out = step(w.countyToken, "县级审定", "2023-01-12", "")
		if st != http.StatusOK || out["status"] != monitor.CaseDone {
			t.Fatalf("county 县级审定: %d %v", st, out)
		}
		var who []string
		for _, s := range out["steps"].([]any) {
			m := s.(map[string]any)
			who = append(who, fmt.Sprint(m["recorded_by"], "/", m["recorded_role"]))
		}
		if got, want := strings.Join(who, " "), "zjj/village zjj/village zjj/village zjj/village admin/admin county/county"; got != want {
			t.Errorf("steps recorded by %s, want %s", got, want)
		}
		changes, err := e.db.FindChanges(ctx, store.Everywhere, h.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range changes {
			if strings.Contains(ch.Note, fmt.Sprintf("识别纳入案件 %d", id)) && ch.Actor != "county" {
				t.Errorf("history of %s credits %q, want county (who recorded 县级审定)", ch.Field, ch.Actor)
			}
		}
	})
}
