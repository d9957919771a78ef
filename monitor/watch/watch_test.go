package watch

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/rules"
)

func parseSample(t *testing.T) []monitor.ImportHousehold {
	t.Helper()
	book, err := sheet.Open("../../testdata/households.xlsx", sheet.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	f, err := importer.ParseHouseholds(book, "households.xlsx", importer.Options{DefaultYear: 2022})
	if err != nil {
		t.Fatal(err)
	}
	return f.Households
}

func importAll(t *testing.T, db *store.DB, hs []monitor.ImportHousehold) *monitor.ImportReport {
	t.Helper()
	rep := &monitor.ImportReport{Kind: monitor.KindHouseholds}
	if err := db.ImportHouseholds(context.Background(), rep, hs, store.ImportOptions{Actor: "测试", SkipInvalid: true}); err != nil {
		t.Fatal(err)
	}
	return rep
}

var asOf = monitor.Date{Year: 2022, Month: 12, Day: 31}

// TestIncrementalEvaluation: importing one village's households again with
// a change re-evaluates those households only.
func TestIncrementalEvaluation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importAll(t, db, parseSample(t))
		all, err := Evaluate(ctx, db, asOf, store.EvalScope{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Households != 94 {
			t.Fatalf("full evaluation: %d households, want 94", all.Households)
		}
		// A full run counts the open flags as it reconciles; they must be
		// what the table holds.
		inTable, err := db.OpenFlagsByRule(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(inTable) == 0 || !maps.Equal(all.OpenByRule, inTable) {
			t.Fatalf("open by rule: counted %v, the flags table holds %v", all.OpenByRule, inTable)
		}
		var village []monitor.ImportHousehold
		for _, in := range parseSample(t) {
			if in.Household.Village == "皂角井社区" {
				in.Household.Phone = "02371400000"
				village = append(village, in)
			}
		}
		rep := importAll(t, db, village)
		if got, want := len(rep.Touched), len(village); got != want || want != 15 {
			t.Fatalf("touched %d households, want %d (皂角井社区's valid households)", got, want)
		}
		part, err := Evaluate(ctx, db, asOf.AddDays(1), store.EvalScope{HouseholdIDs: rep.Touched})
		if err != nil {
			t.Fatal(err)
		}
		if part.Households != len(village) {
			t.Fatalf("incremental evaluation touched %d households, want %d", part.Households, len(village))
		}
		flags, _, err := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range flags {
			want := "2022-12-31"
			if f.Village == "皂角井社区" {
				want = "2023-01-01"
			}
			if f.LastSeen.String() != want {
				t.Fatalf("flag of %s (%s) last seen %s, want %s", f.HouseholdCode, f.Village, f.LastSeen, want)
			}
		}
	})
}

// TestRulesAreVersioned: saving rules makes a new version, the flags it
// raises record it, a broken rule file is refused, and a preview counts
// what a changed rule would flag without writing.
func TestRulesAreVersioned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importAll(t, db, parseSample(t))
		l, err := Load(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if l.Version != 1 {
			t.Fatalf("first version = %d, want 1", l.Version)
		}
		if _, err := SaveRules(ctx, db, []byte("[[rule]]\ncode = \"x\"\nname = \"坏规则\"\nwhen = \"Incom.PerCapita < 1\"\n"), "管理员", "试"); monitor.ErrorCode(err) != monitor.EINVALID || !strings.Contains(monitor.ErrorMessage(err), "Incom") {
			t.Fatalf("broken rule: err = %v", err)
		}
		src := string(rules.DefaultSource()) + `
[[rule]]
code = "income_below_double_line"
name = "人均纯收入低于两倍监测标准（试算）"
kind = "risk"
risk = "收入"
severity = "低"
when = 'Income.Has && Income.PerCapita < Line * 2'
explain = '家庭年人均纯收入 {yuan(Income.PerCapita)} 元，低于两倍监测标准 {yuan(Line * 2)} 元'

  [[rule.example]]
  name = "低于两倍"
  facts = '{"Income": {"Has": true, "Year": 2022, "PerCapita": 10000}, "Line": 6900}'
  fires = true

  [[rule.example]]
  name = "高于两倍"
  facts = '{"Income": {"Has": true, "Year": 2022, "PerCapita": 20000}, "Line": 6900}'
  fires = false
`
		before, err := Preview(ctx, db, rules.DefaultSource(), asOf, store.EvalScope{})
		if err != nil {
			t.Fatal(err)
		}
		after, err := Preview(ctx, db, []byte(src), asOf, store.EvalScope{})
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if n := after.ByRule["income_below_double_line"]; n <= before.ByRule["income_below_line"] || len(after.Examples["income_below_double_line"]) != n {
			t.Fatalf("preview of a doubled line: %d households (%v), income_below_line %d", n, after.Examples["income_below_double_line"], before.ByRule["income_below_line"])
		}
		if fs, _, _ := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{}); len(fs) != 0 {
			t.Fatalf("preview wrote %d flags", len(fs))
		}
		if _, err := Evaluate(ctx, db, asOf, store.EvalScope{}); err != nil {
			t.Fatal(err)
		}
		v2, err := SaveRules(ctx, db, []byte(src), "管理员", "监测标准按两倍试算")
		if err != nil {
			t.Fatalf("save: %v", err)
		}
		if v2.Version != 2 {
			t.Fatalf("new version = %d, want 2", v2.Version)
		}
		if _, err := Evaluate(ctx, db, asOf.AddDays(1), store.EvalScope{}); err != nil {
			t.Fatal(err)
		}
		fs, _, _ := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{})
		versions := map[int64]int{}
		for _, f := range fs {
			versions[f.ConfigVersion]++
			if f.RuleCode == "income_below_double_line" && f.ConfigVersion != 2 {
				t.Fatalf("the new rule's flag records version %d", f.ConfigVersion)
			}
		}
		if versions[1] == 0 || versions[2] == 0 {
			t.Fatalf("flags by version = %v, want flags from versions 1 (kept) and 2 (new)", versions)
		}
	})
}
