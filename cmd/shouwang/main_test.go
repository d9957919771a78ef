package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

const sampleRoster = "../../testdata/households.xlsx"

// answers is the part of testdata/answers.json these tests check.
type answers struct {
	HouseholdsInFile int `json:"households_in_file"`
	HouseholdsValid  int `json:"households_valid"`
	MembersValid     int `json:"members_valid"`
	Rejected         []struct {
		Code   string `json:"household_code"`
		Row    int    `json:"row"`
		Defect string `json:"defect"`
	} `json:"rejected"`
}

func loadAnswers(t *testing.T) answers {
	t.Helper()
	b, err := os.ReadFile("../../testdata/answers.json")
	if err != nil {
		t.Fatal(err)
	}
	var a answers
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// cli runs the command in-process and returns its exit status and output.
func cli(t *testing.T, dsn string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "SHOUWANG_DB" {
				return dsn
			}
			return ""
		},
		Now: func() time.Time { return time.Date(2023, 1, 15, 9, 0, 0, 0, time.UTC) }}
	code := app.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func importJSON(t *testing.T, dsn string, args ...string) (int, monitor.ImportReport) {
	t.Helper()
	code, out, errOut := cli(t, dsn, append([]string{"import", "--json"}, args...)...)
	var rep monitor.ImportReport
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &rep); err != nil {
		t.Fatalf("import output is not one JSON object (%v):\n%s\nstderr: %s", err, out, errOut)
	}
	return code, rep
}

var defectCode = map[string]string{
	"id_checksum":      monitor.CodeIDChecksum,
	"id_as_number":     monitor.CodeIDNumeric,
	"duplicate_id":     monitor.CodeIDDuplicate,
	"negative_income":  monitor.CodeNegativeAmount,
	"unknown_category": monitor.CodeUnknownValue,
}

func TestImportSampleAsAnswersSay(t *testing.T) {
	want := loadAnswers(t)
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			code, rep := importJSON(t, e.DSN, sampleRoster)
			if code != exitValidation || rep.Committed {
				t.Fatalf("all-or-nothing import: exit %d committed %v, want exit 3 and nothing written", code, rep.Committed)
			}
			if n, _, _ := cli(t, e.DSN, "households", "--json"); n != 0 {
				t.Fatalf("households listing failed")
			}
			_, out, _ := cli(t, e.DSN, "households", "--json")
			if !strings.Contains(out, `"total":0`) {
				t.Fatalf("a refused import wrote households: %s", out)
			}

			code, rep = importJSON(t, e.DSN, "--skip-invalid", sampleRoster)
			if code != exitOK || !rep.Committed {
				t.Fatalf("skip-invalid: exit %d committed %v", code, rep.Committed)
			}
			if got, want := rep.Households.InFile, want.HouseholdsInFile; got != want {
				t.Errorf("in_file = %d, want %d", got, want)
			}
			if got, want := rep.Households.Created, want.HouseholdsValid; got != want {
				t.Errorf("created = %d, want %d", got, want)
			}
			if got, want := rep.Members.Created, want.MembersValid; got != want {
				t.Errorf("members created = %d, want %d", got, want)
			}
			if got, want := rep.Households.Rejected, len(want.Rejected); got != want {
				t.Errorf("rejected = %d, want %d", got, want)
			}
			if got, want := rep.HeaderRows, []int{3, 4}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Errorf("header_rows = %v, want %v", got, want)
			}
			for _, r := range want.Rejected {
				found := false
				for _, e := range rep.Errors {
					if e.Row == r.Row && e.Household == r.Code && e.Code == defectCode[r.Defect] && e.Sheet == "花名册" && e.Column != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s error on row %d for household %s; errors: %+v", r.Defect, r.Row, r.Code, rep.Errors)
				}
			}
			rejected := append([]string(nil), rep.RejectedHouseholds...)
			sort.Strings(rejected)
			var wantCodes []string
			for _, r := range want.Rejected {
				wantCodes = append(wantCodes, r.Code)
			}
			sort.Strings(wantCodes)
			if strings.Join(rejected, ",") != strings.Join(wantCodes, ",") {
				t.Errorf("rejected households = %v, want %v", rejected, wantCodes)
			}
		})
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
