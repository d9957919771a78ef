package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// scopedEnv imports the sample as a county user and returns the 皂角井社区
// village user's browser and token, a household of that village and one of
// another village, and an upload of the county user.
type scopedEnv struct {
	village      *client
	villageToken string
	countyToken  string
	mine, other  *monitor.Household
	countyUpload string
	// Work recorded in the other village (灌坝社区), for the routes with
	// an {id}: a case, a measure, a loan and an open flag.
	otherCase, otherMeasure, otherLoan, otherFlag int64
}

func newScopedEnv(t *testing.T, e *env) *scopedEnv {
	ctx := context.Background()
	e.user(t, "county", store.RoleCounty, "")
	county := e.client(t)
	county.login("county", samplePW)
	county.importSample()
	se := &scopedEnv{village: villageUser(t, e)}
	se.countyUpload = uploadID(t, county.upload("households.xlsx", readFile(t, sampleRoster)))
	se.villageToken, _ = e.db.CreateToken(ctx, "zjj", "")
	se.countyToken, _ = e.db.CreateToken(ctx, "county", "")
	mine, _, _ := e.db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Village: sampleVillage, Limit: 1})
	other, _, _ := e.db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Village: "灌坝社区", Limit: 1})
	if len(mine) == 0 || len(other) == 0 {
		t.Fatal("sample import gave no households in 皂角井社区 or 灌坝社区")
	}
	se.mine, _ = e.db.FindHouseholdByCode(ctx, store.Everywhere, mine[0].Code)
	se.other, _ = e.db.FindHouseholdByCode(ctx, store.Everywhere, other[0].Code)
	se.recordOtherWork(t, e)
	return se
}

// recordOtherWork evaluates the registry as of 2022-12-31 and records a
// case, a measure and a loan in the other village.
func (se *scopedEnv) recordOtherWork(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	if _, err := watch.Evaluate(ctx, e.db, monitor.Date{Year: 2022, Month: 12, Day: 31}, store.EvalScope{}); err != nil {
		t.Fatal(err)
	}
	flags, _, err := e.db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Village: se.other.Village, HouseholdCode: se.other.Code})
	if err != nil || len(flags) == 0 {
		flags, _, err = e.db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Village: se.other.Village, Limit: 1})
	}
	if err != nil || len(flags) == 0 {
		t.Fatalf("no open flag in %s: %v", se.other.Village, err)
	}
	se.otherFlag = flags[0].ID
	c := &monitor.Case{HouseholdCode: se.other.Code, Kind: monitor.CaseInclusion, Channel: "基层干部排查", Category: monitor.CatEdge, Risks: []string{"因病"}, OpenedBy: "county"}
	if se.other.Monitored() {
		c = &monitor.Case{HouseholdCode: se.other.Code, Kind: monitor.CaseElimination, Channel: "基层干部排查", Method: "帮扶消除", OverrideReason: "测试", OpenedBy: "county"}
	}
	if err := watch.OpenCase(ctx, e.db, store.Everywhere, c, monitor.DateOf(e.now)); err != nil {
		t.Fatalf("open a case in %s: %v", se.other.Village, err)
	}
	se.otherCase = c.ID
	m := &monitor.Measure{HouseholdCode: se.other.Code, Category: "产业帮扶", Start: monitor.Date{Year: 2022, Month: 3, Day: 1}, Status: monitor.MeasureInPlace}
	if err := e.db.CreateMeasure(ctx, store.Everywhere, m, "county"); err != nil {
		t.Fatal(err)
	}
	se.otherMeasure = m.ID
	l := &monitor.Loan{BorrowerIDNumber: se.other.Members[0].IDNumber, Product: monitor.ProductMicro, Amount: monitor.Yuan(30000), TermMonths: 36,
		IssueDate: monitor.Date{Year: 2022, Month: 4, Day: 1}, RatePct: 3.45, Purpose: "养殖"}
	if err := e.db.CreateLoan(ctx, store.Everywhere, l, "county"); err != nil {
		t.Fatal(err)
	}
	se.otherLoan = l.ID
}

// TestEveryRouteKeepsToScope walks the router and requests every route with
// a path parameter as the 皂角井社区 village user, with the parameter
// naming another village's household (or another user's upload): each
// must answer 403 or 404 and never show that household.
func TestEveryRouteKeepsToScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		se := newScopedEnv(t, e)
		type route struct{ method, pattern string }
		var routes []route
		chi.Walk(e.srv.router, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			if strings.Contains(pattern, "{") || strings.Contains(pattern, "*") {
				routes = append(routes, route{method, pattern})
			}
			return nil
		})
		if len(routes) < 30 {
			t.Fatalf("walk found only %d routes with parameters: %v", len(routes), routes)
		}
		// {id} names the other village's record of the kind the path
		// segment before it says (or the county user's upload).
		ids := map[string]string{"uploads": se.countyUpload, "cases": fmt.Sprint(se.otherCase), "measures": fmt.Sprint(se.otherMeasure),
			"loans": fmt.Sprint(se.otherLoan), "flags": fmt.Sprint(se.otherFlag), "leads": "1"}
		fill := func(pattern, code string) string {
			p := strings.ReplaceAll(pattern, "{code}", url.PathEscape(code))
			if before, after, ok := strings.Cut(p, "/{id}"); ok {
				seg := before[strings.LastIndex(before, "/")+1:]
				id, known := ids[seg]
				if !known {
					t.Fatalf("route %s: no other-village id for %q: add one to the scope test", pattern, seg)
				}
				p = before + "/" + id + after
			}
			return strings.Replace(p, "*", "../households/"+code, 1)
		}
		csrf := se.village.csrf()
		for _, rt := range routes {
			t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
				path := fill(rt.pattern, se.other.Code)
				var st int
				var body string
				switch {
				case strings.HasPrefix(path, "/api/"):
					req, _ := http.NewRequest(rt.method, e.ts.URL+path, nil)
					req.Header.Set("Authorization", "Bearer "+se.villageToken)
					res := se.village.do(req)
					st, body = res.StatusCode, res.body
				case rt.method == http.MethodGet:
					res := se.village.get(path)
					st, body = res.StatusCode, res.body
				default:
					res := se.village.postForm(path, url.Values{"csrf": {csrf}, "mode": {"skip"}})
					st, body = res.StatusCode, res.body
				}
				if st != http.StatusForbidden && st != http.StatusNotFound {
					t.Errorf("%s %s as the village user: %d, want 403 or 404", rt.method, path, st)
				}
				if strings.Contains(body, se.other.HeadName) || strings.Contains(body, se.other.Members[0].Name) {
					t.Errorf("%s %s shows the other village's household", rt.method, path)
				}
			})
		}
		t.Run("OwnVillage", func(t *testing.T) {
			if res := se.village.get("/households/" + se.mine.Code); res.StatusCode != http.StatusOK || !strings.Contains(res.body, se.mine.HeadName) {
				t.Fatalf("own village's household: %d", res.StatusCode)
			}
			st, out := e.api(t, se.villageToken, "GET", "/api/v1/households/"+se.mine.Code, nil, "")
			if st != http.StatusOK || out["household_code"] != se.mine.Code {
				t.Fatalf("API own household: %d %v", st, out["household_code"])
			}
		})
		t.Run("Lists", func(t *testing.T) {
			for _, path := range []string{"/households?village=灌坝社区", "/households?q=" + se.other.Code, "/households?q=" + url.QueryEscape(se.other.HeadName)} {
				if res := se.village.get(path); !strings.Contains(res.body, `id="total">0<`) || strings.Contains(res.body, "/households/"+se.other.Code) {
					t.Errorf("%s lists another village's households", path)
				}
			}
			if res := se.village.get("/"); strings.Contains(res.body, "灌坝社区") {
				t.Error("the village dashboard shows another village")
			}
			for _, path := range []string{"/flags?village=灌坝社区", "/flags?status=closed&village=灌坝社区", "/cases?status=all&village=灌坝社区",
				"/cases?status=all&household=" + se.other.Code, "/measures?village=灌坝社区", "/loans?village=灌坝社区", "/flags", "/cases?status=all", "/measures", "/loans"} {
				res := se.village.get(path)
				if res.StatusCode != http.StatusOK || strings.Contains(res.body, "/households/"+se.other.Code) || strings.Contains(res.body, se.other.HeadName) {
					t.Errorf("%s as the village user: %d, or it shows another village's household", path, res.StatusCode)
				}
			}
			for _, path := range []string{"/api/v1/households?village=灌坝社区", "/api/v1/households?q=" + se.other.Code, "/api/v1/flags?village=灌坝社区&status=all",
				"/api/v1/cases?status=all&village=灌坝社区", "/api/v1/cases?status=all&household=" + se.other.Code, "/api/v1/measures?village=灌坝社区",
				"/api/v1/measures?household=" + se.other.Code, "/api/v1/loans?village=灌坝社区", "/api/v1/loans?household=" + se.other.Code} {
				st, out := e.api(t, se.villageToken, "GET", path, nil, "")
				if st != http.StatusOK || out["total"] != float64(0) {
					t.Errorf("%s as the village user: %d total %v, want 0", path, st, out["total"])
				}
			}
			st, out := e.api(t, se.villageToken, "GET", "/api/v1/households?per_page=1000", nil, "")
			if st != http.StatusOK || out["total"] != float64(loadAnswers(t).HouseholdsByVillage[sampleVillage]) {
				t.Errorf("village API list: %d total %v", st, out["total"])
			}
		})
	})
}

func TestAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		se := newScopedEnv(t, e)
		t.Run("ErrNoToken", func(t *testing.T) {
			for _, tok := range []string{"", "sw_not-a-token"} {
				st, out := e.api(t, tok, "GET", "/api/v1/households", nil, "")
				if st != http.StatusUnauthorized || out["code"] != codeUnauthorized || out["error"] == "" {
					t.Errorf("token %q: %d %v, want 401 JSON", tok, st, out)
				}
			}
		})
		t.Run("ErrDisabledUser", func(t *testing.T) {
			e.user(t, "gone", store.RoleCounty, "")
			tok, _ := e.db.CreateToken(context.Background(), "gone", "")
			e.db.SetUserDisabled(context.Background(), "gone", true)
			if st, _ := e.api(t, tok, "GET", "/api/v1/households", nil, ""); st != http.StatusUnauthorized {
				t.Errorf("disabled user's token: %d, want 401", st)
			}
		})
		t.Run("Households", func(t *testing.T) {
			st, out := e.api(t, se.villageToken, "GET", "/api/v1/households?q="+url.QueryEscape(se.mine.HeadName), nil, "")
			items, _ := out["items"].([]any)
			if st != http.StatusOK || len(items) == 0 {
				t.Fatalf("search: %d %v", st, out)
			}
			first := items[0].(map[string]any)
			for _, k := range []string{"household_code", "head_name", "township", "village", "category"} {
				if _, ok := first[k]; !ok {
					t.Errorf("item lacks %q", k)
				}
			}
			if id := fmt.Sprint(first["head_id_number"]); !strings.Contains(id, "****") {
				t.Errorf("village user sees the full ID %s", id)
			}
		})
		t.Run("Household", func(t *testing.T) {
			st, out := e.api(t, se.countyToken, "GET", "/api/v1/households/"+se.other.Code, nil, "")
			if st != http.StatusOK {
				t.Fatalf("county: %d %v", st, out)
			}
			for _, k := range []string{"members", "incomes", "flags"} {
				if _, ok := out[k]; !ok {
					t.Errorf("household lacks %q", k)
				}
			}
			m := out["members"].([]any)[0].(map[string]any)
			if strings.Contains(fmt.Sprint(m["id_number"]), "*") {
				t.Error("county user gets masked IDs")
			}
			if es, _, _ := e.db.FindAudit(context.Background(), store.AuditFilter{Action: store.AuditRevealIDs, Object: "household:" + se.other.Code}); len(es) == 0 {
				t.Error("unmasked API view not audited")
			}
			if st, out := e.api(t, se.villageToken, "GET", "/api/v1/households/no-such-code", nil, ""); st != http.StatusNotFound || out["code"] != monitor.ENOTFOUND {
				t.Errorf("unknown household: %d %v", st, out)
			}
		})
		t.Run("Import", func(t *testing.T) {
			body, ctype := multipartBody(t, nil, "households.xlsx", readFile(t, sampleRoster))
			st, out := e.api(t, se.villageToken, "POST", "/api/v1/imports?kind=households&dry_run=true", body, ctype)
			if st != http.StatusOK {
				t.Fatalf("import: %d %v", st, out)
			}
			for _, k := range []string{"file", "kind", "sheet", "header_rows", "dry_run", "committed", "households", "members", "errors", "warnings"} {
				if _, ok := out[k]; !ok {
					t.Errorf("import answer lacks %q (the shape of shouwang import --json)", k)
				}
			}
			if out["committed"] != false || out["file"] != "households.xlsx" {
				t.Errorf("dry run: committed %v file %v", out["committed"], out["file"])
			}
			if st, out := e.api(t, se.villageToken, "POST", "/api/v1/imports?dry_run=maybe", nil, ""); st != http.StatusBadRequest || out["error"] == "" {
				t.Errorf("bad dry_run: %d %v", st, out)
			}
		})
		t.Run("Flags", func(t *testing.T) {
			st, out := e.api(t, se.countyToken, "GET", "/api/v1/flags?status=all", nil, "")
			if st != http.StatusOK {
				t.Fatalf("flags: %d %v", st, out)
			}
			if _, ok := out["items"].([]any); !ok {
				t.Errorf("flags: items %T", out["items"])
			}
		})
	})
}

func TestRevealIDs(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		se := newScopedEnv(t, e)
		full := se.mine.Members[0].IDNumber
		if res := se.village.get("/households/" + se.mine.Code); strings.Contains(res.body, full) || strings.Contains(res.body, "显示完整号码") {
			t.Error("village page shows a full ID or the button to reveal")
		}
		res := se.village.postForm("/households/"+se.mine.Code+"/ids", url.Values{"csrf": {se.village.csrf()}})
		if res.StatusCode != http.StatusForbidden || strings.Contains(res.body, full) {
			t.Errorf("village reveal: %d, want 403", res.StatusCode)
		}
		county := e.client(t)
		county.login("county", samplePW)
		page := county.get("/households/" + se.mine.Code)
		if strings.Contains(page.body, full) || !strings.Contains(page.body, "显示完整号码") {
			t.Error("county page: IDs not masked by default, or no button")
		}
		res = county.postForm("/households/"+se.mine.Code+"/ids", url.Values{"csrf": {county.csrf()}})
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, full) {
			t.Fatalf("county reveal: %d", res.StatusCode)
		}
		es, _, _ := e.db.FindAudit(context.Background(), store.AuditFilter{Username: "county", Action: store.AuditRevealIDs})
		if len(es) != 1 || es[0].Object != "household:"+se.mine.Code {
			t.Errorf("reveal audit: %+v", es)
		}
		if es, _, _ := e.db.FindAudit(context.Background(), store.AuditFilter{Username: "zjj", Action: store.AuditViewHousehold}); len(es) == 0 {
			t.Error("household views are not audited")
		}
	})
}
