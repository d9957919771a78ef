package watch

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// TestWhoRecordsEachStep: a village account records the village's steps
// but neither review; one account does not both review and approve; each
// step keeps its account and role; and the household's history credits
// the account that recorded 县级审定, not the one that opened the case.
func TestWhoRecordsEachStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importAll(t, db, parseSample(t))
		today := monitor.Date{Year: 2023, Month: 1, Day: 15}
		hs, _, err := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Village: "皂角井社区", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var code string
		for _, h := range hs {
			if !h.Monitored() {
				code = h.Code
				break
			}
		}
		if code == "" {
			t.Fatal("no unmonitored household in 皂角井社区")
		}
		zjj := store.Scope{Township: "东城街道", Village: "皂角井社区"}
		c := &monitor.Case{HouseholdCode: code, Kind: monitor.CaseInclusion, Channel: "基层干部排查", Category: monitor.CatEdge,
			Risks: []string{"因病"}, OpenedOn: monitor.Date{Year: 2023, Month: 1, Day: 2}, OpenedBy: "opener"}
		if err := OpenCase(ctx, db, zjj, c, today); err != nil {
			t.Fatal(err)
		}
		record := func(step string, day int, account, role string) error {
			s := monitor.CaseStep{Step: step, DoneOn: monitor.Date{Year: 2023, Month: 1, Day: day}, Person: "王网格",
				RecordedBy: account, RecordedRole: role}
			if step == monitor.StepNotice {
				s.NoticeStart, s.NoticeEnd = monitor.Date{Year: 2023, Month: 1, Day: 6}, monitor.Date{Year: 2023, Month: 1, Day: 10}
			}
			scope := store.Everywhere
			if role == store.RoleVillage {
				scope = zjj
			}
			_, err := RecordStep(ctx, db, scope, c.ID, s, "", today)
			return err
		}
		for _, s := range []struct {
			step string
			day  int
		}{{"入户核实", 3}, {"信息比对", 4}, {"民主评议", 5}, {"公示", 10}} {
			if err := record(s.step, s.day, "zjj", store.RoleVillage); err != nil {
				t.Fatalf("village account, %s: %v", s.step, err)
			}
		}
		refused := func(what string, err error, want string) {
			t.Helper()
			if monitor.ErrorCode(err) != monitor.EFORBIDDEN || monitor.ErrorMessage(err) != want {
				t.Fatalf("%s: %v, want forbidden %q", what, err, want)
			}
		}
		refused("village account, 乡镇审核", record("乡镇审核", 11, "zjj", store.RoleVillage), "乡镇审核须由乡镇（街道）、区县或管理员账号办理")
		if err := record("乡镇审核", 11, "boss", store.RoleAdmin); err != nil {
			t.Fatalf("admin, 乡镇审核: %v", err)
		}
		refused("village account, 县级审定", record("县级审定", 12, "zjj", store.RoleVillage), "县级审定须由区县或管理员账号办理")
		refused("township account, 县级审定", record("县级审定", 12, "dcjd", store.RoleTownship), "县级审定须由区县或管理员账号办理")
		refused("the reviewer approving", record("县级审定", 12, "boss", store.RoleAdmin),
			fmt.Sprintf("同一账号不能既办理乡镇审核又办理县级审定（案件 %d 的乡镇审核由 boss 办理）", c.ID))
		got, err := db.FindCase(ctx, store.Everywhere, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != monitor.CaseOpen || got.Step != 5 || len(got.Steps) != 5 {
			t.Fatalf("after the refusals: %s, %d steps done, %d recorded; want open with 5", got.Status, got.Step, len(got.Steps))
		}
		if err := record("县级审定", 12, "county", store.RoleCounty); err != nil {
			t.Fatalf("county account, 县级审定: %v", err)
		}

		got, err = db.FindCase(ctx, store.Everywhere, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != monitor.CaseDone {
			t.Fatalf("case %s after 县级审定", got.Status)
		}
		var who []string
		for _, s := range got.Steps {
			who = append(who, s.RecordedBy+"/"+s.RecordedRole)
		}
		if got, want := strings.Join(who, " "), "zjj/village zjj/village zjj/village zjj/village boss/admin county/county"; got != want {
			t.Errorf("recorded by %s, want %s", got, want)
		}
		cs, err := db.FindCases(ctx, store.Everywhere, store.CaseFilter{Status: "all", HouseholdCode: code}, today)
		if err != nil || len(cs) != 1 || len(cs[0].Steps) != 6 || cs[0].Steps[5].RecordedRole != store.RoleCounty {
			t.Fatalf("the case list does not carry the steps' roles: %v %+v", err, cs)
		}

		changes, err := db.FindChanges(ctx, store.Everywhere, code)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ch := range changes {
			if !strings.Contains(ch.Note, fmt.Sprintf("识别纳入案件 %d", c.ID)) {
				continue
			}
			n++
			if ch.Actor != "county" {
				t.Errorf("history of %s credits %q, want the account that recorded 县级审定 (county), not the opener", ch.Field, ch.Actor)
			}
		}
		if n == 0 {
			t.Fatalf("no history entry names the case: %+v", changes)
		}
	})
}
