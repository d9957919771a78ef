package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/rules"
	"github.com/shouwang/shouwang/synth"
)

const sampleLoans = "../../testdata/loans.xlsx"

// loanAnswers is the loan part of testdata/answers.json.
type loanAnswers struct {
	Valid      int               `json:"loans_valid"`
	Rejected   []int             `json:"loans_rejected_rows"`
	Households int               `json:"loans_2022_households"`
	Yuan       float64           `json:"loans_2022_yuan"`
	Flags      map[string]string `json:"loan_flags"`
}

func loadLoanAnswers(t *testing.T) loanAnswers {
	t.Helper()
	var a loanAnswers
	if err := json.Unmarshal(readFile(t, "../../testdata/answers.json"), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// loansJSON runs `shouwang loans --json …` and decodes the array.
func loansJSON(t *testing.T, dsn string, args ...string) []loanLine {
	t.Helper()
	code, out, errOut := cli(t, dsn, append([]string{"loans", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("loans: exit %d: %s", code, errOut)
	}
	var ls []loanLine
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		t.Fatalf("loans output is not a JSON array (%v): %s", err, out)
	}
	return ls
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// importSampleRoster imports the sample households, skipping the rejected.
func importSampleRoster(t *testing.T, dsn string) {
	t.Helper()
	if code, rep := importJSON(t, dsn, "--skip-invalid", sampleRoster); code != 0 || !rep.Committed {
		t.Fatalf("roster import: exit %d", code)
	}
}

// editedLoans changes row 5 (马红, 2021): 30,000 repaid instead of 20,000.
func editedLoans(t *testing.T) string {
	t.Helper()
	f, err := excelize.OpenFile(sampleLoans)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.SetCellValue("脱贫人口小额信贷", "P5", 30000)
	f.SetCellValue("脱贫人口小额信贷", "Q5", 20000)
	p := filepath.Join(t.TempDir(), "loans-edited.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoansSampleAsAnswersSay(t *testing.T) {
	want := loadLoanAnswers(t)
	edited := editedLoans(t)
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			importSampleRoster(t, e.DSN)

			t.Run("AllOrNothing", func(t *testing.T) {
				code, rep := importJSON(t, e.DSN, "--kind", "loans", sampleLoans)
				if code != exitValidation || rep.Committed || rep.Loans == nil || rep.Loans.Created != want.Valid {
					t.Fatalf("exit %d committed %v counts %+v", code, rep.Committed, rep.Loans)
				}
				if ls := loansJSON(t, e.DSN); len(ls) != 0 {
					t.Fatalf("a refused import wrote %d loans", len(ls))
				}
			})
			t.Run("SkipInvalid", func(t *testing.T) {
				code, rep := importJSON(t, e.DSN, "--kind", "loans", "--skip-invalid", sampleLoans)
				if code != exitOK || !rep.Committed {
					t.Fatalf("exit %d committed %v", code, rep.Committed)
				}
				if got, want := *rep.Loans, (monitor.RecordCounts{InFile: want.Valid + len(want.Rejected), Created: want.Valid, Rejected: len(want.Rejected)}); got != want {
					t.Fatalf("counts = %+v, want %+v", got, want)
				}
				for _, row := range want.Rejected {
					found := false
					for _, x := range rep.Errors {
						if x.Row == row && x.Code == store.CodeBorrowerNotFound && x.Sheet == "脱贫人口小额信贷" && x.Column == "贷款人身份证号" &&
							strings.Contains(x.Message, fmt.Sprintf("第 %d 行", row)) {
							found = true
						}
					}
					if !found {
						t.Errorf("no borrower_not_found error naming row %d: %+v", row, rep.Errors)
					}
				}
			})
			t.Run("OverdueAsOf2024", func(t *testing.T) {
				ls := loansJSON(t, e.DSN, "--as-of", "2024-12-31")
				if len(ls) != want.Valid {
					t.Fatalf("loans = %d, want %d", len(ls), want.Valid)
				}
				overdue := map[string]bool{}
				var overCap []loanLine
				for _, l := range ls {
					if l.DaysOverdue > 0 {
						overdue[l.BorrowerIDNumber] = true
						if l.Bucket == "" || !has(l.Flags, "loan_overdue") {
							t.Errorf("%s: %d days overdue, bucket %q flags %v", l.BorrowerName, l.DaysOverdue, l.Bucket, l.Flags)
						}
					}
					if has(l.Flags, "loan_over_cap") {
						overCap = append(overCap, l)
					}
				}
				for id, kind := range want.Flags {
					switch kind {
					case "overdue":
						if !overdue[id] {
							t.Errorf("borrower %s should be overdue on 2024-12-31", id)
						}
					case "over_cap":
						if len(overCap) != 1 || overCap[0].BorrowerIDNumber != id || overCap[0].AmountYuan <= 50000 || overCap[0].DaysOverdue != 0 {
							t.Errorf("over-cap loans = %+v, want borrower %s's one, kept and flagged", overCap, id)
						}
					}
				}
				// answers.json keeps one mark per borrower: the over-cap
				// borrower's 2021 loan is overdue too, and is the only
				// overdue loan of a borrower not marked overdue.
				for id := range overdue {
					if kind, ok := want.Flags[id]; !ok {
						t.Errorf("borrower %s is overdue but answers.json marks nothing", id)
					} else if kind != "overdue" {
						for _, l := range ls {
							if l.BorrowerIDNumber == id && l.DaysOverdue > 0 && l.IssueDate[:4] != "2021" {
								t.Errorf("only the 2021 loan of %s may be overdue: %+v", id, l)
							}
						}
					}
				}
			})
			t.Run("Issued2022", func(t *testing.T) {
				ls := loansJSON(t, e.DSN, "--as-of", "2024-12-31", "--year", "2022")
				households := map[string]bool{}
				var yuan float64
				for _, l := range ls {
					households[l.HouseholdCode] = true
					yuan += l.AmountYuan
				}
				if len(households) != want.Households || yuan != want.Yuan {
					t.Fatalf("2022: %d households, %.2f yuan; want %d, %.0f", len(households), yuan, want.Households, want.Yuan)
				}
			})
			t.Run("ReimportUnchanged", func(t *testing.T) {
				_, rep := importJSON(t, e.DSN, "--kind", "loans", "--skip-invalid", sampleLoans)
				if got := *rep.Loans; got.Unchanged != want.Valid || got.Created+got.Updated != 0 {
					t.Fatalf("same ledger again: %+v", got)
				}
			})
			t.Run("EditedCopyUpdatesWithHistory", func(t *testing.T) {
				_, rep := importJSON(t, e.DSN, "--skip-invalid", edited) // kind detected from the headers
				if rep.Kind != monitor.KindLoans || rep.Loans == nil || rep.Loans.Updated != 1 || rep.Loans.Unchanged != want.Valid-1 {
					t.Fatalf("edited ledger: kind %q counts %+v", rep.Kind, rep.Loans)
				}
				_, out, _ := cli(t, e.DSN, "household", "--json", "5001190004000103")
				var h struct {
					Changes []monitor.Change `json:"changes"`
				}
				if err := json.Unmarshal([]byte(out), &h); err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range h.Changes {
					found = found || (c.Entity == "loan" && c.Field == "累计偿还本金" && c.OldValue == "20000.00" && c.NewValue == "30000.00")
				}
				if !found {
					t.Fatalf("no loan history in %+v", h.Changes)
				}
				for _, l := range loansJSON(t, e.DSN, "--as-of", "2024-12-31", "--household", "5001190004000103") {
					if l.IssueDate == "2021-07-06" && l.BalanceYuan != 20000 {
						t.Fatalf("balance after the edit = %v, want 20000", l.BalanceYuan)
					}
				}
			})
		})
	}
}

func TestLoansCommand(t *testing.T) {
	dsn := storetest.DSNs(t)[0].DSN
	importSampleRoster(t, dsn)
	if code, _ := importJSON(t, dsn, "--kind", "loans", "--skip-invalid", sampleLoans); code != 0 {
		t.Fatalf("import: exit %d", code)
	}
	t.Run("Table", func(t *testing.T) {
		code, out, _ := cli(t, dsn, "loans", "--as-of", "2024-12-31")
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		for _, s := range []string{"小额信贷台账，截至 2024-12-31", "户编号", "逾期天数", "合计：81 笔，74 户，贷款金额 3,930,000 元", "逾期 10 笔", "PAR30 12.01%", "PAR90 12.01%", "小额信贷超过额度上限"} {
			if !strings.Contains(out, s) {
				t.Errorf("output lacks %q:\n%s", s, out)
			}
		}
	})
	t.Run("OverdueList", func(t *testing.T) {
		_, out, _ := cli(t, dsn, "loans", "--as-of", "2024-12-31", "--overdue")
		if !strings.Contains(out, "逾期贷款清单") || !strings.Contains(out, "合计：10 笔") {
			t.Fatalf("output:\n%s", out)
		}
		ls := loansJSON(t, dsn, "--as-of", "2024-12-31", "--overdue", "--village", "灌坝社区")
		for _, l := range ls {
			if l.DaysOverdue <= 0 || l.Village != "灌坝社区" {
				t.Fatalf("--overdue --village listed %+v", l)
			}
		}
	})
	t.Run("SubsidyFollowsTheTable", func(t *testing.T) {
		// 姜静阳: 50,000 yuan at 3.45% from 2022-11-15, nothing repaid. In
		// 2023 (100%) the subsidy is 50,000 × 3.45% × 365/360.
		for _, asOf := range []struct {
			date string
			want float64
		}{{"2023-12-31", 1748.96}, {"2024-12-31", 1227.63}} {
			for _, l := range loansJSON(t, dsn, "--as-of", asOf.date, "--year", "2022") {
				if l.BorrowerName == "姜静阳" && l.SubsidyYuan != asOf.want {
					t.Errorf("%s subsidy = %v, want %v", asOf.date, l.SubsidyYuan, asOf.want)
				}
			}
		}
	})
	for _, tt := range []struct {
		name string
		args []string
	}{{"ErrBadYear", []string{"--year", "22"}}, {"ErrBadProduct", []string{"--product", "mortgage"}}, {"ErrBadDate", []string{"--as-of", "去年"}}} {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, errOut := cli(t, dsn, append([]string{"loans"}, tt.args...)...); code != exitUsage || errOut == "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}

func TestLoansErrorWorkbook(t *testing.T) {
	dsn := storetest.DSNs(t)[0].DSN
	importSampleRoster(t, dsn)
	dst := filepath.Join(t.TempDir(), "errors.xlsx")
	code, out, _ := cli(t, dsn, "import", "--kind", "loans", "--errors-out", dst, sampleLoans)
	if code != exitValidation || !strings.Contains(out, "拒绝 1") || !strings.Contains(out, "--skip-invalid") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	x, err := excelize.OpenFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const sh = "脱贫人口小额信贷"
	if v, _ := x.GetCellValue(sh, "S2"); v != "导入结果" {
		t.Fatalf("S2 = %q", v)
	}
	if v, _ := x.GetCellValue(sh, "S3"); v != "已通过校验" {
		t.Errorf("S3 = %q", v)
	}
	if v, _ := x.GetCellValue(sh, "S84"); !strings.HasPrefix(v, "未导入：第 84 行") {
		t.Errorf("S84 = %q", v)
	}
	// The test clock is 2023-01-15: loans issued later carry a
	// future_date warning on their 放款日期 cell; the error is on G84.
	cs, _ := x.GetComments(sh)
	found := false
	for _, c := range cs {
		text := c.Paragraph[0].Text
		switch {
		case c.Cell == "G84":
			found = strings.HasPrefix(text, "borrower_not_found：")
		case !strings.HasPrefix(c.Cell, "K") || !strings.HasPrefix(text, "future_date："):
			t.Errorf("unexpected comment %s: %s", c.Cell, text)
		}
	}
	if !found {
		t.Errorf("no borrower_not_found comment on G84: %+v", cs)
	}
}

// measuresBook writes a measures ledger for household code (and one row
// for a household that does not exist) and a cadre list.
func measuresBook(t *testing.T, code, head string) (measures, cadres string) {
	t.Helper()
	write := func(name string, rows [][]any) string {
		f := excelize.NewFile()
		defer f.Close()
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				f.SetCellValue("Sheet1", cell, v)
			}
		}
		p := filepath.Join(t.TempDir(), name)
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	measures = write("措施.xlsx", [][]any{
		{"东城街道帮扶措施台账"},
		{"序号", "户编号", "户主姓名", "帮扶措施类别", "具体措施", "开始日期", "金额(元)", "状态"},
		{1, code, head, "产业帮扶", "种植补助", "2023-03-01", 2000, "已落实"},
		{2, "5001190009999999", "某某", "就业帮扶/技能培训", nil, "2023-04-01", nil, "已落实"},
	})
	cadres = write("名单.xlsx", [][]any{
		{"户编号", "户主姓名", "帮扶责任人", "工作单位", "联系电话", "帮扶开始时间"},
		{code, head, "张明", "区农业农村委", "13912345678", "2022-03-01"},
	})
	return measures, cadres
}

func TestMeasuresAndCadresRoundTrip(t *testing.T) {
	asOf := monitor.Date{Year: 2024, Month: 12, Day: 31}
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			importSampleRoster(t, e.DSN)
			_, out, _ := cli(t, e.DSN, "households", "--category", "any", "--json", "--limit", "1000")
			var list struct {
				Items []monitor.Household `json:"items"`
			}
			if err := json.Unmarshal([]byte(out), &list); err != nil {
				t.Fatal(err)
			}
			var target *monitor.Household
			for i, h := range list.Items {
				if !h.RiskEliminated && !h.IdentifiedIn.IsZero() {
					target = &list.Items[i]
					break
				}
			}
			if target == nil {
				t.Fatal("the sample has no monitored household without elimination")
			}
			db, err := store.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ids, _ := db.HouseholdIDsByCode(ctx, []string{target.Code})
			facts := func() (rules.Facts, []string) {
				var f rules.Facts
				var codes []string
				err := db.ForEachData(ctx, store.EvalScope{HouseholdIDs: []int64{ids[target.Code]}}, func(d *store.HouseholdData) error {
					rules.BuildFacts(&f, d.Household, asOf, rules.Inputs{Measures: d.Measures})
					for _, h := range rules.Default().Evaluate(&f, nil) {
						codes = append(codes, h.Code)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return f, codes
			}
			if f, codes := facts(); f.Measures.InPlace != 0 || !has(codes, "dq_no_measure") {
				t.Fatalf("before: in place %d, rules %v; want 0 and dq_no_measure", f.Measures.InPlace, codes)
			}
			if code, out, _ := cli(t, e.DSN, "evaluate", "--as-of", asOf.String()); code != 0 {
				t.Fatalf("evaluate: %s", out)
			}

			measures, cadres := measuresBook(t, target.Code, target.HeadName)
			code, rep := importJSON(t, e.DSN, "--skip-invalid", measures) // kind from the headers
			if code != 0 || rep.Kind != monitor.KindMeasures || rep.Measures.Created != 1 || rep.Measures.Rejected != 1 {
				t.Fatalf("measures import: exit %d kind %q counts %+v errors %v", code, rep.Kind, rep.Measures, rep.Errors)
			}
			if len(rep.Errors) != 1 || rep.Errors[0].Code != store.CodeHouseholdNotFound || rep.Errors[0].Row != 4 || rep.Errors[0].Column != "户编号" {
				t.Fatalf("errors %+v", rep.Errors)
			}
			if rep.Evaluation == nil || rep.Evaluation.Closed < 1 {
				t.Fatalf("the import re-evaluates the household and closes its flag: %+v", rep.Evaluation)
			}
			if f, codes := facts(); f.Measures.InPlace != 1 || f.Measures.Development != 1 || has(codes, "dq_no_measure") {
				t.Fatalf("after: facts %+v, rules %v", f.Measures, codes)
			}
			if _, rep := importJSON(t, e.DSN, "--skip-invalid", "--kind", "measures", measures); rep.Measures.Unchanged != 1 || rep.Measures.Created != 0 {
				t.Fatalf("measures again: %+v", rep.Measures)
			}

			code, rep = importJSON(t, e.DSN, "--kind", "cadres", cadres)
			if code != 0 || rep.Cadres.Created != 1 {
				t.Fatalf("cadres import: exit %d counts %+v errors %v", code, rep.Cadres, rep.Errors)
			}
			if _, rep := importJSON(t, e.DSN, "--kind", "cadres", cadres); rep.Cadres.Unchanged != 1 {
				t.Fatalf("cadres again: %+v", rep.Cadres)
			}
			cl, err := db.FindCadres(ctx, store.Everywhere, target.Code, asOf)
			if err != nil || len(cl.Current) != 1 || cl.Current[0].Name != "张明" || cl.Current[0].Phone != "13912345678" {
				t.Fatalf("cadres = %+v (%v)", cl, err)
			}
		})
	}
}

// benchLoans is the size of the generated ledger: SHOUWANG_BENCH_LOANS, or
// 100,000 (one loan per generated household).
func benchLoans() int {
	if s := os.Getenv("SHOUWANG_BENCH_LOANS"); s != "" {
		var n int
		fmt.Sscan(s, &n)
		return n
	}
	return 100000
}

// benchLedger writes (once per machine) a loan ledger for the households
// synth generates with seed 1: one loan per household, borrowed by the
// head or the spouse, 10,000–50,000 yuan (a few above the cap), issued
// 2021 to mid-2024 for 12–36 months, with dates as date cells or the two
// text forms staff type, and 累计偿还本金/还款时间/贷款余额 as the ledgers
// keep them: most matured loans repaid, some partly, some not at all.
func benchLedger(b *testing.B, hs []*monitor.Household) string {
	b.Helper()
	p := filepath.Join(os.TempDir(), fmt.Sprintf("shouwang-bench-loans-%d-v1.xlsx", len(hs)))
	if _, err := os.Stat(p); err == nil {
		return p
	}
	writeLedger(b, p, hs, nil)
	return p
}

// writeLedger writes benchLedger's ledger to p, with extra rows after the
// loans: nil cells, or "dup" to repeat the first loan's row.
func writeLedger(b testing.TB, p string, hs []*monitor.Household, extra [][]any) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sh = "脱贫人口小额信贷"
	f.SetSheetName("Sheet1", sh)
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	w, err := f.NewStreamWriter(sh)
	if err != nil {
		b.Fatal(err)
	}
	w.SetRow("A1", []any{"南川区脱贫人口小额信贷台账"})
	w.SetRow("A2", []any{"序号", "乡镇", "行政村", "户主姓名", "户主身份证号", "贷款人姓名", "贷款人身份证号", "与户主关系",
		"贷款金额(元)", "贷款期限(月)", "放款日期", "到期日期", "贷款利率(%)", "贷款金融机构", "贷款用途", "累计偿还本金(元)",
		"还款时间", "贷款余额(元)", "备注"})
	r := rand.New(rand.NewPCG(1, 2))
	epoch := monitor.Date{Year: 1899, Month: 12, Day: 30}
	date := func(d monitor.Date) any {
		switch r.IntN(5) {
		case 0:
			return fmt.Sprintf("%d.%d.%d", d.Year, d.Month, d.Day)
		case 1:
			return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
		}
		return excelize.Cell{StyleID: dateStyle, Value: epoch.DaysUntil(d)}
	}
	banks := []string{"重庆农村商业银行南川支行", "中国邮政储蓄银行南川区支行"}
	uses := []string{"种植花椒", "养殖生猪", "种植优质稻", "青菜头种植加工", "种植李子"}
	asOf := monitor.Date{Year: 2024, Month: 12, Day: 31}
	var first []any
	for i, h := range hs {
		m := h.Members[0]
		if len(h.Members) > 1 && h.Members[1].Relation == "配偶" && r.IntN(5) == 0 {
			m = h.Members[1]
		}
		amount := 10000 * (1 + r.IntN(5))
		if r.IntN(100) == 0 {
			amount = 60000 + 10000*r.IntN(3)
		}
		term := []int{12, 24, 36, 36, 36}[r.IntN(5)]
		issue := monitor.Date{Year: 2021, Month: 1, Day: 1}.AddDays(r.IntN(1277))
		maturity := addMonthsBench(issue, term)
		repaid, paidOn := 0, monitor.Date{}
		switch x := r.IntN(10); {
		case maturity.Before(asOf) && x < 7:
			repaid = amount
		case x < 9 && (maturity.Before(asOf) || x < 1):
			repaid = amount / 10 * (1 + r.IntN(8))
		}
		if repaid > 0 {
			paidOn = issue.AddDays(1 + r.IntN(max(1, issue.DaysUntil(maturity)+30)))
		}
		row := []any{i + 1, h.Township, h.Village, h.HeadName, h.HeadIDNumber, m.Name, m.IDNumber, m.Relation,
			amount, term, date(issue), date(maturity), 3.45, banks[r.IntN(2)], uses[r.IntN(len(uses))], repaid, nil, amount - repaid, nil}
		if repaid > 0 {
			row[16] = date(paidOn)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := w.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = row
		}
	}
	for i, row := range extra {
		if len(row) == 1 && row[0] == "dup" {
			row = append([]any{len(hs) + i + 1}, first[1:]...)
		}
		cell, _ := excelize.CoordinatesToCellName(1, len(hs)+i+3)
		if err := w.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	tmp := strings.TrimSuffix(p, ".xlsx") + ".tmp.xlsx" // excelize saves by extension
	if err := f.SaveAs(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		b.Fatal(err)
	}
}

func addMonthsBench(d monitor.Date, n int) monitor.Date {
	m := d.Year*12 + d.Month - 1 + n
	y, mo := m/12, m%12+1
	for day := d.Day; day > 0; day-- {
		if x, ok := monitor.NewDate(y, mo, day); ok {
			return x
		}
	}
	return d
}

// BenchmarkLoans compares, in one run, excelize merely reading a generated
// 100,000-loan ledger with Shouwang's full import of it (parse, validate,
// match borrowers, write) into SQLite and PostgreSQL and its unchanged
// re-import, and times the portfolio arithmetic (balance, days overdue,
// bucket, PAR30 and PAR90 of every loan as of a date) apart from loading.
// The households are imported first, outside the timings.
//
//	go test ./cmd/shouwang -run '^$' -bench Loans -benchtime 1x
func BenchmarkLoans(b *testing.B) {
	n := benchLoans()
	asOf := monitor.Date{Year: 2024, Month: 12, Day: 31}
	ctx := context.Background()
	// Setup: the ledger file and, in each engine, its households. The
	// generated households are dropped before timing so that the collector
	// does not scan them in every figure below.
	path, dbs := func() (string, []*store.DB) {
		hs := synth.Households(synth.Config{Seed: 1, Households: n})
		path := benchLedger(b, hs)
		batch := make([]monitor.ImportHousehold, len(hs))
		for i, h := range hs {
			batch[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
		}
		var dbs []*store.DB
		for _, e := range storetest.DSNs(b) {
			db, err := store.Open(ctx, e.DSN)
			if err != nil {
				b.Fatal(err)
			}
			rep := &monitor.ImportReport{Kind: monitor.KindHouseholds, Households: monitor.HouseholdCounts{InFile: len(batch)}}
			if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{Actor: "bench"}); err != nil || !rep.Committed {
				b.Fatalf("households: %v %v", err, rep.Errors[:min(3, len(rep.Errors))])
			}
			dbs = append(dbs, db)
		}
		return path, dbs
	}()
	defer func() {
		for _, db := range dbs {
			db.Close()
		}
	}()
	runtime.GC()
	b.Run("excelize_read", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f, err := excelize.OpenFile(path)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows("脱贫人口小额信贷")
			if err != nil {
				b.Fatal(err)
			}
			cells := 0
			for rows.Next() {
				cols, _ := rows.Columns(excelize.Options{RawCellValue: true})
				cells += len(cols)
			}
			rows.Close()
			f.Close()
			b.ReportMetric(float64(cells), "cells")
		}
	})
	b.Run("parse_only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			book, err := sheet.Open(path, sheet.Limits{MaxFileBytes: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			f, err := importer.ParseLoans(book, "bench.xlsx", importer.Options{AsOf: asOf})
			book.Close()
			if err != nil {
				b.Fatal(err)
			}
			if len(f.Loans) != n {
				b.Fatalf("parsed %d loans of %d: %v", len(f.Loans), n, f.Report.Errors[:min(3, len(f.Report.Errors))])
			}
			b.ReportMetric(float64(len(f.Loans)), "loans")
		}
	})
	var loans []monitor.Loan
	for _, db := range dbs {
		app := &App{Getenv: func(string) string { return "" }, Now: func() time.Time { return asOf.Time() }}
		for _, round := range []string{"import", "reimport"} {
			b.Run(db.Dialect+"_"+round, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					rep, err := app.importAny(ctx, db, monitor.KindLoans, path, store.ImportOptions{Actor: "bench", SkipInvalid: true}, "")
					if err != nil {
						b.Fatal(err)
					}
					c := rep.Loans
					if c.Created+c.Unchanged+c.Updated != n {
						b.Fatalf("not every loan written: %+v, errors %v", c, rep.Errors[:min(3, len(rep.Errors))])
					}
					b.ReportMetric(float64(c.Created), "created")
					b.ReportMetric(float64(c.Unchanged), "unchanged")
				}
			})
		}
		b.Run(db.Dialect+"_find_loans", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				recs, err := db.FindLoans(ctx, store.Everywhere, store.LoanFilter{})
				if err != nil {
					b.Fatal(err)
				}
				loans = make([]monitor.Loan, len(recs))
				for j := range recs {
					loans[j] = recs[j].Loan
				}
				b.ReportMetric(float64(len(loans)), "loans")
			}
		})
		b.Run(db.Dialect+"_loans_command", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				lines, err := loanLines(ctx, db, store.LoanFilter{}, asOf)
				if err != nil {
					b.Fatal(err)
				}
				flagged := 0
				for _, l := range lines {
					if len(l.Flags) > 0 {
						flagged++
					}
				}
				b.ReportMetric(float64(flagged), "flagged")
			}
		})
	}
	b.Run("portfolio", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var balance monitor.Money
			buckets := map[string]int{}
			for j := range loans {
				l := &loans[j]
				balance += l.Balance(asOf)
				buckets[monitor.Bucket(l.DaysOverdue(asOf))]++
			}
			_, _, par30 := monitor.PAR(loans, asOf, 30)
			_, _, par90 := monitor.PAR(loans, asOf, 90)
			b.ReportMetric(float64(len(loans)), "loans")
			b.ReportMetric(par30*100, "PAR30-%")
			b.ReportMetric(par90*100, "PAR90-%")
			b.ReportMetric(float64(buckets[">180"]), "over180")
		}
	})
}

// TestLedgerWrittenWhileParsed imports a ledger long enough to be written
// in several chunks while it is parsed, with a borrower in no household
// and, at the end, a repeat of its first loan: without --skip-invalid
// nothing is written though chunks were; with it, every other loan is;
// importing it again changes nothing.
func TestLedgerWrittenWhileParsed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a ledger of 4,500 loans")
	}
	hs := synth.Households(synth.Config{Seed: 1, Households: 4500})
	stranger := synth.Households(synth.Config{Seed: 99, Households: 1})[0]
	s := stranger.Members[0]
	path := filepath.Join(t.TempDir(), "台账.xlsx")
	writeLedger(t, path, hs, [][]any{
		{len(hs) + 1, stranger.Township, stranger.Village, s.Name, s.IDNumber, s.Name, s.IDNumber, "户主", 20000, 36, "2022.3.1", "2025.3.1", 3.45, "重庆农村商业银行南川支行", "种植花椒", 0, nil, 20000, nil},
		{"dup"},
	})
	batch := make([]monitor.ImportHousehold, len(hs))
	for i, h := range hs {
		batch[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
	}
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rep := &monitor.ImportReport{Kind: monitor.KindHouseholds, Households: monitor.HouseholdCounts{InFile: len(batch)}}
			if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{Actor: "测试"}); err != nil || !rep.Committed {
				t.Fatalf("households: %v %v", err, rep.Errors)
			}
			loans := func() int {
				t.Helper()
				ls, err := db.FindLoans(ctx, store.Everywhere, store.LoanFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return len(ls)
			}
			code, got := importJSON(t, e.DSN, "--kind", "loans", path)
			notFound, ok1 := findIssue(got.Errors, store.CodeBorrowerNotFound)
			dup, ok2 := findIssue(got.Errors, store.CodeDuplicateRecord)
			if code != exitValidation || got.Committed || !ok1 || notFound.Row != len(hs)+3 || !ok2 || dup.Row != len(hs)+4 || len(got.Errors) != 2 {
				t.Fatalf("without --skip-invalid: exit %d committed %v errors %v", code, got.Committed, got.Errors)
			}
			if n := loans(); n != 0 {
				t.Fatalf("%d loans written by an import that was refused", n)
			}
			code, got = importJSON(t, e.DSN, "--kind", "loans", "--skip-invalid", path)
			if code != 0 || !got.Committed || got.Loans.Created != len(hs) || got.Loans.Rejected != 2 || got.Loans.InFile != len(hs)+2 {
				t.Fatalf("with --skip-invalid: exit %d %+v errors %v", code, got.Loans, got.Errors[:min(3, len(got.Errors))])
			}
			if n := loans(); n != len(hs) {
				t.Fatalf("%d loans in the registry, want %d", n, len(hs))
			}
			code, got = importJSON(t, e.DSN, "--kind", "loans", "--skip-invalid", path)
			if code != 0 || got.Loans.Unchanged != len(hs) || got.Loans.Created+got.Loans.Updated != 0 {
				t.Fatalf("again: exit %d %+v", code, got.Loans)
			}
		})
	}
}

func findIssue(is []monitor.Issue, code string) (monitor.Issue, bool) {
	for _, i := range is {
		if i.Code == code {
			return i, true
		}
	}
	return monitor.Issue{}, false
}
