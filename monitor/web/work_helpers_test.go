package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// workEnv is the sample registry, evaluated as of 2022-12-31, with a user
// of every role (the village user is 皂角井社区's, the township user
// 东城街道's) and some work recorded in another village.
type workEnv struct {
	*scopedEnv
	e                       *env
	admin, county, township *client
}

func newWorkEnv(t *testing.T, e *env) *workEnv {
	t.Helper()
	w := &workEnv{scopedEnv: newScopedEnv(t, e), e: e}
	e.user(t, "admin", store.RoleAdmin, "")
	e.user(t, "dcjd", store.RoleTownship, sampleTown)
	w.admin, w.county, w.township = e.client(t), e.client(t), e.client(t)
	w.admin.login("admin", samplePW)
	w.county.login("county", samplePW)
	w.township.login("dcjd", samplePW)
	return w
}

// submit posts a form with the session's CSRF token.
func (c *client) submit(path string, form url.Values) *response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf())
	return c.postForm(path, form)
}

// mustRedirect checks a form was accepted (303) and returns where to.
func mustRedirect(t *testing.T, what string, res *response) string {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: status %d, want 303\n%s", what, res.StatusCode, pageMessage(res.body))
	}
	return res.Header.Get("Location")
}

var alertText = regexp.MustCompile(`(?s)class="alert"[^>]*>(.*?)</`)

// pageMessage is the alert of a page, or its start, for failure messages.
func pageMessage(body string) string {
	if m := alertText.FindStringSubmatch(body); m != nil {
		return "alert: " + m[1]
	}
	if len(body) > 600 {
		return body[:600]
	}
	return body
}

// idAfter reads the number after prefix in a location such as
// /cases/12?done=case_open.
func idAfter(t *testing.T, loc, prefix string) int64 {
	t.Helper()
	rest, ok := strings.CutPrefix(loc, prefix)
	if !ok {
		t.Fatalf("location %q does not start with %s", loc, prefix)
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	id, err := strconv.ParseInt(rest[:end], 10, 64)
	if err != nil {
		t.Fatalf("location %q: %v", loc, err)
	}
	return id
}

// villageHousehold finds a household of 皂角井社区 that satisfies ok.
func villageHousehold(t *testing.T, db *store.DB, ok func(h *monitor.Household) bool) *monitor.Household {
	t.Helper()
	ctx := context.Background()
	hs, _, err := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Village: sampleVillage, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		full, err := db.FindHouseholdByCode(ctx, store.Everywhere, h.Code)
		if err != nil {
			t.Fatal(err)
		}
		if ok(full) {
			return full
		}
	}
	t.Fatal("no household of 皂角井社区 fits the test")
	return nil
}

// openFlags returns the open flags of a household by rule code.
func openFlags(t *testing.T, db *store.DB, code string) map[string]monitor.Flag {
	t.Helper()
	fs, _, err := db.FindFlags(context.Background(), store.Everywhere, store.FlagFilter{HouseholdCode: code})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]monitor.Flag{}
	for _, f := range fs {
		out[f.RuleCode] = f
	}
	return out
}

func day(y, m, d int) monitor.Date { return monitor.Date{Year: y, Month: m, Day: d} }
