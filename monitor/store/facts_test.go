package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

// TestFactsRowsFollowEveryWrite checks that what evaluation reads of a
// household through its facts row is exactly what the tables hold: after
// the rows are built, and after each kind of write to a household — its
// own fields, a member changed, a member gone missing, a member added, an
// income, a case outcome — before any evaluation has rebuilt them.
func TestFactsRowsFollowEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := synth.Households(synth.Config{Seed: 11, Households: 300})
		batch := func() []monitor.ImportHousehold {
			out := make([]monitor.ImportHousehold, len(hs))
			for i, h := range hs {
				c := *h
				c.Members = append([]monitor.Member(nil), h.Members...)
				c.Incomes = append([]monitor.Income(nil), h.Incomes...)
				out[i] = monitor.ImportHousehold{Household: &c, Row: i + 2, MemberRows: make([]int, len(c.Members))}
			}
			return out
		}
		if rep := run(t, db, store.ImportOptions{}, batch()...); !rep.Committed {
			t.Fatalf("seed: %v", rep.Errors)
		}
		var ids []int64
		for _, h := range hs {
			got, err := db.FindHouseholdByCode(ctx, store.Everywhere, h.Code)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, got.ID)
		}
		same := func(when string) {
			t.Helper()
			viaFacts, fromTables, err := db.LoadForTest(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(viaFacts) != len(ids) {
				t.Fatalf("%s: %d households loaded of %d", when, len(viaFacts), len(ids))
			}
			for i := range viaFacts {
				if a, b := viaFacts[i].Household, fromTables[i].Household; !reflect.DeepEqual(a, b) {
					t.Fatalf("%s: household %s\nvia facts   %+v\nfrom tables %+v", when, b.Code, a, b)
				}
			}
		}
		facts := func(when string, current, all int) {
			t.Helper()
			c, a, err := db.FactsRowsForTest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c != current || a != all {
				t.Fatalf("%s: %d current facts rows of %d, want %d of %d", when, c, a, current, all)
			}
		}
		cv, err := db.SaveConfig(ctx, "", "{}", "测试", "")
		if err != nil {
			t.Fatal(err)
		}
		evaluate := func() {
			t.Helper()
			if _, err := db.Evaluate(ctx, monitor.Date{Year: 2023, Month: 6, Day: 30}, cv.ID, store.EvalScope{}, store.Constant(func(*store.HouseholdData) []monitor.Hit { return nil })); err != nil {
				t.Fatal(err)
			}
		}
		facts("before any evaluation", 0, 0)
		same("before any evaluation")
		evaluate()
		facts("after the first evaluation", len(hs), len(hs))
		same("after the first evaluation")

		// An edited roster: one household of each kind of change.
		hs[0].Phone = "13900000000" // not a fact: no rebuild needed, but allowed
		hs[1].Members[0].Health = "长期慢性病"
		hs[2].Members = hs[2].Members[:len(hs[2].Members)-1] // the last member goes missing
		hs[3].Members = append(hs[3].Members, monitor.Member{IDNumber: "500119201805150016", Name: "新生儿", Relation: "孙子", Sex: "男", MedicalInsured: true})
		hs[3].Size++
		hs[4].Incomes[0].Wage += monitor.Yuan(1000)
		hs[4].Incomes[0].Net += monitor.Yuan(1000)
		hs[5].HousingUnsafe = !hs[5].HousingUnsafe
		rep := run(t, db, store.ImportOptions{}, batch()...)
		if !rep.Committed || rep.Households.Updated != 6 {
			t.Fatalf("edited roster: %+v %v", rep.Households, rep.Errors)
		}
		facts("after the edited roster", len(hs)-6, len(hs))
		same("after the edited roster, before evaluating")

		// A case outcome writes the household's category and risks.
		c := &monitor.Case{HouseholdCode: hs[6].Code, Kind: monitor.CaseInclusion, Channel: "基层干部排查", Emergency: true,
			Category: "突发严重困难户", Risks: []string{"因病"}, OpenedOn: monitor.Date{Year: 2023, Month: 7, Day: 1}, OpenedBy: "测试"}
		if hs[6].Category != "" {
			t.Fatalf("household %s is already monitored; pick another", hs[6].Code)
		}
		if err := db.OpenCase(ctx, store.Everywhere, c, 15); err != nil {
			t.Fatal(err)
		}
		facts("after a case outcome", len(hs)-7, len(hs))
		same("after a case outcome, before evaluating")
		evaluate()
		facts("after evaluating again", len(hs), len(hs))
		same("after evaluating again")
	})
}
