package store_test

import (
	"context"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// TestImportKeepsProcedureDecisions: a roster that still shows a household
// as not monitored does not undo its identification; the dry run and the
// commit name each disagreement and each change.
func TestImportKeepsProcedureDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		spouse := monitor.Member{IDNumber: "500119195608312405", Name: "向霞", Relation: "配偶", Sex: "女", MedicalInsured: true}
		run(t, db, store.ImportOptions{}, household("1001", "陆华", "500119195610231938", spouse), household("1002", "向明", "500119196203154217"))

		c := &monitor.Case{HouseholdCode: "1001", Kind: monitor.CaseInclusion, Channel: "基层干部排查", Category: monitor.CatEdge,
			Risks: []string{"因病"}, Emergency: true, OpenedOn: monitor.Date{Year: 2026, Month: 11, Day: 20}, OpenedBy: "村干部"}
		if err := db.OpenCase(ctx, store.Everywhere, c, 15); err != nil {
			t.Fatal(err)
		}

		for _, dry := range []bool{true, false} {
			// The village's roster, unchanged but for a new phone number.
			file := household("1001", "陆华", "500119195610231938", spouse)
			file.Household.Phone = "13800000000"
			rep := run(t, db, store.ImportOptions{DryRun: dry}, file, household("1002", "向明", "500119196203154217"))
			if got, want := rep.Households, (monitor.HouseholdCounts{InFile: 2, Updated: 1, Unchanged: 1}); got != want {
				t.Fatalf("dry run %v: households %+v, want %+v", dry, got, want)
			}
			conflicts := map[string]monitor.Issue{}
			for _, w := range rep.Warnings {
				if w.Code == monitor.CodeProcedureConflict {
					conflicts[w.Field] = w
				}
			}
			for field, want := range map[string][2]string{"监测对象类别": {monitor.CatEdge, ""}, "识别监测时间": {"202611", ""}, "风险类型": {"因病", ""}} {
				w, ok := conflicts[field]
				if !ok {
					t.Fatalf("dry run %v: no procedure_conflict on %s: %+v", dry, field, rep.Warnings)
				}
				if w.Household != "1001" || w.RegistryValue != want[0] || w.FileValue != want[1] || w.CaseID != c.ID || w.Message == "" {
					t.Fatalf("dry run %v: conflict on %s = %+v", dry, field, w)
				}
			}
			if len(conflicts) != 3 {
				t.Fatalf("dry run %v: %d conflicts, want 3: %+v", dry, len(conflicts), conflicts)
			}
			if got, want := rep.Changes, []monitor.ChangeEntry{{HouseholdCode: "1001", Field: "联系电话", Old: "", New: "13800000000"}}; len(got) != 1 || got[0] != want[0] {
				t.Fatalf("dry run %v: changes %+v, want %+v", dry, got, want)
			}
		}
		h, err := db.FindHouseholdByCode(ctx, store.Everywhere, "1001")
		if err != nil {
			t.Fatal(err)
		}
		if h.Category != monitor.CatEdge || h.IdentifiedIn.String() != "202611" || len(h.Risks) != 1 || h.Phone != "13800000000" {
			t.Fatalf("after import: category %q identified %s risks %v phone %q", h.Category, h.IdentifiedIn, h.Risks, h.Phone)
		}

		// A household no case has decided still takes the file's values.
		file2 := household("1002", "向明", "500119196203154217")
		file2.Household.Category, file2.Household.IdentifiedIn = monitor.CatUnstable, monitor.YearMonth{Year: 2022, Month: 3}
		rep := run(t, db, store.ImportOptions{}, file2)
		if rep.Households.Updated != 1 || rep.ChangesTotal != 2 {
			t.Fatalf("undecided household: %+v, %d changes %+v", rep.Households, rep.ChangesTotal, rep.Changes)
		}
	})
}

// TestImportListsMemberChanges: a member's change names the member by the
// masked ID number.
func TestImportListsMemberChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		spouse := monitor.Member{IDNumber: "500119195608312405", Name: "向霞", Relation: "配偶", Sex: "女", MedicalInsured: true}
		run(t, db, store.ImportOptions{}, household("1001", "陆华", "500119195610231938", spouse))
		spouse.LaborSkill = "普通劳动力"
		rep := run(t, db, store.ImportOptions{}, household("1001", "陆华", "500119195610231938", spouse))
		if len(rep.Changes) != 1 {
			t.Fatalf("changes %+v", rep.Changes)
		}
		c := rep.Changes[0]
		if c.HouseholdCode != "1001" || c.MemberIDMasked != monitor.MaskID("500119195608312405") || c.MemberName != "向霞" || c.Field != "劳动技能" || c.New != "普通劳动力" {
			t.Fatalf("member change %+v", c)
		}
	})
}

// TestImportCleansControlCharacters: a name with NUL or an escape sequence
// stores alike on both engines (PostgreSQL refuses NUL in text).
func TestImportCleansControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		in := household("1001", "陆\x00华\x1b[2J", "500119195610231938")
		in.Household.Members[0].Name = "陆\x00华\x1b[2J"
		rep := run(t, db, store.ImportOptions{}, in)
		if !rep.Committed {
			t.Fatalf("not committed: %v", rep.Errors)
		}
		h, err := db.FindHouseholdByCode(context.Background(), store.Everywhere, "1001")
		if err != nil {
			t.Fatal(err)
		}
		if h.HeadName != "陆华[2J" || h.Members[0].Name != "陆华[2J" {
			t.Fatalf("stored %q / %q", h.HeadName, h.Members[0].Name)
		}
	})
}
