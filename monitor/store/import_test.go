package store_test

import (
	"context"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

func household(code, head, id string, extra ...monitor.Member) monitor.ImportHousehold {
	h := &monitor.Household{Code: code, Township: "东城街道", Village: "皂角井社区", Group: "1组", HeadName: head,
		HeadIDNumber: id, Type: monitor.TypeLifted, Size: 1 + len(extra)}
	h.Members = append([]monitor.Member{{IDNumber: id, Name: head, Relation: "户主", Sex: "男", MedicalInsured: true}}, extra...)
	h.Incomes = []monitor.Income{{Year: 2022, Wage: monitor.Yuan(10000), Net: monitor.Yuan(10000), PerCapita: monitor.Yuan(10000) / monitor.Money(h.Size)}}
	rows := []int{5}
	for i := range extra {
		rows = append(rows, 6+i)
	}
	return monitor.ImportHousehold{Household: h, Row: 5, MemberRows: rows}
}

func run(t *testing.T, db *store.DB, opt store.ImportOptions, hs ...monitor.ImportHousehold) *monitor.ImportReport {
	t.Helper()
	rep := &monitor.ImportReport{Kind: monitor.KindHouseholds, Households: monitor.HouseholdCounts{InFile: len(hs)}}
	if opt.Actor == "" {
		opt.Actor = "测试"
	}
	if err := db.ImportHouseholds(context.Background(), rep, hs, opt); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestImportHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		spouse := monitor.Member{IDNumber: "500119195608312405", Name: "向霞", Relation: "配偶", Sex: "女", MedicalInsured: true}

		t.Run("DryRunWritesNothing", func(t *testing.T) {
			rep := run(t, db, store.ImportOptions{DryRun: true}, household("1001", "陆华", "500119195610231938", spouse))
			if rep.Committed || rep.Households.Created != 1 {
				t.Fatalf("dry run: committed=%v created=%d", rep.Committed, rep.Households.Created)
			}
			if n, _, _ := db.CountRegistry(ctx); n != 0 {
				t.Fatalf("dry run wrote %d households", n)
			}
		})
		t.Run("Create", func(t *testing.T) {
			rep := run(t, db, store.ImportOptions{SHA256: "aaa"}, household("1001", "陆华", "500119195610231938", spouse))
			if !rep.Committed || rep.Households.Created != 1 || rep.Members.Created != 2 {
				t.Fatalf("create: %+v %+v", rep.Households, rep.Members)
			}
			h, err := db.FindHouseholdByCode(ctx, store.Everywhere, "1001")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(h.Members), 2; got != want {
				t.Fatalf("members = %d, want %d", got, want)
			}
			if got, want := h.Incomes[0].PerCapita, monitor.Yuan(5000); got != want {
				t.Fatalf("per capita = %v, want %v", got, want)
			}
		})
		t.Run("SameFileUnchanged", func(t *testing.T) {
			rep := run(t, db, store.ImportOptions{SHA256: "aaa"}, household("1001", "陆华", "500119195610231938", spouse))
			if rep.Households.Unchanged != 1 || rep.Members.Unchanged != 2 {
				t.Fatalf("re-import: %+v %+v", rep.Households, rep.Members)
			}
			if len(rep.Warnings) != 1 || rep.Warnings[0].Code != monitor.CodeSameFile {
				t.Fatalf("warnings = %+v, want one same_file", rep.Warnings)
			}
		})
		t.Run("UpdateAndMissing", func(t *testing.T) {
			in := household("1001", "陆华", "500119195610231938")
			in.Household.Category = monitor.CatEdge
			rep := run(t, db, store.ImportOptions{}, in)
			if rep.Households.Updated != 1 || rep.Members.Missing != 1 {
				t.Fatalf("update: %+v %+v", rep.Households, rep.Members)
			}
			h, _ := db.FindHouseholdByCode(ctx, store.Everywhere, "1001")
			if h.Category != monitor.CatEdge || len(h.Members) != 2 || !h.Members[1].Missing {
				t.Fatalf("after update: category=%q members=%+v", h.Category, h.Members)
			}
			cs, err := db.FindChanges(ctx, store.Everywhere, "1001")
			if err != nil {
				t.Fatal(err)
			}
			fields := map[string]bool{}
			for _, c := range cs {
				fields[c.Field] = true
			}
			for _, f := range []string{"监测对象类别", "人口数", "成员缺失", "新建户"} {
				if !fields[f] {
					t.Errorf("history lacks %q: %+v", f, cs)
				}
			}
		})
		t.Run("ErrIDInAnotherHousehold", func(t *testing.T) {
			rep := run(t, db, store.ImportOptions{IDColumn: "证件号码", Sheet: "花名册"}, household("1002", "某人", "500119195610231938"))
			if rep.Committed || rep.Households.Rejected != 1 || len(rep.Errors) != 1 {
				t.Fatalf("conflict: committed=%v %+v errors=%+v", rep.Committed, rep.Households, rep.Errors)
			}
			e := rep.Errors[0]
			if e.Code != monitor.CodeIDDuplicate || e.Row != 5 || e.Column != "证件号码" {
				t.Fatalf("issue = %+v", e)
			}
		})
		t.Run("SkipInvalidWritesTheRest", func(t *testing.T) {
			rep := run(t, db, store.ImportOptions{SkipInvalid: true},
				household("1002", "某人", "500119195610231938"), household("1003", "田宇", "500119195403231791"))
			if !rep.Committed || rep.Households.Rejected != 1 || rep.Households.Created != 1 {
				t.Fatalf("skip-invalid: committed=%v %+v", rep.Committed, rep.Households)
			}
			if _, err := db.FindHouseholdByCode(ctx, store.Everywhere, "1002"); monitor.ErrorCode(err) != monitor.ENOTFOUND {
				t.Fatalf("rejected household was written: %v", err)
			}
		})
		t.Run("Search", func(t *testing.T) {
			hs, total, err := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Query: "1791"})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 || hs[0].Code != "1003" {
				t.Fatalf("search by ID tail: total=%d %+v", total, hs)
			}
			_, total, _ = db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Category: "any"})
			if total != 1 {
				t.Fatalf("monitored = %d, want 1", total)
			}
		})
	})
}

// TestLargeImportRoundTrip imports enough households that the bulk paths
// (COPY on PostgreSQL, reused prepared INSERTs on SQLite) carry members,
// incomes and history, with text that COPY must escape, and reads every
// household back field by field.
func TestLargeImportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := synth.Households(synth.Config{Seed: 7, Households: 1500})
		hs[0].Note = "第一行\t制表\\反斜杠\n第二行\r回车"
		hs[0].Members[0].Name = `王\N`
		hs[1].Address = `\.` // the end-of-data marker of COPY's text format
		batch := make([]monitor.ImportHousehold, len(hs))
		members := 0
		for i, h := range hs {
			batch[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
			members += len(h.Members)
		}
		rep := run(t, db, store.ImportOptions{}, batch...)
		if !rep.Committed || rep.Households.Created != len(hs) || rep.Members.Created != members {
			t.Fatalf("households %+v members %+v errors %v", rep.Households, rep.Members, rep.Errors)
		}
		nh, nm, err := db.CountRegistry(ctx)
		if err != nil || nh != len(hs) || nm != members {
			t.Fatalf("registry holds %d households, %d members (%v); want %d, %d", nh, nm, err, len(hs), members)
		}
		for _, want := range hs {
			got, err := db.FindHouseholdByCode(ctx, store.Everywhere, want.Code)
			if err != nil {
				t.Fatal(err)
			}
			if got.Note != want.Note || got.Address != want.Address || got.HeadName != want.HeadName || got.Category != want.Category ||
				got.EliminatedOn != want.EliminatedOn || got.IdentifiedIn != want.IdentifiedIn {
				t.Fatalf("%s: read back %+v, imported %+v", want.Code, got, want)
			}
			if len(got.Members) != len(want.Members) || len(got.Incomes) != len(want.Incomes) {
				t.Fatalf("%s: %d members %d incomes read back, %d and %d imported", want.Code, len(got.Members), len(got.Incomes), len(want.Members), len(want.Incomes))
			}
			for i, m := range want.Members {
				g := got.Members[i]
				if g.Name != m.Name || g.IDNumber != m.IDNumber || g.Relation != m.Relation || g.BirthDate != m.BirthDate ||
					g.WorkMonths != m.WorkMonths || g.MedicalInsured != m.MedicalInsured || g.Missing {
					t.Fatalf("%s member %d: read back %+v, imported %+v", want.Code, i, g, m)
				}
			}
			for i, in := range want.Incomes {
				g := got.Incomes[i]
				g.HouseholdID = 0
				in.HouseholdID = 0
				if g != in {
					t.Fatalf("%s income %d: read back %+v, imported %+v", want.Code, i, g, in)
				}
			}
		}
		// The same file again changes nothing.
		again := run(t, db, store.ImportOptions{}, batch...)
		if again.Households.Unchanged != len(hs) || again.Members.Unchanged != members {
			t.Fatalf("re-import: households %+v members %+v", again.Households, again.Members)
		}
	})
}
