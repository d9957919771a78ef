package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// editedCopy changes household 5001190003000102 (rows 10–12, cells merged
// down): a higher wage, a member's labour skill, and the third member gone.
func editedCopy(t *testing.T) string {
	t.Helper()
	f, err := excelize.OpenFile(sampleRoster)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.SetCellValue("花名册", "M10", 50305)
	f.SetCellValue("花名册", "AA11", "弱劳动力或半劳动力")
	for _, col := range []string{"V", "W", "X", "Y", "Z", "AA", "AB", "AC", "AD"} {
		f.SetCellValue("花名册", col+"12", "")
	}
	p := filepath.Join(t.TempDir(), "edited.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReimportAndEditedCopy(t *testing.T) {
	edited := editedCopy(t)
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			if code, rep := importJSON(t, e.DSN, "--skip-invalid", sampleRoster); code != 0 || rep.Households.Created != 94 {
				t.Fatalf("first import: exit %d, %+v", code, rep.Households)
			}
			code, rep := importJSON(t, e.DSN, "--skip-invalid", sampleRoster)
			if code != 0 || rep.Households.Unchanged != 94 || rep.Households.Created+rep.Households.Updated != 0 || rep.Members.Unchanged != 272 {
				t.Fatalf("same file again: exit %d, %+v %+v", code, rep.Households, rep.Members)
			}
			sameFile := false
			for _, w := range rep.Warnings {
				sameFile = sameFile || w.Code == monitor.CodeSameFile
			}
			if !sameFile {
				t.Fatalf("re-importing the same file gave no same_file warning: %+v", rep.Warnings)
			}

			code, rep = importJSON(t, e.DSN, "--skip-invalid", edited)
			if code != 0 {
				t.Fatalf("edited copy: exit %d", code)
			}
			if got, want := rep.Households, (monitor.HouseholdCounts{InFile: 100, Updated: 1, Unchanged: 93, Rejected: 6}); got != want {
				t.Fatalf("edited copy households = %+v, want %+v", got, want)
			}
			if got, want := rep.Members, (monitor.MemberCounts{Updated: 1, Unchanged: 270, Missing: 1}); got != want {
				t.Fatalf("edited copy members = %+v, want %+v", got, want)
			}

			_, out, _ := cli(t, e.DSN, "household", "--json", "5001190003000102")
			var h struct {
				monitor.Household
				Changes []monitor.Change `json:"changes"`
			}
			if err := json.Unmarshal([]byte(out), &h); err != nil {
				t.Fatalf("household --json: %v\n%s", err, out)
			}
			got := map[string][2]string{}
			for _, c := range h.Changes {
				got[c.Field] = [2]string{c.OldValue, c.NewValue}
			}
			for field, want := range map[string][2]string{
				"2022年工资性收入": {"46305.00", "50305.00"},
				"2022年家庭纯收入": {"64006.00", "68006.00"},
				"劳动技能":       {"普通劳动力", "弱劳动力或半劳动力"},
			} {
				if got[field] != want {
					t.Errorf("history %s = %v, want %v", field, got[field], want)
				}
			}
			if _, ok := got["成员缺失"]; !ok {
				t.Errorf("history does not record the missing member: %+v", h.Changes)
			}
			if _, ok := got["新建户"]; !ok {
				t.Errorf("history lost the creation: %+v", h.Changes)
			}
			missing := 0
			for _, m := range h.Members {
				if m.Missing {
					missing++
				}
			}
			if len(h.Members) != 3 || missing != 1 {
				t.Errorf("members = %d (missing %d), want 3 kept with 1 marked missing", len(h.Members), missing)
			}
		})
	}
}
