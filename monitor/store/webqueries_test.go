package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

func ymd(y, m, d int) monitor.Date { return monitor.Date{Year: y, Month: m, Day: d} }

var (
	zjj = store.Scope{Township: "东城街道", Village: "皂角井社区"}
	gb  = store.Scope{Township: "东城街道", Village: "灌坝社区"}
)

// twoVillages imports a household in 皂角井社区 (code 1, monitored) and one
// in 灌坝社区 (code 2, not monitored).
func twoVillages(t *testing.T, db *store.DB) {
	t.Helper()
	a := household("1", "甲", "500119195610231938")
	a.Household.Category = monitor.CatEdge
	a.Household.IdentifiedIn = monitor.YearMonth{Year: 2022, Month: 1}
	b := household("2", "乙", "500119195608312405")
	b.Household.Village = "灌坝社区"
	run(t, db, store.ImportOptions{}, a, b)
}

// TestMeasureCoverage holds the SQL of MeasureCoverage to
// monitor.Measure.ActiveOn.
func TestMeasureCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var hs []monitor.ImportHousehold
		for i, id := range []string{"500119195610231938", "500119195608312405", "500119195403231791", "500119196803150215", "110101199003074514", "110101199003071772"} {
			h := household(string(rune('1'+i)), "户主", id)
			h.Household.Category = monitor.CatEdge
			if i == 5 {
				h.Household.Category = ""
			}
			hs = append(hs, h)
		}
		run(t, db, store.ImportOptions{}, hs...)
		asOf := ymd(2023, 6, 30)
		ms := []monitor.Measure{
			{HouseholdCode: "1", Category: "产业帮扶", Status: monitor.MeasureInPlace, Start: ymd(2023, 1, 1)},                      // in place
			{HouseholdCode: "2", Category: "产业帮扶", Status: monitor.MeasurePlanned, Start: ymd(2023, 1, 1)},                      // planned
			{HouseholdCode: "3", Category: "产业帮扶", Status: monitor.MeasureEnded, Start: ymd(2022, 1, 1), End: ymd(2023, 6, 29)}, // ended the day before
			{HouseholdCode: "4", Category: "产业帮扶", Status: monitor.MeasureInPlace, Start: ymd(2023, 7, 1)},                      // starts the day after
			{HouseholdCode: "5", Category: "综合保障", Status: monitor.MeasureInPlace, End: asOf},                                   // no start, ends that day
			{HouseholdCode: "6", Category: "产业帮扶", Status: monitor.MeasureInPlace},                                              // not monitored
		}
		want := 0
		for i := range ms {
			if err := db.CreateMeasure(ctx, store.Everywhere, &ms[i], "测试"); err != nil {
				t.Fatal(err)
			}
			if ms[i].ActiveOn(asOf) && ms[i].HouseholdCode != "6" {
				want++
			}
		}
		cov, err := db.MeasureCoverage(ctx, store.Everywhere, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(cov) != 1 || cov[0].Monitored != 5 || cov[0].WithMeasure != want || want != 2 || cov[0].Missing() != 3 {
			t.Fatalf("coverage %+v, want 5 monitored and %d with a measure in place (ActiveOn)", cov, want)
		}
		if cov, _ := db.MeasureCoverage(ctx, gb, asOf); len(cov) != 0 {
			t.Fatalf("another village's scope sees %+v", cov)
		}
	})
}

// TestCasesKeepToScope: every case method refuses a case of a household
// outside the scope it is given, as if it did not exist.
func TestCasesKeepToScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoVillages(t, db)
		c := &monitor.Case{HouseholdCode: "2", Kind: monitor.CaseInclusion, Channel: "基层干部排查", Category: monitor.CatEdge, OpenedOn: ymd(2023, 1, 2), OpenedBy: "t"}
		if err := db.OpenCase(ctx, zjj, c, 15); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Fatalf("open outside scope: %v", err)
		}
		if err := db.OpenCase(ctx, gb, c, 15); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindCase(ctx, zjj, c.ID); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Errorf("find outside scope: %v", err)
		}
		if cs, err := db.FindCases(ctx, zjj, store.CaseFilter{Status: "all"}, ymd(2023, 1, 3)); err != nil || len(cs) != 0 {
			t.Errorf("list outside scope: %d %v", len(cs), err)
		}
		if cs, _ := db.FindCases(ctx, gb, store.CaseFilter{NextStep: "入户核实"}, ymd(2023, 1, 3)); len(cs) != 1 {
			t.Errorf("list by next step: %d", len(cs))
		}
		if cs, _ := db.FindCases(ctx, gb, store.CaseFilter{NextStep: "公示"}, ymd(2023, 1, 3)); len(cs) != 0 {
			t.Errorf("list by another next step: %d", len(cs))
		}
		if _, err := db.FindCases(ctx, gb, store.CaseFilter{NextStep: "喝茶"}, ymd(2023, 1, 3)); monitor.ErrorCode(err) != monitor.EINVALID {
			t.Errorf("unknown step: %v", err)
		}
		step := monitor.CaseStep{Step: "入户核实", DoneOn: ymd(2023, 1, 3), Person: "p", RecordedBy: "t"}
		if _, err := db.RecordStep(ctx, zjj, c.ID, step, func(*monitor.Case) error { return nil }); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Errorf("step outside scope: %v", err)
		}
		if err := db.CancelCase(ctx, zjj, c.ID, ymd(2023, 1, 3), "x"); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Errorf("cancel outside scope: %v", err)
		}
		if err := db.CancelCase(ctx, gb, c.ID, ymd(2023, 1, 3), " "); monitor.ErrorCode(err) != monitor.EINVALID {
			t.Errorf("cancel without a reason: %v", err)
		}
		if got, _ := db.FindCase(ctx, store.Everywhere, c.ID); got.Status != monitor.CaseOpen || len(got.Steps) != 0 {
			t.Fatalf("the case changed: %+v", got)
		}
		flag := int64(999)
		c2 := &monitor.Case{HouseholdCode: "1", Kind: monitor.CaseElimination, Channel: "基层干部排查", Method: "自然消除", FlagID: &flag, OpenedOn: ymd(2023, 1, 2), OpenedBy: "t"}
		if err := db.OpenCase(ctx, zjj, c2, 15); monitor.ErrorCode(err) != monitor.EINVALID {
			t.Errorf("a flag of no household: %v", err)
		}
	})
}

// TestFindFlag and the severity filter keep to scope.
func TestFindFlag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoVillages(t, db)
		hit := func(d *store.HouseholdData) []monitor.Hit {
			return []monitor.Hit{{RuleCode: "r", RuleName: "规则", RiskType: "收入", Severity: "高", Kind: "risk", Explanation: d.Household.Code}}
		}
		cv, err := db.SaveConfig(ctx, "", "{}", "测试", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Evaluate(ctx, ymd(2022, 12, 31), cv.ID, store.EvalScope{}, store.Constant(hit)); err != nil {
			t.Fatal(err)
		}
		fs, _, _ := db.FindFlags(ctx, gb, store.FlagFilter{})
		if len(fs) != 1 {
			t.Fatalf("flags of 灌坝社区: %d", len(fs))
		}
		if f, err := db.FindFlag(ctx, gb, fs[0].ID); err != nil || f.HouseholdCode != "2" || f.Explanation != "2" {
			t.Fatalf("FindFlag: %+v %v", f, err)
		}
		if _, err := db.FindFlag(ctx, zjj, fs[0].ID); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Errorf("FindFlag outside scope: %v", err)
		}
		if n, _ := db.OpenFlagsByRule(ctx); n["r"] != 2 {
			t.Errorf("open flags by rule: %v", n)
		}
		for sev, want := range map[string]int{"高": 2, "低": 0} {
			if _, total, _ := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Severity: sev}); total != want {
				t.Errorf("severity %s: %d flags, want %d", sev, total, want)
			}
		}
	})
}

// TestAuditBetween: the audit list keeps to a time window.
func TestAuditBetween(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2023, 1, 10, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return at }
		for i := range 3 {
			at = at.Add(24 * time.Hour * time.Duration(i))
			if err := db.Audit(ctx, store.AuditEntry{Username: "u", Action: store.AuditCaseStep, Object: "case:1"}); err != nil {
				t.Fatal(err)
			}
		}
		// Entries on the 10th, 11th and 13th.
		for _, tc := range []struct {
			name         string
			since, until time.Time
			want         int
		}{
			{"All", time.Time{}, time.Time{}, 3},
			{"Since", time.Date(2023, 1, 11, 0, 0, 0, 0, time.UTC), time.Time{}, 2},
			{"Until", time.Time{}, time.Date(2023, 1, 11, 0, 0, 0, 0, time.UTC), 1},
			{"Day", time.Date(2023, 1, 11, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 12, 0, 0, 0, 0, time.UTC), 1},
			{"OtherZone", time.Date(2023, 1, 13, 15, 0, 0, 0, time.FixedZone("CST", 8*3600)), time.Time{}, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, n, err := db.FindAudit(ctx, store.AuditFilter{Since: tc.since, Until: tc.until}); err != nil || n != tc.want {
					t.Fatalf("%d entries (%v), want %d", n, err, tc.want)
				}
			})
		}
	})
}
