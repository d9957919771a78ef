package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

const (
	sampleMedical  = "../../testdata/medical_push.xlsx"
	sampleTemplate = "../../testdata/summary_template.xlsx"
)

// reportAnswers is what answers.json says the reports must show.
type reportAnswers struct {
	ByCategory map[string]int      `json:"monitored_by_category"`
	ByVillage  map[string]int      `json:"households_by_village"`
	Profiles   map[string][]string `json:"profiles"`
	LoanFlags  map[string]string   `json:"loan_flags"`
	LoansHH    int                 `json:"loans_2022_households"`
	LoansYuan  int64               `json:"loans_2022_yuan"`
}

// sheetTable is a report sheet read back: its rows as text, the header row
// found by its first column's header.
type sheetTable struct {
	t      *testing.T
	rows   [][]string
	header int
}

func readSheet(t *testing.T, path, sheet, firstHeader string) *sheetTable {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("%s does not open: %v", path, err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("%s: sheet %s: %v", path, sheet, err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == firstHeader {
			return &sheetTable{t: t, rows: rows, header: i}
		}
	}
	t.Fatalf("%s: sheet %s has no header row starting %q", path, sheet, firstHeader)
	return nil
}

// col is the index of the column whose header (any header row) is name.
func (s *sheetTable) col(name string) int {
	s.t.Helper()
	for r := s.header; r <= s.header+1 && r < len(s.rows); r++ {
		for i, v := range s.rows[r] {
			if strings.ReplaceAll(v, "\n", "") == name {
				return i
			}
		}
	}
	s.t.Fatalf("no column %q in %v", name, s.rows[s.header])
	return -1
}

// data is the rows below the header (a second header row under grouped
// headers included: tests pick rows by their content).
func (s *sheetTable) data() [][]string { return s.rows[s.header+1:] }

func cell(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}

// report runs `shouwang report …` and fails the test on a non-zero exit.
func report(t *testing.T, dsn string, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, dsn, append([]string{"report"}, args...)...)
	if code != exitOK {
		t.Fatalf("report %v: exit %d: %s%s", args, code, out, errOut)
	}
	return out
}

// TestReportSampleAsAnswersSay is the acceptance of the reports issue:
// after importing the three sample workbooks and evaluating as of
// 2022-12-31, the summary, the year's figures, the flag list and the loan
// ledger show what answers.json says.
func TestReportSampleAsAnswersSay(t *testing.T) {
	var want reportAnswers
	if err := json.Unmarshal(readFile(t, "../../testdata/answers.json"), &want); err != nil {
		t.Fatal(err)
	}
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			dir := t.TempDir()
			if code, rep := importJSON(t, e.DSN, "--skip-invalid", sampleRoster); code != exitOK || !rep.Committed {
				t.Fatalf("import roster: exit %d", code)
			}
			if code, rep := importJSON(t, e.DSN, "--kind", "loans", "--skip-invalid", sampleLoans); code != exitOK || !rep.Committed {
				t.Fatalf("import loans: exit %d", code)
			}
			if code, rep := importJSON(t, e.DSN, "--kind", "medical", sampleMedical); code != exitOK || !rep.Committed {
				t.Fatalf("import medical list: exit %d %+v", code, rep.Errors)
			}
			evaluate(t, e.DSN, "2022-12-31")

			t.Run("Summary", func(t *testing.T) {
				path := filepath.Join(dir, "summary.xlsx")
				out := report(t, e.DSN, "summary", "--year", "2022", "--as-of", "2022-12-31", "-o", path)
				if !strings.Contains(out, "统计汇总表") || !strings.Contains(out, path) {
					t.Errorf("the command does not say what it wrote: %s", out)
				}
				s := readSheet(t, path, "统计汇总表", "乡镇（街道）")
				village, hh := s.col("村（社区）"), s.col("农户总数（户）")
				seen := 0
				var total []string
				for _, r := range s.data() {
					if n, ok := want.ByVillage[cell(r, village)]; ok {
						seen++
						if got := cell(r, hh); got != strconv.Itoa(n) {
							t.Errorf("%s: %s households, want %d", cell(r, village), got, n)
						}
					}
					if cell(r, 0) == "合计" {
						total = r
					}
				}
				if seen != len(want.ByVillage) || total == nil {
					t.Fatalf("found %d of %d villages, total row %v", seen, len(want.ByVillage), total)
				}
				for c, n := range want.ByCategory {
					if got := cell(total, s.col(c)); got != strconv.Itoa(n) {
						t.Errorf("total %s = %s, want %d", c, got, n)
					}
				}
				if got := cell(total, s.col("当年发放（户）")); got != strconv.Itoa(want.LoansHH) {
					t.Errorf("micro-loans issued in 2022: %s households, want %d", got, want.LoansHH)
				}
				got, _ := strconv.ParseFloat(strings.ReplaceAll(cell(total, s.col("当年发放金额（万元）")), ",", ""), 64)
				if want := float64(want.LoansYuan) / 10000; got != want {
					t.Errorf("micro-loans issued in 2022: %v 万元, want %v", got, want)
				}
			})

			t.Run("Yearly", func(t *testing.T) {
				path := filepath.Join(dir, "yearly.xlsx")
				report(t, e.DSN, "yearly", "--year", "2022", "--as-of", "2022-12-31", "-o", path)
				s := readSheet(t, path, "", "序号")
				sentence := "发放扶贫小额信贷46户230万元"
				found := false
				for _, r := range s.data() {
					found = found || cell(r, 1) == sentence
				}
				if !found {
					t.Errorf("the year's figures do not state %q: %v", sentence, s.data())
				}
			})

			t.Run("Flags", func(t *testing.T) {
				path := filepath.Join(dir, "flags.xlsx")
				report(t, e.DSN, "flags", "--as-of", "2022-12-31", "-o", path)
				s := readSheet(t, path, "风险预警清单", "乡镇（街道）")
				code, rule, status := s.col("户编号"), s.col("规则代码"), s.col("状态")
				kinds := map[string]map[string]bool{}
				for _, r := range s.data() {
					if k, ok := profileKind[cell(r, rule)]; ok {
						if kinds[cell(r, code)] == nil {
							kinds[cell(r, code)] = map[string]bool{}
						}
						kinds[cell(r, code)][k] = true
						if cell(r, status) != "预警中" {
							t.Errorf("%s: status %q in a list of open flags", cell(r, code), cell(r, status))
						}
					}
				}
				for hh, ks := range want.Profiles {
					for _, k := range ks {
						if !kinds[hh][k] {
							t.Errorf("household %s is not listed with a %s flag", hh, k)
						}
					}
				}
			})

			t.Run("OverdueLoans", func(t *testing.T) {
				for _, unmask := range []bool{false, true} {
					path := filepath.Join(dir, "loans.xlsx")
					args := []string{"loans", "--as-of", "2024-12-31", "-o", path}
					if unmask {
						args = append(args, "--unmask")
					}
					report(t, e.DSN, args...)
					id := func(s string) string {
						if unmask {
							return s
						}
						return monitor.MaskID(s)
					}
					s := readSheet(t, path, "逾期清单", "乡镇（街道）")
					idCol, days, issued := s.col("贷款人身份证号"), s.col("逾期天数"), s.col("放款日期")
					listed := map[string][]string{} // borrower → issue dates
					for _, r := range s.data() {
						if cell(r, idCol) == "" {
							continue // a subtotal
						}
						if n, err := strconv.Atoi(cell(r, days)); err != nil || n <= 0 {
							t.Errorf("%s on the overdue list with %q days overdue", cell(r, idCol), cell(r, days))
						}
						if !unmask && !strings.Contains(cell(r, idCol), "****") {
							t.Errorf("ID %s not masked by default", cell(r, idCol))
						}
						listed[cell(r, idCol)] = append(listed[cell(r, idCol)], cell(r, issued))
					}
					overdue := 0
					for b, kind := range want.LoanFlags {
						dates, ok := listed[id(b)]
						switch {
						case kind == "overdue" && !ok:
							t.Errorf("borrower %s is overdue on 2024-12-31 but not on the list", id(b))
						case kind == "overdue":
							overdue++
						case ok:
							// answers.json keeps one mark per borrower: the
							// over-cap borrower's 2021 loan is overdue too.
							for _, d := range dates {
								if !strings.HasPrefix(d, "2021") {
									t.Errorf("borrower %s (%s) listed with a loan of %s", id(b), kind, d)
								}
							}
						}
					}
					for b := range listed {
						marked := false
						for w := range want.LoanFlags {
							marked = marked || id(w) == b
						}
						if !marked {
							t.Errorf("borrower %s is on the overdue list but answers.json marks nothing", b)
						}
					}
					if overdue == 0 {
						t.Fatal("answers.json marks no overdue borrower")
					}
				}
			})

			t.Run("Template", func(t *testing.T) {
				path := filepath.Join(dir, "filled.xlsx")
				out := report(t, e.DSN, "summary", "--as-of", "2022-12-31", "--template", sampleTemplate, "-o", path)
				if !strings.Contains(out, "模板") {
					t.Errorf("the command does not say it filled the template: %s", out)
				}
				filled, err := excelize.OpenFile(path)
				if err != nil {
					t.Fatal(err)
				}
				defer filled.Close()
				orig, err := excelize.OpenFile(sampleTemplate)
				if err != nil {
					t.Fatal(err)
				}
				defer orig.Close()
				sheet := orig.GetSheetName(0)
				before, _ := orig.GetRows(sheet)
				after, _ := filled.GetRows(sheet)
				if len(after) != len(before) {
					t.Errorf("the filled template has %d rows, the template %d", len(after), len(before))
				}
				s := readSheet(t, path, sheet, "乡镇（街道）")
				village, hh := s.col("村（社区）"), s.col("农户总数（户）")
				seen := 0
				for _, r := range s.data() {
					if n, ok := want.ByVillage[cell(r, village)]; ok {
						seen++
						if got := cell(r, hh); got != strconv.Itoa(n) {
							t.Errorf("template: %s has %s households, want %d", cell(r, village), got, n)
						}
					}
					if cell(r, 0) == "合计" {
						if got := cell(r, s.col("户数")) + "户" + cell(r, s.col("金额（万元）")) + "万元"; got != "46户230万元" {
							t.Errorf("template total of micro-loans: %s", got)
						}
					}
				}
				if seen != len(want.ByVillage) {
					t.Errorf("template: %d villages filled, want %d", seen, len(want.ByVillage))
				}
				mb, _ := orig.GetMergeCells(sheet)
				ma, _ := filled.GetMergeCells(sheet)
				if len(mb) != len(ma) {
					t.Errorf("merged headers %d, want the template's %d", len(ma), len(mb))
				}
			})
		})
	}
}

// TestReportMasking: ID numbers are masked unless --unmask, the workbook
// says which, and a village filter keeps to the village.
func TestReportMasking(t *testing.T) {
	dsn := storetest.DSNs(t)[0].DSN
	importSampleRoster(t, dsn)
	dir := t.TempDir()
	for _, unmask := range []bool{false, true} {
		path := filepath.Join(dir, "roster.xlsx")
		args := []string{"roster", "--as-of", "2022-12-31", "--village", "皂角井社区", "-o", path}
		if unmask {
			args = append(args, "--unmask")
		}
		out := report(t, dsn, args...)
		if !strings.Contains(out, "东城街道皂角井社区监测对象花名册") {
			t.Errorf("the place line is not the village's: %s", out)
		}
		s := readSheet(t, path, "监测对象花名册", "乡镇（街道）")
		note := s.rows[1][0]
		if unmask != strings.Contains(note, "未脱敏") {
			t.Errorf("unmask %v: the workbook says %q", unmask, note)
		}
		if !strings.HasPrefix(s.rows[0][0], "东城街道皂角井社区监测对象花名册") {
			t.Errorf("title %q", s.rows[0][0])
		}
		idCol, village := s.col("身份证号"), s.col("村（社区）")
		n := 0
		for _, r := range s.data() {
			id := cell(r, idCol)
			if id == "" {
				continue
			}
			n++
			if got := cell(r, village); got != "皂角井社区" {
				t.Errorf("a %s row in the village's roster", got)
			}
			if masked := strings.Contains(id, "****"); masked == unmask || len(id) != 18 {
				t.Errorf("unmask %v: ID %q", unmask, id)
			}
		}
		if n == 0 {
			t.Fatal("the village's roster lists nobody")
		}
	}
}

// TestReportCommandLine covers the command's own rules: names in Chinese,
// formats by extension, --template only for the summary, a clean file on
// failure.
func TestReportCommandLine(t *testing.T) {
	dsn := storetest.DSNs(t)[0].DSN
	importSampleRoster(t, dsn)
	dir := t.TempDir()
	t.Run("ChineseNameCSV", func(t *testing.T) {
		path := filepath.Join(dir, "花名册.csv")
		out := report(t, dsn, "花名册", "-o", path, "--all")
		b := readFile(t, path)
		if !strings.HasPrefix(string(b), "\ufeff乡镇（街道）,") {
			t.Errorf("CSV does not start with the BOM and the header: %q", b[:min(40, len(b))])
		}
		if !strings.Contains(out, "94 户") {
			t.Errorf("--all should list the 94 households: %s", out)
		}
	})
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrUnknownReport", []string{"nosuch", "-o", "x.xlsx"}, "未知报表"},
		{"ErrNoOutput", []string{"roster"}, "-o"},
		{"ErrCSVNotFlat", []string{"summary", "-o", filepath.Join(dir, "s.csv")}, ".xlsx"},
		{"ErrExtension", []string{"roster", "-o", filepath.Join(dir, "r.pdf")}, ".xlsx 或 .csv"},
		{"ErrTemplateNotSummary", []string{"roster", "--template", sampleTemplate, "-o", filepath.Join(dir, "r.xlsx")}, "--template"},
		{"ErrNoticeNeedsVillage", []string{"notice", "-o", filepath.Join(dir, "n.xlsx")}, "村（社区）"},
		{"ErrVillageUnknown", []string{"roster", "--village", "无此村", "-o", filepath.Join(dir, "r.xlsx")}, "无此村"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := cli(t, dsn, append([]string{"report"}, c.args...)...)
			if code == exitOK || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q, want an error mentioning %q (stdout %q)", code, errOut, c.want, out)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			t.Errorf("a failed report left %s behind", e.Name())
		}
	}
}
