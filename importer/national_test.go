package importer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/fixtures"
	"github.com/shouwang/shouwang/monitor"
)

// writeFixture writes a generated workbook into t.TempDir().
func writeFixture(t *testing.T, name string, write func(f *os.File) (*fixtures.Answers, error)) (string, *fixtures.Answers) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := write(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, ans
}

// sameAsAnswers compares a parse with what the generator says a correct
// import gives: the valid households field by field, the rejected ones and
// every error (sheet, row, column, code, household).
func sameAsAnswers(t *testing.T, f *importer.HouseholdFile, ans *fixtures.Answers) {
	t.Helper()
	if got, want := len(f.Households), len(ans.Households); got != want {
		t.Errorf("%d valid households, want %d; errors:%s", got, want, issuesText(f.Report.Errors))
	}
	for i := 0; i < min(len(f.Households), len(ans.Households)); i++ {
		got, want := *f.Households[i].Household, *ans.Households[i]
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("household %d (%s) differs:\n%s", i, want.Code, diffHousehold(got, want))
		}
	}
	if got, want := f.Report.RejectedHouseholds, ans.Rejected; !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
		t.Errorf("rejected = %v, want %v", got, want)
	}
	var got []fixtures.Issue
	for _, is := range f.Report.Errors {
		got = append(got, fixtures.Issue{Sheet: is.Sheet, Row: is.Row, Column: lastHeader(is.Column), Code: is.Code, Household: is.Household})
	}
	if !reflect.DeepEqual(got, ans.Errors) && len(got)+len(ans.Errors) > 0 {
		t.Errorf("errors:\n got %+v\nwant %+v%s", got, ans.Errors, issuesText(f.Report.Errors))
	}
	if got, want := f.Report.IncomeYear, ans.IncomeYear; got != want {
		t.Errorf("IncomeYear = %d, want %d", got, want)
	}
	if got, want := f.DataDate, ans.DataDate; got != want {
		t.Errorf("DataDate = %v, want %v", got, want)
	}
}

// lastHeader is a column's own name without the group above it.
func lastHeader(h string) string {
	if i := strings.LastIndex(h, "/"); i >= 0 && !strings.HasPrefix(h[i:], "/返贫") {
		return h[i+1:]
	}
	return h
}

// diffHousehold names the fields of two households that differ.
func diffHousehold(got, want monitor.Household) string {
	var b strings.Builder
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		if name == "Members" {
			continue
		}
		if g, w := gv.Field(i).Interface(), wv.Field(i).Interface(); !reflect.DeepEqual(g, w) {
			b.WriteString("  " + name + ": got " + sprint(g) + ", want " + sprint(w) + "\n")
		}
	}
	if len(got.Members) != len(want.Members) {
		b.WriteString("  members: got " + sprint(len(got.Members)) + ", want " + sprint(len(want.Members)) + "\n")
		return b.String()
	}
	for j := range got.Members {
		if !reflect.DeepEqual(got.Members[j], want.Members[j]) {
			b.WriteString("  member " + sprint(j) + ": got " + sprint(got.Members[j]) + "\n             want " + sprint(want.Members[j]) + "\n")
		}
	}
	return b.String()
}

// TestNationalExport imports the national system's export as each program
// leaves it: 177 columns, 100 households, one row per person, the five
// risk columns, eliminations with their month, the 风险消除后… group kept
// apart, 残疾人证 and passport members, the data date above the header.
func TestNationalExport(t *testing.T) {
	for _, flavor := range []fixtures.Flavor{fixtures.Excel, fixtures.WPS, fixtures.LibreOffice, fixtures.System} {
		t.Run("OK_"+flavor.String(), func(t *testing.T) {
			path, ans := writeFixture(t, "监测对象信息.xlsx", func(f *os.File) (*fixtures.Answers, error) {
				return fixtures.WriteNational(f, fixtures.National{Seed: 12, Households: 100, Flavor: flavor})
			})
			f := parseFile(t, path)
			sameAsAnswers(t, f, ans)
			if len(f.Report.Errors) > 0 {
				t.Fatalf("errors:%s", issuesText(f.Report.Errors))
			}
			if got, want := f.Report.HeaderRows, []int{3}; !reflect.DeepEqual(got, want) {
				t.Fatalf("HeaderRows = %v, want %v", got, want)
			}
			if got, want := f.LastCol, len(fixtures.NationalColumns); got != want {
				t.Fatalf("LastCol = %d, want %d", got, want)
			}
			// One warning for the 风险消除后… group, one for the income
			// year read from the January date; nothing else but the
			// 残疾人证 holders' stated health.
			var unknown []monitor.Issue
			for _, w := range f.Report.Warnings {
				switch w.Code {
				case "unknown_column":
					unknown = append(unknown, w)
				case "income_year_from_date":
					if !strings.Contains(w.Message, "2022 年度") {
						t.Fatalf("income year warning: %s", w.Message)
					}
				default:
					t.Fatalf("unexpected warning:%s", issuesText([]monitor.Issue{w}))
				}
			}
			if len(unknown) != 1 || !strings.Contains(unknown[0].Message, "13 列") || unknown[0].Column != "风险消除后是否义务教育阶段适龄儿童少年失学辍学" {
				t.Fatalf("want one unknown_column warning for the 风险消除后… group:%s", issuesText(unknown))
			}
			var eliminated, withRisk, disabled, passport int
			for _, h := range ans.Households {
				if h.RiskEliminated {
					eliminated++
				}
				if len(h.Risks) > 0 {
					withRisk++
				}
				for _, m := range h.Members {
					if strings.HasPrefix(m.Health, "残疾（") {
						disabled++
					}
					if strings.HasPrefix(m.IDNumber, "护照:") {
						passport++
					}
				}
			}
			if eliminated == 0 || withRisk == 0 || disabled == 0 || passport == 0 {
				t.Fatalf("the fixture lacks a case: %d eliminated, %d with risks, %d 残疾人证, %d passports", eliminated, withRisk, disabled, passport)
			}
		})
	}
}

// TestNationalExportDefects: the hand-edited export's defects are reported
// where they are and refuse exactly their households.
func TestNationalExportDefects(t *testing.T) {
	for _, flavor := range []fixtures.Flavor{fixtures.Excel, fixtures.WPS, fixtures.LibreOffice} {
		t.Run("ErrDefects_"+flavor.String(), func(t *testing.T) {
			path, ans := writeFixture(t, "监测对象信息.xlsx", func(f *os.File) (*fixtures.Answers, error) {
				return fixtures.WriteNational(f, fixtures.National{Seed: 5, Households: 100, Flavor: flavor, Defects: true})
			})
			f := parseFile(t, path)
			sameAsAnswers(t, f, ans)
			if got, want := len(ans.Rejected), 6; got != want {
				t.Fatalf("the fixture spoiled %d households, want %d", got, want)
			}
			if got, want := f.Report.Households.InFile, 100; got != want {
				t.Fatalf("InFile = %d, want %d", got, want)
			}
		})
	}
}

func sprint(v any) string { return fmt.Sprintf("%+v", v) }
