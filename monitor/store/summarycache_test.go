package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// TestSummaryFollowsWrites: the dashboard's figures are kept in memory,
// and every import and every evaluation that opens or closes flags shows
// at once; what the mark cannot see shows after the cache's lifetime.
func TestSummaryFollowsWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2023, 1, 15, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		sum := func(scope store.Scope) *store.Summary {
			t.Helper()
			s, err := db.Summarize(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := sum(store.Everywhere); s.Households != 0 || s.LeadsOpen != 0 || !s.MonitoringDate.IsZero() {
			t.Fatalf("empty registry: %+v", s)
		}
		twoVillages(t, db) // household 1 monitored in zjj, 2 in gb
		if s := sum(store.Everywhere); s.Households != 2 || s.Monitored != 1 || s.Members != 2 || len(s.ByVillage) != 2 {
			t.Fatalf("after an import: %+v", s)
		}
		if s := sum(zjj); s.Households != 1 || s.Monitored != 1 || s.LeadsOpen != -1 {
			t.Fatalf("village after an import: %+v", s)
		}
		b := household("2", "乙", "500119195608312405", monitor.Member{IDNumber: "500119195403231791", Name: "丙", Relation: "配偶", Sex: "女"})
		b.Household.Village, b.Household.Category = "灌坝社区", monitor.CatEdge
		run(t, db, store.ImportOptions{}, b)
		if s := sum(store.Everywhere); s.Monitored != 2 || s.Members != 3 {
			t.Fatalf("after an update: %+v", s)
		}

		cv, err := db.SaveConfig(ctx, "", "{}", "测试", "")
		if err != nil {
			t.Fatal(err)
		}
		fire := map[string]bool{}
		eval := func(on monitor.Date) {
			t.Helper()
			_, err := db.Evaluate(ctx, on, cv.ID, store.EvalScope{}, store.Constant(func(d *store.HouseholdData) []monitor.Hit {
				if !fire[d.Household.Code] {
					return nil
				}
				return []monitor.Hit{{RuleCode: "R1", RuleName: "测试", RiskType: "因病", Severity: "high", Kind: "risk", Explanation: "测试"}}
			}))
			if err != nil {
				t.Fatal(err)
			}
		}
		flags := func(scope store.Scope, want int) {
			t.Helper()
			if s := sum(scope); s.OpenFlags != want || s.Flagged != want {
				t.Fatalf("%s: %d open flags on %d households, want %d", scope, s.OpenFlags, s.Flagged, want)
			}
		}
		fire["1"] = true
		eval(ymd(2023, 1, 10)) // opens a flag
		flags(store.Everywhere, 1)
		flags(zjj, 1)
		if s := sum(store.Everywhere); s.MonitoringDate != ymd(2023, 1, 10) || len(s.FlagsByRisk) != 1 {
			t.Fatalf("after an evaluation: %+v", s)
		}
		if ts, _ := db.OpenRiskTypes(ctx, zjj); len(ts) != 1 || ts[0] != "因病" {
			t.Fatalf("open risk types %v", ts)
		}
		if _, n, _ := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Flag: "any"}); n != 1 {
			t.Fatalf("households with a flag: %d, want 1", n)
		}
		fire["1"] = false
		eval(ymd(2023, 1, 11)) // closes it on a new day
		flags(store.Everywhere, 0)
		flags(zjj, 0)
		fire["1"] = true
		eval(ymd(2023, 1, 11)) // opens a new one
		flags(store.Everywhere, 1)
		fire["1"] = false
		eval(ymd(2023, 1, 11)) // closes it on the same day
		flags(store.Everywhere, 0)
		flags(zjj, 0)
		fire["2"] = true
		eval(ymd(2023, 1, 12))
		flags(store.Everywhere, 1)
		fire["2"] = false
		eval(ymd(2023, 1, 5)) // a closing dated before the latest: not seen at once
		now = now.Add(time.Minute)
		flags(store.Everywhere, 0)
		flags(gb, 0)
	})
}

// TestSummaryConcurrent asks for the figures from many goroutines while
// imports go on (run with -race).
func TestSummaryConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoVillages(t, db)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 8 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					for _, scope := range []store.Scope{store.Everywhere, zjj, gb} {
						s, err := db.Summarize(ctx, scope)
						if err != nil {
							t.Error(err)
							return
						}
						s.ByVillage = nil // a caller's copy is its own
					}
				}
			})
		}
		ids := []string{"500119195403231791", "500119196803150215", "110101199003074514", "110101199003071772"}
		for i, id := range ids {
			run(t, db, store.ImportOptions{}, household(string(rune('3'+i)), "户主", id))
		}
		close(stop)
		wg.Wait()
		if s, _ := db.Summarize(ctx, store.Everywhere); s.Households != 2+len(ids) || len(s.ByVillage) != 2 {
			t.Fatalf("after the imports: %+v", s)
		}
	})
}
