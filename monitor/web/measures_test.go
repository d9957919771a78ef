package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// TestMeasureClosesNoMeasureFlag: a measure added on the household page
// is validated, and once in place the household's "no measure after
// identification" flag closes on re-evaluation; ending it and setting the
// cadre work from the same page.
func TestMeasureClosesNoMeasureFlag(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		c := w.village
		h := villageHousehold(t, e.db, func(h *monitor.Household) bool {
			_, ok := openFlags(t, e.db, h.Code)["dq_no_measure"]
			return ok
		})
		path := "/households/" + h.Code + "/measures"
		page := c.get("/households/" + h.Code)
		for _, want := range []string{`action="` + path + `"`, "新增帮扶措施", "帮扶责任人", "小额信贷", "识别纳入"} {
			if !strings.Contains(page.body, want) && !(want == "识别纳入" && h.Monitored()) {
				t.Errorf("household page lacks %q", want)
			}
		}
		measure := func(kv ...string) url.Values {
			f := url.Values{"category": {"产业帮扶"}, "sub_type": {"产业奖补"}, "status": {"in_place"}, "start": {"2022-06-01"}, "amount": {"1200"}}
			for i := 0; i+1 < len(kv); i += 2 {
				f.Set(kv[i], kv[i+1])
			}
			return f
		}
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"ErrCategory", measure("category", "发钱"), "请选择帮扶措施类别"},
			{"ErrAmount", measure("amount", "-5"), "金额不能为负数"},
			{"ErrMonths", measure("category", "公益岗位帮扶", "months", "13"), "公益岗位务工月数应为 0 到 12 之间的整数"},
			{"ErrMonthsElsewhere", measure("months", "3"), "只有公益岗位帮扶填写务工月数"},
			{"ErrDates", measure("end", "2022-01-01"), "结束日期早于开始日期"},
			{"ErrDate", measure("start", "2022-13-01"), "开始日期“2022-13-01”不是有效日期"},
			{"ErrMember", measure("member", "999999"), "受益成员不是本户成员"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := c.submit(path, tc.form)
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, tc.want) || !strings.Contains(res.body, `id="measure-error"`) {
					t.Fatalf("%d %s, want 400 with %q", res.StatusCode, pageMessage(res.body), tc.want)
				}
				if !strings.Contains(res.body, `value="产业奖补"`) {
					t.Error("the refused form is not shown again with what was typed")
				}
			})
		}
		loc := mustRedirect(t, "add measure", c.submit(path, measure("member", strconv.FormatInt(h.Members[0].ID, 10))))
		if !strings.Contains(loc, "eval=1") {
			t.Errorf("the household was not re-evaluated (redirect %s)", loc)
		}
		if _, open := openFlags(t, e.db, h.Code)["dq_no_measure"]; open {
			t.Fatal("dq_no_measure still open after a measure in place")
		}
		closed, _, _ := e.db.FindFlags(ctx, store.Everywhere, store.FlagFilter{HouseholdCode: h.Code, RuleCode: "dq_no_measure", Status: monitor.FlagClosed})
		if len(closed) != 1 || closed[0].ClosedOn != day(2022, 12, 31) {
			t.Fatalf("closed dq_no_measure flags: %+v", closed)
		}
		page = c.get(loc)
		if !strings.Contains(page.body, "帮扶措施已保存") || !strings.Contains(page.body, "产业奖补") || !strings.Contains(page.body, h.Members[0].Name) {
			t.Error("the household page does not show the new measure")
		}
		ms, _ := e.db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{HouseholdCode: h.Code})
		if len(ms) != 1 || ms[0].Amount != monitor.Yuan(1200) || ms[0].MemberID != h.Members[0].IDNumber {
			t.Fatalf("measures: %+v", ms)
		}
		id := ms[0].ID
		t.Run("Edit", func(t *testing.T) {
			edit := fmt.Sprintf("%s/%d", path, id)
			if page := c.get(edit); page.StatusCode != http.StatusOK || !strings.Contains(page.body, `value="1200.00"`) {
				t.Fatalf("edit page: %d", page.StatusCode)
			}
			mustRedirect(t, "edit", c.submit(edit, measure("amount", "1500", "member", strconv.FormatInt(h.Members[0].ID, 10))))
			if m, _ := e.db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{HouseholdCode: h.Code}); m[0].Amount != monitor.Yuan(1500) {
				t.Errorf("amount after edit: %s", m[0].Amount)
			}
			if res := c.submit(edit, measure("status", "ended")); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "已结束的措施请填写结束日期") {
				t.Errorf("ended without an end date: %d", res.StatusCode)
			}
			if res := c.get(fmt.Sprintf("/households/%s/measures/%d", h.Code, w.otherMeasure)); res.StatusCode != http.StatusNotFound {
				t.Errorf("another village's measure under this household: %d, want 404", res.StatusCode)
			}
		})
		t.Run("End", func(t *testing.T) {
			mustRedirect(t, "end", c.submit(fmt.Sprintf("%s/%d/end", path, id), url.Values{"end": {"2022-11-30"}}))
			m, _ := e.db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{HouseholdCode: h.Code})
			if m[0].Status != monitor.MeasureEnded || m[0].End != day(2022, 11, 30) {
				t.Fatalf("ended measure: %s %s", m[0].Status, m[0].End)
			}
			if _, open := openFlags(t, e.db, h.Code)["dq_no_measure"]; !open {
				t.Error("ending the only measure did not open dq_no_measure again")
			}
		})
		t.Run("Cadre", func(t *testing.T) {
			cadres := "/households/" + h.Code + "/cadres"
			if res := c.submit(cadres, url.Values{"name": {""}, "from": {"2023-01-01"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "帮扶责任人姓名必填") {
				t.Fatalf("cadre without a name: %d", res.StatusCode)
			}
			mustRedirect(t, "cadre", c.submit(cadres, url.Values{"name": {"张干部"}, "unit": {"区农业农村委"}, "phone": {"13800000000"}, "from": {"2022-01-01"}}))
			mustRedirect(t, "new cadre", c.submit(cadres, url.Values{"name": {"李干部"}, "unit": {"街道办"}, "from": {"2023-01-10"}}))
			list, _ := e.db.FindCadres(ctx, store.Everywhere, h.Code, monitor.DateOf(e.now))
			if len(list.Current) != 1 || list.Current[0].Name != "李干部" || len(list.History) != 1 || list.History[0].To != day(2023, 1, 9) {
				t.Fatalf("cadres: %+v", list)
			}
			if page := c.get("/households/" + h.Code); !strings.Contains(page.body, "李干部") || !strings.Contains(page.body, "历任帮扶责任人 1 人") {
				t.Error("the household page does not show the current cadre and the history")
			}
		})
		t.Run("List", func(t *testing.T) {
			page := w.county.get("/measures?as_of=2022-12-31")
			if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "帮扶措施落实率（截至 2022-12-31）") || !strings.Contains(page.body, sampleVillage) {
				t.Fatalf("measures page: %d", page.StatusCode)
			}
			if page := c.get("/measures?category=" + url.QueryEscape("产业帮扶")); !strings.Contains(page.body, h.Code) || strings.Contains(page.body, w.other.Code) {
				t.Error("the village's measure list")
			}
		})
		if es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Username: "zjj", Action: store.AuditMeasureAdd}); len(es) != 1 {
			t.Errorf("measure_add audit entries: %d", len(es))
		}
	})
}
