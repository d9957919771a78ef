package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor/store"
)

// TestAuditPage: the administrator sees who viewed and changed what,
// filtered by user, action and date; nobody else sees the page.
func TestAuditPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		w.village.get("/households/" + w.mine.Code)
		mustRedirect(t, "cadre", w.village.submit("/households/"+w.mine.Code+"/cadres", url.Values{"name": {"张干部"}, "from": {"2023-01-01"}}))
		page := w.admin.get("/audit?user=zjj")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "查看农户") || !strings.Contains(page.body, "设置帮扶责任人") ||
			!strings.Contains(page.body, `href="/households/`+w.mine.Code+`"`) || strings.Contains(page.body, `href="/audit?user=county"`) {
			t.Fatalf("audit page for zjj: %d", page.StatusCode)
		}
		if page := w.admin.get("/audit?user=zjj&action=" + store.AuditCadreSet); !strings.Contains(page.body, `id="total">1<`) {
			t.Error("the action filter")
		}
		today := time.Now().Format("2006-01-02") // audit entries carry the database clock
		if page := w.admin.get("/audit?user=zjj&from=" + today + "&to=" + today); strings.Contains(page.body, `id="total">0<`) {
			t.Error("today's entries are not found by today's date")
		}
		if page := w.admin.get("/audit?user=zjj&to=2022-12-31"); !strings.Contains(page.body, `id="total">0<`) {
			t.Error("entries of today are listed up to last year")
		}
		if res := w.admin.get("/audit?from=yesterday"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("a bad date: %d", res.StatusCode)
		}
		for _, c := range []*client{w.village, w.township, w.county} {
			if res := c.get("/audit"); res.StatusCode != http.StatusForbidden {
				t.Errorf("non-admin audit page: %d", res.StatusCode)
			}
		}
	})
}

// TestLeads: people on a department list who are in no household are
// listed for county users, who mark them checked or dismissed; village
// users cannot see them.
func TestLeads(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		id := uploadID(t, w.county.upload("medical_push.xlsx", readFile(t, "../../testdata/medical_push.xlsx")))
		mustRedirect(t, "commit the department list", w.county.submit("/uploads/"+id+"/commit", url.Values{"mode": {"skip"}}))
		leads, err := e.db.FindLeads(context.Background(), store.Everywhere, "open")
		if err != nil || len(leads) != 2 {
			t.Fatalf("leads: %d %v", len(leads), err)
		}
		page := w.county.get("/leads")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, leads[0].Name) || strings.Contains(page.body, leads[0].IDNumber) {
			t.Fatalf("leads page: %d, lists the lead with a masked ID?", page.StatusCode)
		}
		if flags := w.county.get("/flags"); !strings.Contains(flags.body, "待核实 2 人") {
			t.Error("the flag queue does not point to the open leads")
		}
		mustRedirect(t, "checked", w.county.submit(fmt.Sprintf("/leads/%d/status", leads[0].ID), url.Values{"status": {"checked"}}))
		mustRedirect(t, "dismissed", w.county.submit(fmt.Sprintf("/leads/%d/status", leads[1].ID), url.Values{"status": {"dismissed"}}))
		if res := w.county.submit(fmt.Sprintf("/leads/%d/status", leads[1].ID), url.Values{"status": {"lost"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("a bad status: %d", res.StatusCode)
		}
		if open, _ := e.db.FindLeads(context.Background(), store.Everywhere, "open"); len(open) != 0 {
			t.Errorf("%d leads still open", len(open))
		}
		if page := w.county.get("/leads?status=checked"); !strings.Contains(page.body, leads[0].Name) || strings.Contains(page.body, leads[1].Name) {
			t.Error("the checked tab")
		}
		for _, c := range []*client{w.village, w.township} {
			if res := c.get("/leads"); res.StatusCode != http.StatusForbidden {
				t.Errorf("leads for a %s user: %d", "non-county", res.StatusCode)
			}
		}
	})
}

// TestWorkPostsRefuseCrossSite: every form of the work pages is refused
// without the session's token or from another site.
func TestWorkPostsRefuseCrossSite(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/x.db", Config{})
	w := newWorkEnv(t, e)
	posts := []string{
		"/households/" + w.mine.Code + "/cases", "/households/" + w.mine.Code + "/measures", "/households/" + w.mine.Code + "/cadres",
		"/households/" + w.mine.Code + "/loans", "/rules", "/rules/check", "/rules/preview", "/rules/params", "/leads/1/status",
		fmt.Sprintf("/cases/%d/steps", w.otherCase), fmt.Sprintf("/cases/%d/cancel", w.otherCase), fmt.Sprintf("/loans/%d/repayments", w.otherLoan),
		fmt.Sprintf("/loans/%d/extension", w.otherLoan), fmt.Sprintf("/loans/%d/settlement", w.otherLoan),
		fmt.Sprintf("/households/%s/measures/%d/end", w.other.Code, w.otherMeasure),
	}
	token := w.admin.csrf()
	for _, path := range posts {
		t.Run(path, func(t *testing.T) {
			if res := w.admin.postForm(path, url.Values{"name": {"x"}}); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "表单已过期或来源不明") {
				t.Errorf("without the token: %d", res.StatusCode)
			}
			req, _ := http.NewRequest("POST", e.ts.URL+path, strings.NewReader(url.Values{"csrf": {token}, "name": {"x"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "http://evil.example")
			if res := w.admin.do(req); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "跨站请求已被拒绝") {
				t.Errorf("from another site: %d", res.StatusCode)
			}
		})
	}
	if es, _, _ := e.db.FindAudit(context.Background(), store.AuditFilter{Username: "admin", Action: store.AuditCadreSet}); len(es) != 0 {
		t.Error("a refused post changed something")
	}
}

func TestMaskIDs(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"LoanKey", "500119198311254017/2021-04-02/50000.00", "500119********4017/2021-04-02/50000.00"},
		{"CheckX", "身份证 50011919831125401X 户", "身份证 500119********401X 户"},
		{"Old15", "110101900307451", "110101*****7451"},
		{"HouseholdCode", "5001190001000106", "5001190001000106"},
		{"Money", "50000.00", "50000.00"},
		{"Empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maskIDs(tc.in); got != tc.want {
				t.Fatalf("maskIDs(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
