package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

func benchHouseholds() int {
	n := 1000000
	if s := os.Getenv("SHOUWANG_BENCH_HOUSEHOLDS"); s != "" {
		fmt.Sscan(s, &n)
	}
	return n
}

// seed writes n generated households into db through the store's import
// path, 50,000 at a time.
func seed(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	var batch []monitor.ImportHousehold
	flush := func() {
		rep := &monitor.ImportReport{Kind: monitor.KindHouseholds}
		if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{Actor: "bench", SkipInvalid: true}); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	err := synth.Each(synth.Config{Seed: 42, Households: n}, func(h *monitor.Household) error {
		rows := make([]int, len(h.Members))
		batch = append(batch, monitor.ImportHousehold{Household: h, MemberRows: rows})
		if len(batch) == 50000 {
			flush()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(batch) > 0 {
		flush()
	}
}

// BenchmarkEvaluate evaluates the default rule set over a generated
// registry (1,000,000 households unless SHOUWANG_BENCH_HOUSEHOLDS says
// otherwise) from a warm database, loading the facts included. The SQLite
// file is kept in the temp folder between runs; PostgreSQL is seeded
// afresh when SHOUWANG_TEST_POSTGRES is set.
//
//	go test ./monitor/watch -run '^$' -bench Evaluate -benchtime 1x -timeout 60m
func BenchmarkEvaluate(b *testing.B) {
	n := benchHouseholds()
	ctx := context.Background()
	engines := []storetest.Engine{{Name: store.SQLite, DSN: "sqlite:" + filepath.Join(os.TempDir(), fmt.Sprintf("shouwang-bench-eval-%d-v1.db", n))}}
	if os.Getenv("SHOUWANG_BENCH_POSTGRES") != "" {
		engines = append(engines, storetest.DSNs(b)[1:]...)
	}
	for _, e := range engines {
		db, err := store.Open(ctx, e.DSN)
		if err != nil {
			b.Fatal(err)
		}
		if hs, _, _ := db.CountRegistry(ctx); hs < n {
			start := time.Now()
			seed(b, db, n)
			if err := db.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: seeded %d households in %s", e.Name, n, time.Since(start))
		}
		asOf := monitor.Date{Year: 2023, Month: 6, Day: 30}
		// Warm the cache, the flags and the facts rows; on a registry
		// never evaluated this run builds every facts row.
		start := time.Now()
		if _, err := Evaluate(ctx, db, asOf, store.EvalScope{}); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: warm-up evaluation %s", e.Name, time.Since(start))
		b.Run(e.Name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				// A new day, as a daily run: every kept flag's last
				// sighting is written.
				c, err := Evaluate(ctx, db, asOf.AddDays(i+1), store.EvalScope{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(c.Households), "households")
				b.ReportMetric(float64(c.Households)/b.Elapsed().Seconds(), "households/s")
			}
		})
		db.Close()
	}
}
