package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// TestFlagToInclusion walks a flagged household of 皂角井社区 through the
// web forms, as its village user: from the flag queue to 发起识别, every
// step, a public notice refused for being too short (its reason on the
// page), and on to 纳入监测.
func TestFlagToInclusion(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		c := w.village
		h := villageHousehold(t, e.db, func(h *monitor.Household) bool { return !h.Monitored() && len(openFlags(t, e.db, h.Code)) > 0 })
		var flag monitor.Flag
		for _, f := range openFlags(t, e.db, h.Code) {
			flag = f
		}

		queue := c.get("/flags?village=" + url.QueryEscape(sampleVillage))
		newCase := fmt.Sprintf("/households/%s/cases/new?kind=inclusion&amp;flag=%d", h.Code, flag.ID)
		if queue.StatusCode != http.StatusOK || !strings.Contains(queue.body, flag.Explanation) || !strings.Contains(queue.body, newCase) {
			t.Fatalf("the flag queue does not offer 发起识别 for %s's flag %s (status %d)", h.Code, flag.RuleCode, queue.StatusCode)
		}
		form := c.get(strings.ReplaceAll(newCase, "&amp;", "&"))
		if form.StatusCode != http.StatusOK || !strings.Contains(form.body, flag.Explanation) || !strings.Contains(form.body, "<option selected>风险预警</option>") {
			t.Fatalf("new case form from a flag: %d, lacks the flag or the channel 风险预警", form.StatusCode)
		}
		t.Run("ErrNoCategory", func(t *testing.T) {
			res := c.submit("/households/"+h.Code+"/cases", url.Values{"kind": {"inclusion"}, "channel": {"风险预警"}, "risks": {"因病"},
				"flag_id": {fmt.Sprint(flag.ID)}, "date": {"2023-01-02"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "识别纳入须指定监测对象类别") {
				t.Fatalf("no category: %d %s", res.StatusCode, pageMessage(res.body))
			}
		})
		t.Run("ErrAnotherHouseholdsFlag", func(t *testing.T) {
			res := c.submit("/households/"+h.Code+"/cases", url.Values{"kind": {"inclusion"}, "channel": {"风险预警"}, "risks": {"因病"},
				"category": {monitor.CatEdge}, "flag_id": {fmt.Sprint(w.otherFlag)}})
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("another village's flag: %d, want 404", res.StatusCode)
			}
		})
		loc := mustRedirect(t, "open the case", c.submit("/households/"+h.Code+"/cases", url.Values{"kind": {"inclusion"}, "channel": {"风险预警"},
			"category": {monitor.CatEdge}, "risks": {"因病", "因学"}, "flag_id": {fmt.Sprint(flag.ID)}, "date": {"2023-01-02"}, "note": {"预警核实"}}))
		id := idAfter(t, loc, "/cases/")
		casePath := fmt.Sprintf("/cases/%d", id)
		if page := c.get(loc); !strings.Contains(page.body, "案件已开启") || !strings.Contains(page.body, flag.Explanation) || !strings.Contains(page.body, `value="入户核实"`) {
			t.Fatalf("case page after opening: %d\n%s", page.StatusCode, pageMessage(page.body))
		}
		if q := c.get("/cases"); !strings.Contains(q.body, casePath) {
			t.Fatal("the case queue does not list the new case")
		}
		step := func(name, date string, extra url.Values) *response {
			f := url.Values{"step": {name}, "date": {date}, "person": {"王网格"}, "note": {name + "情况"}}
			for k, v := range extra {
				f[k] = v
			}
			return c.submit(casePath+"/steps", f)
		}
		mustRedirect(t, "入户核实", step("入户核实", "2023-01-03", nil))
		t.Run("ErrOutOfOrder", func(t *testing.T) {
			if res := step("民主评议", "2023-01-04", nil); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "步骤顺序不对") {
				t.Fatalf("out of order: %d", res.StatusCode)
			}
		})
		mustRedirect(t, "信息比对", step("信息比对", "2023-01-04", nil))
		mustRedirect(t, "民主评议", step("民主评议", "2023-01-05", nil))
		short := step("公示", "2023-01-09", url.Values{"notice_start": {"2023-01-06"}, "notice_end": {"2023-01-08"}})
		if short.StatusCode != http.StatusBadRequest || !strings.Contains(short.body, "公示期 2023-01-06 至 2023-01-08 只有 3 天，不少于 5 天才符合规定") {
			t.Fatalf("a 3-day notice: %d %s", short.StatusCode, pageMessage(short.body))
		}
		if !strings.Contains(short.body, `id="step-error"`) || !strings.Contains(short.body, `value="2023-01-06"`) || !strings.Contains(short.body, "不少于 <strong>5</strong> 天") {
			t.Error("the refused notice is not shown again with its dates and the minimum days")
		}
		mustRedirect(t, "公示", step("公示", "2023-01-10", url.Values{"notice_start": {"2023-01-06"}, "notice_end": {"2023-01-10"}}))
		// The reviews are the township's and the county's: the village
		// account is not offered them, and is refused if it posts one.
		if page := c.get(casePath); strings.Contains(page.body, `value="乡镇审核"`) || !strings.Contains(page.body, "乡镇审核须由乡镇（街道）、区县或管理员账号办理") {
			t.Errorf("the village account's case page offers 乡镇审核 or does not say who may record it:\n%s", pageMessage(page.body))
		}
		t.Run("ErrVillageReview", func(t *testing.T) {
			res := step("乡镇审核", "2023-01-11", nil)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "乡镇审核须由乡镇（街道）、区县或管理员账号办理") {
				t.Fatalf("a village 乡镇审核: %d %s, want 403 with who may", res.StatusCode, pageMessage(res.body))
			}
		})
		byOther := func(c *client, name, date string) *response {
			return c.submit(casePath+"/steps", url.Values{"step": {name}, "date": {date}, "person": {"李审核"}})
		}
		if page := w.township.get(casePath); !strings.Contains(page.body, `value="乡镇审核"`) {
			t.Fatalf("the township account is not offered 乡镇审核: %s", pageMessage(page.body))
		}
		mustRedirect(t, "乡镇审核", byOther(w.township, "乡镇审核", "2023-01-11"))
		if page := w.township.get(casePath); strings.Contains(page.body, `value="县级审定"`) || !strings.Contains(page.body, "县级审定须由区县或管理员账号办理") {
			t.Errorf("the township account's page offers 县级审定 or does not say who may:\n%s", pageMessage(page.body))
		}
		if res := byOther(w.township, "县级审定", "2023-01-12"); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "县级审定须由区县或管理员账号办理") {
			t.Fatalf("a township 县级审定: %d %s, want 403", res.StatusCode, pageMessage(res.body))
		}
		done := mustRedirect(t, "县级审定", byOther(w.county, "县级审定", "2023-01-12"))
		if !strings.Contains(done, "done=case_done") {
			t.Errorf("last step went to %s", done)
		}
		page := c.get(done)
		if !strings.Contains(page.body, "已纳入监测") || !strings.Contains(page.body, "公示期 2023-01-06 至 2023-01-10") {
			t.Errorf("the finished case page: %s", pageMessage(page.body))
		}
		for _, who := range []string{"由账号 zjj（村级）", "由账号 dcjd（乡镇）", "由账号 county（区县）", "经办人 王网格", "经办人 李审核"} {
			if !strings.Contains(page.body, who) {
				t.Errorf("the finished case page does not say %q", who)
			}
		}
		got, _ := e.db.FindHouseholdByCode(ctx, store.Everywhere, h.Code)
		if got.Category != monitor.CatEdge || got.IdentifiedIn != (monitor.YearMonth{Year: 2023, Month: 1}) || strings.Join(got.Risks, "、") != "因病、因学" {
			t.Errorf("household after 纳入监测: %q %v %v", got.Category, got.IdentifiedIn, got.Risks)
		}
		cs, _ := e.db.FindCase(ctx, store.Everywhere, id)
		if cs.Status != monitor.CaseDone || cs.FlagID == nil || *cs.FlagID != flag.ID || cs.Channel != "风险预警" || len(cs.Steps) != 6 {
			t.Errorf("case: %+v", cs)
		}
		if es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Object: fmt.Sprintf("case:%d", id)}); len(es) != 7 {
			t.Errorf("audit of the case: %d entries, want 7 (open and six steps)", len(es))
		}
		if page := c.get("/households/" + h.Code); !strings.Contains(page.body, casePath) {
			t.Error("the household page does not list its case")
		}
	})
}

// TestCaseQueue: open cases are listed overdue first, with 超期, and the
// filters keep to the step asked for.
func TestCaseQueue(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		zjj := store.Scope{Township: sampleTown, Village: sampleVillage}
		var late, fresh int64
		var free []*monitor.Household
		hs, _, _ := e.db.FindHouseholds(ctx, zjj, store.HouseholdFilter{Limit: 100})
		for _, h := range hs {
			if !h.Monitored() {
				free = append(free, h)
			}
		}
		if len(free) < 2 {
			t.Fatal("fewer than two unmonitored households in 皂角井社区")
		}
		for i, opened := range []monitor.Date{day(2023, 1, 14), day(2022, 12, 20)} {
			c := &monitor.Case{HouseholdCode: free[i].Code, Kind: monitor.CaseInclusion, Channel: "基层干部排查", Category: monitor.CatEdge, Risks: []string{"因病"}, OpenedOn: opened, OpenedBy: "zjj"}
			if err := watch.OpenCase(ctx, e.db, zjj, c, monitor.DateOf(e.now)); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				fresh = c.ID
			} else {
				late = c.ID
			}
		}
		page := w.village.get("/cases")
		iLate, iFresh := strings.Index(page.body, fmt.Sprintf(`href="/cases/%d"`, late)), strings.Index(page.body, fmt.Sprintf(`href="/cases/%d"`, fresh))
		if iLate < 0 || iFresh < 0 || iLate > iFresh {
			t.Fatalf("queue order: overdue case at %d, fresh one at %d", iLate, iFresh)
		}
		if !strings.Contains(page.body, "超期 1 件") || !strings.Contains(page.body, `<span class="tag bad">超期</span>`) {
			t.Error("the overdue case has no 超期 badge")
		}
		if page := w.village.get("/cases?step=" + url.QueryEscape("公示")); strings.Contains(page.body, fmt.Sprintf(`href="/cases/%d"`, late)) {
			t.Error("the step filter lists a case whose next step is 入户核实")
		}
		if page := w.village.get("/cases?step=" + url.QueryEscape("入户核实")); !strings.Contains(page.body, fmt.Sprintf(`href="/cases/%d"`, late)) {
			t.Error("the step filter leaves out a case whose next step is 入户核实")
		}
		if res := w.village.get("/cases?status=bogus"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("bad status: %d", res.StatusCode)
		}
		t.Run("Cancel", func(t *testing.T) {
			path := fmt.Sprintf("/cases/%d/cancel", fresh)
			if res := w.village.submit(path, url.Values{"reason": {""}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "撤销案件须填写原因") {
				t.Fatalf("cancel without a reason: %d", res.StatusCode)
			}
			mustRedirect(t, "cancel", w.village.submit(path, url.Values{"reason": {"重复登记"}}))
			c, _ := e.db.FindCase(ctx, store.Everywhere, fresh)
			if c.Status != monitor.CaseCancelled || !strings.Contains(c.Note, "重复登记") {
				t.Errorf("cancelled case: %s %q", c.Status, c.Note)
			}
		})
	})
}

// TestEliminationOverride: a risk elimination that fails its conditions
// shows why; a village user can neither open nor finish it with an
// override, a township user can; the account that reviewed it (乡镇审核)
// does not also approve it, a county account does.
func TestEliminationOverride(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		var blockers []string
		h := villageHousehold(t, e.db, func(h *monitor.Household) bool {
			if !h.Monitored() || h.RiskEliminated {
				return false
			}
			blockers, _ = watch.EliminationBlockers(ctx, e.db, store.Everywhere, h.Code, monitor.DateOf(e.now))
			return len(blockers) > 0
		})
		path := "/households/" + h.Code + "/cases"
		form := w.village.get(path + "/new?kind=elimination")
		if form.StatusCode != http.StatusOK || !strings.Contains(form.body, blockers[0]) || strings.Contains(form.body, `name="override_reason"`) {
			t.Fatalf("village elimination form: %d, shows the blockers %v and no override field?", form.StatusCode, blockers)
		}
		elim := url.Values{"kind": {"elimination"}, "method": {"帮扶消除"}, "channel": {"基层干部排查"}, "date": {"2023-01-02"}}
		if res := w.village.submit(path, elim); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "不符合风险消除条件") {
			t.Fatalf("village elimination without override: %d %s", res.StatusCode, pageMessage(res.body))
		}
		withReason := url.Values{"override_reason": {"收入已稳定，村里核实"}}
		for k, v := range elim {
			withReason[k] = v
		}
		if res := w.village.submit(path, withReason); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "村级账号不能特批") {
			t.Fatalf("village override: %d, want 403", res.StatusCode)
		}
		if cs, _ := e.db.FindCases(ctx, store.Everywhere, store.CaseFilter{HouseholdCode: h.Code}, monitor.DateOf(e.now)); len(cs) != 0 {
			t.Fatal("a refused elimination opened a case")
		}
		if page := w.township.get(path + "/new?kind=elimination"); !strings.Contains(page.body, `name="override_reason"`) {
			t.Fatal("the township user is not offered the override field")
		}
		id := idAfter(t, mustRedirect(t, "township override", w.township.submit(path, withReason)), "/cases/")
		casePath := fmt.Sprintf("/cases/%d/steps", id)
		steps := []url.Values{
			{"step": {"入户核实"}, "date": {"2023-01-03"}}, {"step": {"信息比对"}, "date": {"2023-01-04"}}, {"step": {"民主评议"}, "date": {"2023-01-05"}},
			{"step": {"公示"}, "date": {"2023-01-10"}, "notice_start": {"2023-01-06"}, "notice_end": {"2023-01-10"}},
		}
		for _, s := range steps {
			s.Set("person", "王网格")
			mustRedirect(t, s.Get("step"), w.village.submit(casePath, s))
		}
		mustRedirect(t, "乡镇审核", w.admin.submit(casePath, url.Values{"step": {"乡镇审核"}, "date": {"2023-01-11"}, "person": {"赵主任"}}))
		last := url.Values{"step": {"县级审定"}, "date": {"2023-01-12"}, "person": {"李科长"}, "override_reason": {"村级再次特批"}}
		if res := w.village.submit(casePath, last); res.StatusCode != http.StatusForbidden {
			t.Fatalf("village override on the last step: %d, want 403", res.StatusCode)
		}
		if c, _ := e.db.FindCase(ctx, store.Everywhere, id); c.Status != monitor.CaseOpen || c.OverrideReason != "收入已稳定，村里核实" {
			t.Fatalf("after the refused override: %s %q", c.Status, c.OverrideReason)
		}
		last.Del("override_reason")
		// The admin account reviewed, so it does not approve: the page says
		// so instead of offering the form, and a post is refused.
		sameAccount := fmt.Sprintf("同一账号不能既办理乡镇审核又办理县级审定（案件 %d 的乡镇审核由 admin 办理）", id)
		if page := w.admin.get(fmt.Sprintf("/cases/%d", id)); strings.Contains(page.body, `value="县级审定"`) || !strings.Contains(page.body, sameAccount) {
			t.Errorf("the reviewer's case page offers 县级审定 or does not say why not:\n%s", pageMessage(page.body))
		}
		if res := w.admin.submit(casePath, last); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, sameAccount) {
			t.Fatalf("the reviewer approving: %d %s, want 403", res.StatusCode, pageMessage(res.body))
		}
		if res := w.township.submit(casePath, last); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "县级审定须由区县或管理员账号办理") {
			t.Fatalf("a township 县级审定: %d %s, want 403", res.StatusCode, pageMessage(res.body))
		}
		mustRedirect(t, "县级审定", w.county.submit(casePath, last))
		got, _ := e.db.FindHouseholdByCode(ctx, store.Everywhere, h.Code)
		if !got.RiskEliminated || got.EliminationMethod != "帮扶消除" {
			t.Errorf("household after elimination: %v %q", got.RiskEliminated, got.EliminationMethod)
		}
	})
}
