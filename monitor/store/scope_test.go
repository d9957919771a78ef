package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

func TestFindInScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := synth.Households(synth.Config{Seed: 5, Households: 20, Townships: []string{"东城街道"}, VillagesPer: 2})
		batch := make([]monitor.ImportHousehold, len(hs))
		for i, h := range hs {
			batch[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
		}
		rep := &monitor.ImportReport{}
		if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{Actor: "t"}); err != nil {
			t.Fatal(err)
		}
		mine, other := hs[0], hs[len(hs)-1]
		scope := store.Scope{Township: mine.Township, Village: mine.Village}
		if _, err := db.FindHouseholdByCode(ctx, scope, mine.Code); err != nil {
			t.Fatalf("own household: %v", err)
		}
		if _, err := db.FindHouseholdByCode(ctx, scope, other.Code); monitor.ErrorCode(err) != monitor.ENOTFOUND {
			t.Fatalf("other village's household: %v, want ENOTFOUND", err)
		}
		if cs, _ := db.FindChanges(ctx, scope, other.Code); len(cs) != 0 {
			t.Fatalf("other village's changes: %d", len(cs))
		}
		if cs, _ := db.FindChanges(ctx, scope, mine.Code); len(cs) == 0 {
			t.Fatal("own changes missing")
		}
		got, total, _ := db.FindHouseholds(ctx, scope, store.HouseholdFilter{})
		for _, h := range got {
			if h.Village != mine.Village {
				t.Fatalf("FindHouseholds in scope returned %s of %s", h.Code, h.Village)
			}
		}
		if _, all, _ := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{}); total == 0 || total >= all {
			t.Fatalf("scoped total %d of %d", total, all)
		}
		if _, n, _ := db.FindHouseholds(ctx, store.Scope{}, store.HouseholdFilter{}); n != 0 {
			t.Fatalf("the zero scope sees %d households", n)
		}
		if ls, _ := db.FindLeads(ctx, scope, "all"); len(ls) != 0 {
			t.Fatal("a village scope sees leads")
		}
		sum, err := db.Summarize(ctx, scope)
		if err != nil || sum.Households != total || sum.LeadsOpen != -1 {
			t.Fatalf("Summarize: %+v %v", sum, err)
		}
	})
}

func TestRejectOutOfScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := synth.Households(synth.Config{Seed: 9, Households: 10, Townships: []string{"东城街道"}, VillagesPer: 2})
		mine, other := hs[0], hs[len(hs)-1]
		// other is registered; a roster of mine's village claims other's code
		// and one of other's members.
		rep := &monitor.ImportReport{}
		if err := db.ImportHouseholds(ctx, rep, []monitor.ImportHousehold{{Household: other, MemberRows: make([]int, len(other.Members))}}, store.ImportOptions{Actor: "t"}); err != nil {
			t.Fatal(err)
		}
		claim := *mine
		claim.Code = other.Code
		claim.Members = mine.Members[:1]
		borrow := *hs[1]
		borrow.Members = append([]monitor.Member{other.Members[0]}, hs[1].Members...)
		outside := *other
		outside.Code = "99999"
		batch := []monitor.ImportHousehold{
			{Household: &claim, Row: 2, MemberRows: []int{2}},
			{Household: &borrow, Row: 3, MemberRows: make([]int, len(borrow.Members))},
			{Household: &outside, Row: 9, MemberRows: make([]int, len(outside.Members))},
		}
		rep = &monitor.ImportReport{}
		kept, err := db.RejectOutOfScope(ctx, rep, batch, store.Scope{Township: mine.Township, Village: mine.Village}, "证件号码")
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != 0 || rep.Households.Rejected != 3 {
			t.Fatalf("kept %d, rejected %d: want all three rejected", len(kept), rep.Households.Rejected)
		}
		codes := map[string]string{}
		for _, is := range rep.Errors {
			codes[is.Household] = is.Code
		}
		if codes[other.Code] != monitor.CodeOutOfScope || codes["99999"] != monitor.CodeOutOfScope || codes[borrow.Code] != monitor.CodeOutOfScope {
			t.Fatalf("codes %v", codes)
		}
		// No existence oracle (issue 11): nothing says the code or the ID is
		// registered, nor where.
		for _, is := range rep.Errors {
			if strings.Contains(is.Message, "登记") || strings.Contains(is.Message, other.Village) && is.Household != "99999" {
				t.Fatalf("message tells about the registry: %s", is.Message)
			}
			if !strings.Contains(is.Message, "不属于您管辖的村（社区）") {
				t.Fatalf("message %q", is.Message)
			}
		}
		if kept, _ := db.RejectOutOfScope(ctx, &monitor.ImportReport{}, batch, store.Everywhere, ""); len(kept) != 3 {
			t.Fatal("Everywhere rejected households")
		}
	})
}
