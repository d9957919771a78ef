package main

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// profileKind maps the default rules to the kinds answers.json names.
var profileKind = map[string]string{
	"income_below_line":  "low_income",
	"medical_oop_high":   "medical",
	"no_labor":           "no_labor",
	"housing_unsafe":     "housing",
	"water_unsafe":       "water",
	"compulsory_dropout": "dropout",
	"uninsured_member":   "uninsured",
}

type sampleAnswers struct {
	Profiles          map[string][]string `json:"profiles"`
	MedicalFlagged    []string            `json:"medical_flagged"`
	MedicalNotFlagged []string            `json:"medical_not_flagged"`
	MedicalUnmatched  []string            `json:"medical_unmatched_ids"`
}

func loadSampleAnswers(t *testing.T) sampleAnswers {
	t.Helper()
	var a sampleAnswers
	b := readFile(t, "../../testdata/answers.json")
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func flagsJSON(t *testing.T, dsn string, args ...string) []monitor.Flag {
	t.Helper()
	code, out, errOut := cli(t, dsn, append([]string{"flags", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("flags: exit %d: %s", code, errOut)
	}
	var fs []monitor.Flag
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("flags --json: %v\n%s", err, out)
	}
	return fs
}

func evaluate(t *testing.T, dsn, asOf string) monitor.EvaluationCounts {
	t.Helper()
	code, out, errOut := cli(t, dsn, "evaluate", "--json", "--as-of", asOf)
	if code != 0 {
		t.Fatalf("evaluate: exit %d: %s", code, errOut)
	}
	var c monitor.EvaluationCounts
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("evaluate --json: %v\n%s", err, out)
	}
	return c
}

// TestEvaluateSample is the acceptance of the monitoring issue: the default
// rules flag every profile household with its kind and no other household
// with those kinds; the medical list flags exactly the listed households,
// reports the unmatched people as leads, and a second import doubles
// nothing; SQLite and PostgreSQL give identical flags.
func TestEvaluateSample(t *testing.T) {
	want := loadSampleAnswers(t)
	var perEngine []string
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			if code, _ := importJSON(t, e.DSN, "--skip-invalid", sampleRoster); code != 0 {
				t.Fatalf("import failed")
			}
			c := evaluate(t, e.DSN, "2022-12-31")
			if c.Households != 94 || c.Opened == 0 || c.Kept != 0 || c.Closed != 0 {
				t.Fatalf("first evaluation: %+v", c)
			}
			got := map[string]map[string]bool{}
			for _, f := range flagsJSON(t, e.DSN) {
				if f.RuleName == "" || f.RiskType == "" || f.Explanation == "" || f.Status != "open" || f.FirstSeen.String() != "2022-12-31" {
					t.Fatalf("incomplete flag: %+v", f)
				}
				if k := profileKind[f.RuleCode]; k != "" {
					if got[f.HouseholdCode] == nil {
						got[f.HouseholdCode] = map[string]bool{}
					}
					got[f.HouseholdCode][k] = true
				}
			}
			for code, kinds := range want.Profiles {
				for _, k := range kinds {
					if !got[code][k] {
						t.Errorf("household %s lacks a %s flag (has %v)", code, k, got[code])
					}
				}
			}
			for code, kinds := range got {
				if _, listed := want.Profiles[code]; !listed {
					t.Errorf("household %s is in no profile but has %v", code, kinds)
				}
			}
			if again := evaluate(t, e.DSN, "2022-12-31"); again.Opened != 0 || again.Closed != 0 || again.Kept != c.Opened {
				t.Errorf("evaluating again changed flags: %+v after %+v", again, c)
			}

			for round := 0; round < 2; round++ {
				code, rep := importJSON(t, e.DSN, "--kind", "medical", "../../testdata/medical_push.xlsx")
				if code != 0 || !rep.Committed || rep.Matched == nil || *rep.Matched != 6 {
					t.Fatalf("medical import %d: exit %d %+v", round, code, rep)
				}
				var unmatched []string
				for _, u := range rep.Unmatched {
					if u.Row == 0 || u.Name == "" {
						t.Errorf("unmatched row lacks its row or name: %+v", u)
					}
					unmatched = append(unmatched, u.IDNumber)
				}
				sort.Strings(unmatched)
				if strings.Join(unmatched, ",") != strings.Join(want.MedicalUnmatched, ",") {
					t.Errorf("unmatched = %v, want %v", unmatched, want.MedicalUnmatched)
				}
			}
			medical := flagsJSON(t, e.DSN, "--rule", "dept_medical_large")
			flagged := map[string]int{}
			for _, f := range medical {
				flagged[f.HouseholdCode]++
			}
			for _, code := range want.MedicalFlagged {
				if flagged[code] != 1 {
					t.Errorf("household %s has %d large-medical flags, want 1", code, flagged[code])
				}
			}
			for _, code := range want.MedicalNotFlagged {
				if flagged[code] != 0 {
					t.Errorf("household %s is flagged for large medical costs", code)
				}
			}
			if len(medical) != len(want.MedicalFlagged) {
				t.Errorf("%d large-medical flags, want %d", len(medical), len(want.MedicalFlagged))
			}
			all := flagsJSON(t, e.DSN, "--status", "all")
			var lines []string
			for _, f := range all {
				lines = append(lines, f.HouseholdCode+" "+f.RuleCode+" "+f.Status+" "+f.Explanation)
			}
			perEngine = append(perEngine, strings.Join(lines, "\n"))
		})
	}
	if len(perEngine) == 2 && perEngine[0] != perEngine[1] {
		t.Errorf("SQLite and PostgreSQL flags differ:\nsqlite:\n%s\npostgres:\n%s", perEngine[0], perEngine[1])
	}
}

// withWage writes a copy of the sample with household 5001190004000115's
// wage (M46) set, so its per-capita income crosses the monitoring line.
func withWage(t *testing.T, wage int) string {
	t.Helper()
	f, err := excelize.OpenFile(sampleRoster)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.SetCellValue("花名册", "M46", wage)
	f.SetCellValue("花名册", "R46", "") // let Shouwang compute the per-capita figure
	p := filepath.Join(t.TempDir(), "wage.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFlagLifecycle raises a household's income above the line (the income
// flag closes with the date), lowers it again (a new flag opens) and checks
// the history keeps both.
func TestFlagLifecycle(t *testing.T) {
	const code = "5001190004000115"
	high := withWage(t, 60000)
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			importJSON(t, e.DSN, "--skip-invalid", sampleRoster)
			evaluate(t, e.DSN, "2022-12-31")
			if fs := flagsJSON(t, e.DSN, "--household", code, "--rule", "income_below_line"); len(fs) != 1 {
				t.Fatalf("before: %d income flags, want 1", len(fs))
			}
			_, rep := importJSON(t, e.DSN, "--skip-invalid", "--as-of", "2023-01-31", high)
			if rep.Evaluation == nil || rep.Evaluation.Closed < 1 {
				t.Fatalf("raising the income closed nothing: %+v", rep.Evaluation)
			}
			_, rep = importJSON(t, e.DSN, "--skip-invalid", "--as-of", "2023-02-28", sampleRoster)
			if rep.Evaluation == nil || rep.Evaluation.Opened < 1 {
				t.Fatalf("lowering the income opened nothing: %+v", rep.Evaluation)
			}
			fs := flagsJSON(t, e.DSN, "--household", code, "--rule", "income_below_line", "--status", "all")
			if len(fs) != 2 {
				t.Fatalf("history: %d income flags, want 2: %+v", len(fs), fs)
			}
			sort.Slice(fs, func(i, j int) bool { return fs[i].ID < fs[j].ID })
			first, second := fs[0], fs[1]
			if first.Status != "closed" || first.FirstSeen.String() != "2022-12-31" || first.ClosedOn.String() != "2023-01-31" {
				t.Errorf("first flag = %s %s→%s, want closed 2022-12-31→2023-01-31", first.Status, first.FirstSeen, first.ClosedOn)
			}
			if second.Status != "open" || second.FirstSeen.String() != "2023-02-28" || !second.ClosedOn.IsZero() {
				t.Errorf("second flag = %s from %s closed %s, want open from 2023-02-28", second.Status, second.FirstSeen, second.ClosedOn)
			}
		})
	}
}
