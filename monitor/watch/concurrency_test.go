package watch

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

// seedSynth imports n generated households.
func seedSynth(t *testing.T, db *store.DB, n int) *monitor.ImportReport {
	t.Helper()
	var batch []monitor.ImportHousehold
	for _, h := range synth.Households(synth.Config{Seed: 42, Households: n}) {
		batch = append(batch, monitor.ImportHousehold{Household: h, MemberRows: make([]int, len(h.Members))})
	}
	return importAll(t, db, batch)
}

// openFlagsOf reads the open flags and counts those that repeat a
// household and rule already open.
func openFlagsOf(t *testing.T, db *store.DB) (open, dup int) {
	t.Helper()
	flags, _, err := db.FindFlags(context.Background(), store.Everywhere, store.FlagFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range flags {
		k := fmt.Sprintf("%d/%s", f.HouseholdID, f.RuleCode)
		if seen[k] {
			dup++
		}
		seen[k] = true
	}
	return len(flags), dup
}

// TestConcurrentEvaluationsNeverDuplicate launches two full evaluations
// and an import's follow-up evaluation of part of the registry at the same
// moment over a few thousand households: they run one after another, none
// fails, no household has two open flags of one rule, and the open flags
// are what one serial run leaves.
func TestConcurrentEvaluationsNeverDuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := seedSynth(t, db, 5000)
		if _, err := Load(ctx, db); err != nil { // the first rule version, saved once
			t.Fatal(err)
		}
		part := rep.Touched[:1500]
		scopes := []store.EvalScope{{}, {}, {HouseholdIDs: part}}
		start := make(chan struct{})
		var wg sync.WaitGroup
		counts := make([]*monitor.EvaluationCounts, len(scopes))
		errs := make([]error, len(scopes))
		for i, s := range scopes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				counts[i], errs[i] = Evaluate(ctx, db, asOf, s)
			}()
		}
		close(start)
		wg.Wait()
		opened := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("evaluation %d: %v", i, err)
			}
			opened += counts[i].Opened
		}
		open, dup := openFlagsOf(t, db)
		if dup > 0 {
			t.Fatalf("%d duplicated open flags among %d", dup, open)
		}
		if open == 0 || opened != open {
			t.Fatalf("the evaluations opened %d flags in all, %d are open", opened, open)
		}
		// A serial run over the same data on the same day finds every
		// flag in place.
		serial, err := Evaluate(ctx, db, asOf, store.EvalScope{})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, n := range serial.OpenByRule {
			want += n
		}
		if serial.Opened != 0 || serial.Closed != 0 || want != open {
			t.Fatalf("serial run: opened %d, closed %d, %d open by its count, %d in the table", serial.Opened, serial.Closed, want, open)
		}
	})
}
