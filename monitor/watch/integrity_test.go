package watch

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

// integrityHouseholds is how many households the concurrency test works on
// (the 20,000; -short takes fewer).
func integrityHouseholds() int {
	if testing.Short() {
		return 3000
	}
	return 20000
}

// generated returns the synthetic roster, fresh (imports write ids into it).
func generated(n int) []monitor.ImportHousehold {
	hs := synth.Households(synth.Config{Seed: 5, Households: n, Townships: []string{"东城街道"}, VillagesPer: 4})
	out := make([]monitor.ImportHousehold, len(hs))
	for i, h := range hs {
		out[i] = monitor.ImportHousehold{Household: h, Row: i + 3, MemberRows: make([]int, len(h.Members))}
	}
	return out
}

// edit is a village clerk's roster over households [from, to) of the
// generated ones: a new phone number and a higher wage for each, and new
// households (the same in both editions) appended.
func edit(n, from, to int, tag string, extra int) []monitor.ImportHousehold {
	all := generated(n + extra) // the first n are the registered ones
	out := all[from:to:to]
	for i := range out {
		h := out[i].Household
		h.Phone = fmt.Sprintf("%s-%d", tag, i)
		for j := range h.Incomes {
			h.Incomes[j].Wage += monitor.Yuan(100)
			h.Incomes[j].Net += monitor.Yuan(100)
		}
	}
	return append(out, all[n:]...)
}

type integrityOp func(ctx context.Context, db *store.DB) error

func importOp(hs []monitor.ImportHousehold) integrityOp {
	return func(ctx context.Context, db *store.DB) error {
		rep := &monitor.ImportReport{Kind: monitor.KindHouseholds, Households: monitor.HouseholdCounts{InFile: len(hs)}}
		if err := db.ImportHouseholds(ctx, rep, hs, store.ImportOptions{Actor: "测试", Year: 2022}); err != nil {
			return err
		}
		if !rep.Committed {
			return fmt.Errorf("import not committed: %d errors, the first %v", len(rep.Errors), rep.Errors[:min(2, len(rep.Errors))])
		}
		return nil
	}
}

func evalOp(ctx context.Context, db *store.DB) error {
	_, err := Evaluate(ctx, db, asOf, store.EvalScope{})
	return err
}

// TestConcurrentWorkKeepsTheRecord: four evaluations and two overlapping
// imports (changing the same households, creating the same new ones) run at
// once; then no open flag is doubled, every history entry's old value is the
// value its predecessor wrote, and the registry and its flags are what the
// same work done one after another gives.
func TestConcurrentWorkKeepsTheRecord(t *testing.T) {
	n := integrityHouseholds()
	extra := n / 40
	final := func(t *testing.T, db *store.DB, concurrent bool) (households int, open []string) {
		ctx := context.Background()
		if err := importOp(generated(n + extra)[:n])(ctx, db); err != nil {
			t.Fatal(err)
		}
		ops := []integrityOp{importOp(edit(n, 0, n*3/4, "A", extra)), importOp(edit(n, n/4, n, "B", extra)), evalOp, evalOp, evalOp, evalOp}
		if concurrent {
			var wg sync.WaitGroup
			errs := make([]error, len(ops))
			for i, op := range ops {
				wg.Go(func() { errs[i] = op(ctx, db) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("operation %d: %v", i, err)
				}
			}
		} else {
			for i, op := range ops {
				if err := op(ctx, db); err != nil {
					t.Fatalf("operation %d: %v", i, err)
				}
			}
		}
		if err := evalOp(ctx, db); err != nil {
			t.Fatal(err)
		}
		flags, _, err := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Status: monitor.FlagOpen})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, f := range flags {
			k := f.HouseholdCode + "/" + f.RuleCode
			if seen[k] {
				t.Fatalf("two open flags for %s", k)
			}
			seen[k] = true
			open = append(open, k)
		}
		slices.Sort(open)
		households, _, err = db.CountRegistry(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return households, open
	}
	open := func(t *testing.T, dsn string) *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	serialDSNs := storetest.DSNs(t)
	for i, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, e.DSN)
			gotHH, gotOpen := final(t, db, true)
			if gotHH != n+extra {
				t.Fatalf("%d households, want %d", gotHH, n+extra)
			}

			// History: per household and field, each entry starts from the
			// value the one before it left. The households both imports
			// changed, and some of the new ones, are read back.
			codes := []string{}
			all := generated(n + extra)
			for i := n / 4; i < n*3/4; i += max(1, n/400) {
				codes = append(codes, all[i].Household.Code)
			}
			for i := n; i < n+extra; i += max(1, extra/20) {
				codes = append(codes, all[i].Household.Code)
			}
			for _, code := range codes {
				cs, err := db.FindChanges(ctx, store.Everywhere, code)
				if err != nil {
					t.Fatal(err)
				}
				slices.Reverse(cs) // oldest first
				last := map[string]string{}
				phones := 0
				for _, c := range cs {
					k := c.Entity + "/" + c.EntityKey + "/" + c.Field
					if prev, ok := last[k]; ok && prev != c.OldValue {
						t.Fatalf("%s %s: entry %d starts from %q but the one before left %q", code, k, c.ID, c.OldValue, prev)
					}
					last[k] = c.NewValue
					if c.Field == "联系电话" {
						phones++
					}
					if c.Field == monitor.FieldCreated && last[k] != c.NewValue {
						t.Fatalf("%s created twice", code)
					}
				}
				if code < all[n].Household.Code && phones != 2 {
					t.Fatalf("%s: %d phone changes, want 2 (one per import)", code, phones)
				}
			}

			// The same work one after another.
			wantHH, wantOpen := final(t, open(t, serialDSNs[i].DSN), false)
			if gotHH != wantHH || !slices.Equal(gotOpen, wantOpen) {
				t.Fatalf("concurrent: %d households, %d open flags; one after another: %d, %d", gotHH, len(gotOpen), wantHH, len(wantOpen))
			}
			if len(gotOpen) == 0 {
				t.Fatal("no open flag at all: the test would not tell")
			}
		})
	}
}
