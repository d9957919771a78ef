package imports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/synth"
)

// TestFollowUpFailureLeavesImportCommitted: an import whose follow-up
// evaluation cannot run (another evaluation holds on) stays committed and
// says so apart — reevaluated false and why — and its households are
// marked; the next evaluation, even of another village, evaluates them and
// clears the mark. When nothing is in the way, the follow-up runs.
func TestFollowUpFailureLeavesImportCommitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := Run(ctx, db, Request{Path: "../../testdata/households.xlsx", Options: store.ImportOptions{Actor: "区县", SkipInvalid: true},
			Scope: store.Everywhere, Today: today, Limits: sheet.DefaultLimits()}); err != nil {
			t.Fatal(err)
		}
		if _, err := watch.Evaluate(ctx, db, today, store.EvalScope{}); err != nil {
			t.Fatal(err)
		}

		// Another process's evaluation holds the lease (and keeps it).
		if ok, err := db.AcquireLease(ctx, store.EvaluationLease, "另一进程", time.Hour); err != nil || !ok {
			t.Fatalf("holding the lease: %v %v", ok, err)
		}
		rep := importSynth(t, db, 40)
		err := FollowUp(ctx, db, rep, monitor.Date{}, 200*time.Millisecond)
		if monitor.ErrorCode(err) != monitor.ECONFLICT {
			t.Fatalf("follow-up beside a running evaluation: err = %v, want conflict", err)
		}
		if !rep.Committed || rep.Reevaluated || rep.Evaluation != nil {
			t.Fatalf("committed %v, reevaluated %v, evaluation %+v: want committed and not re-evaluated", rep.Committed, rep.Reevaluated, rep.Evaluation)
		}
		for _, want := range []string{"导入已写入", "另一项风险评估正在进行", "已标记为待评估"} {
			if !strings.Contains(rep.ReevaluationError, want) {
				t.Fatalf("reevaluation_error %q does not say %q", rep.ReevaluationError, want)
			}
		}
		pending, err := db.EvalPending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := slices.Sorted(slices.Values(rep.Touched)); !slices.Equal(pending, want) {
			t.Fatalf("pending %v, want the import's %v", pending, want)
		}

		// The other evaluation ends; the next one, of one village, takes
		// the marked households up.
		if err := db.ReleaseLease(ctx, store.EvaluationLease, "另一进程"); err != nil {
			t.Fatal(err)
		}
		c, err := watch.Evaluate(ctx, db, today, store.EvalScope{Township: "东城街道", Village: "皂角井社区"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Households, 15+len(rep.Touched); got != want {
			t.Fatalf("the village's evaluation took %d households, want its 15 and the %d marked", got, len(rep.Touched))
		}
		if pending, err := db.EvalPending(ctx); err != nil || len(pending) != 0 {
			t.Fatalf("still marked after their evaluation: %v %v", pending, err)
		}

		rep = importSynth(t, db, 10)
		if err := FollowUp(ctx, db, rep, monitor.Date{}, time.Second); err != nil {
			t.Fatal(err)
		}
		if !rep.Reevaluated || rep.ReevaluationError != "" || rep.Evaluation == nil || rep.Evaluation.Households != len(rep.Touched) {
			t.Fatalf("unhindered follow-up: reevaluated %v, error %q, evaluation %+v", rep.Reevaluated, rep.ReevaluationError, rep.Evaluation)
		}
	})
}

// seq numbers the generated batches; each has a region of its own, so its
// households and people are new to the registry.
var seq int

// importSynth commits n generated households and returns the report.
func importSynth(t *testing.T, db *store.DB, n int) *monitor.ImportReport {
	t.Helper()
	seq++
	var batch []monitor.ImportHousehold
	for _, h := range synth.Households(synth.Config{Seed: uint64(seq), Households: n, Region: fmt.Sprintf("5101%02d", seq)}) {
		batch = append(batch, monitor.ImportHousehold{Household: h, MemberRows: make([]int, len(h.Members))})
	}
	rep := &monitor.ImportReport{Kind: monitor.KindHouseholds}
	if err := db.ImportHouseholds(context.Background(), rep, batch, store.ImportOptions{Actor: "测试", SkipInvalid: true}); err != nil {
		t.Fatal(err)
	}
	if !rep.Committed || len(rep.Touched) == 0 {
		t.Fatalf("seed: committed %v, touched %d, errors %v", rep.Committed, len(rep.Touched), rep.Errors)
	}
	return rep
}
