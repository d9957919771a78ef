package web

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/rules"
)

// TestBrowserCaseStep drives headless Chromium, as the existing browser
// test does, through the work pages: a township user records a case's
// public notice on the case page, and an administrator sees a broken rule
// reported live in the editor. With SHOUWANG_SCREENSHOTS=1 it writes the
// work pages to docs/screenshots.
func TestBrowserCaseStep(t *testing.T) {
	ctx, shot := startBrowser(t, 120*time.Second)
	e := newEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "w.db"), Config{})
	e.now = time.Date(2024, 12, 20, 9, 30, 0, 0, time.Local)
	caseID, loanID, showcase := seedWork(t, e)

	js := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](expr)(ctx, tg)
			return err
		})
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	login := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(e.ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), name),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), samplePW),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.stats`)),
		)
	}
	base := e.ts.URL
	casePage := fmt.Sprintf("%s/cases/%d", base, caseID)
	do(
		login("dcjd"),
		chromedp.Navigate(base+"/flags"),
		chromedp.WaitVisible(chromedp.CSS(`table.flag-list`)),
		shot("flags"),
		chromedp.Navigate(base+"/cases"),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
		shot("cases"),
		chromedp.Navigate(casePage),
		chromedp.WaitVisible(chromedp.CSS(`form.step-form`)),
		shot("case"),
	)
	if next := text(`li.next strong`); next != "公示" {
		t.Fatalf("the case's next step is %q, want 公示", next)
	}
	// The form proposes a notice that ended yesterday, long enough; the
	// user adds a note and records it.
	do(
		chromedp.SendKeys(chromedp.CSS(`form.step-form textarea[name=note]`), "公示期间无异议"),
		chromedp.Click(chromedp.CSS(`form.step-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice`)),
	)
	if msg := text(`#notice`); !strings.Contains(msg, "步骤已记录") {
		t.Errorf("after recording the notice: %q", msg)
	}
	if next := text(`li.next strong`); next != "乡镇审核" {
		t.Errorf("next step after the notice: %q, want 乡镇审核", next)
	}
	c, err := e.db.FindCase(context.Background(), store.Everywhere, caseID)
	if err != nil || len(c.Steps) != 4 || c.Steps[3].Step != "公示" || c.Steps[3].Note != "公示期间无异议" || c.Steps[3].RecordedBy != "dcjd" {
		t.Fatalf("the case after the browser step: %+v %v", c, err)
	}
	do(
		chromedp.Navigate(base+"/measures"),
		chromedp.WaitVisible(chromedp.CSS(`table.coverage`)),
		shot("measures"),
		chromedp.Navigate(base+"/loans"),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
		shot("loans"),
		chromedp.Navigate(fmt.Sprintf("%s/loans/%d", base, loanID)),
		chromedp.WaitVisible(chromedp.CSS(`dl.facts`)),
		shot("loan"),
		chromedp.Navigate(base+"/households/"+showcase),
		chromedp.WaitVisible(chromedp.CSS(`#measures`)),
		chromedp.Click(chromedp.CSS(`#measures summary`)),
		chromedp.WaitVisible(chromedp.CSS(`form.measure-form`)),
		shot("household-work"),
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(casePage),
		chromedp.WaitVisible(chromedp.CSS(`ol.timeline`)),
		shot("case-phone"),
		chromedp.EmulateViewport(1366, 768),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		login("admin"),
		chromedp.Navigate(base+"/rules"),
		chromedp.WaitVisible(chromedp.CSS(`table.rules-list`)),
		shot("rules"),
		chromedp.Navigate(base+"/rules/edit"),
		chromedp.WaitVisible(chromedp.CSS(`#source`)),
		js(`(function () { var s = document.getElementById("source");
			s.value = s.value.replace("when = 'Income.Has && Income.PerCapita < Line'", "when = 'Income.Has && Incom.PerCapita < Line'");
			s.dispatchEvent(new Event("input")); })()`),
		chromedp.WaitVisible(chromedp.CSS(`#check-result .alert a.goto`)),
		chromedp.Click(chromedp.CSS(`#check-result a.goto`)),
		shot("rules-edit"),
	)
	if got := text(`#check-result`); !strings.Contains(got, "第 69 行第 23 列") || !strings.Contains(got, "Incom") {
		t.Errorf("live check: %q", got)
	}
	if pos := text(`.cursor-pos`); !strings.Contains(pos, "第 69 行第 23 列") {
		t.Errorf("clicking the problem puts the cursor at %q", pos)
	}
	do(
		chromedp.Navigate(base+"/rules/params"),
		chromedp.WaitVisible(chromedp.CSS(`#lines`)),
		chromedp.Click(chromedp.CSS(`button.add-row[data-table=lines]`)),
		shot("params"),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#lines tbody tr").length`)); err != nil || n != len(rules.DefaultConfig().Lines)+2 {
		t.Errorf("添加一行 gave %d rows (%v), want %d", n, err, len(rules.DefaultConfig().Lines)+2)
	}
	do(
		chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
		shot("audit"),
	)
}

// seedWork fills the app with the sample roster and loan ledger, measures
// for some of the monitored households, cadres and cases, evaluated as of
// today, and returns a case whose next step is 公示, an overdue loan, and a
// monitored household with a measure, a cadre and a loan.
func seedWork(t *testing.T, e *env) (caseID, loanID int64, showcase string) {
	t.Helper()
	ctx := context.Background()
	today := monitor.DateOf(e.now)
	// Timestamps (steps recorded, audit) on the same clock as the dates.
	e.db.Now = func() time.Time { return e.now.UTC() }
	e.user(t, "admin", store.RoleAdmin, "")
	e.user(t, "dcjd", store.RoleTownship, sampleTown)
	if _, err := imports.Run(ctx, e.db, imports.Request{Path: sampleRoster, Kind: monitor.KindHouseholds, Scope: store.Everywhere, Today: today,
		Options: store.ImportOptions{SkipInvalid: true, Actor: "admin"}}); err != nil {
		t.Fatal(err)
	}
	book, err := sheet.Open("../../testdata/loans.xlsx", sheet.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	lf, err := importer.ParseLoans(book, "loans.xlsx", importer.Options{AsOf: today, DefaultYear: today.Year - 1})
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]store.LoanImport, len(lf.Loans))
	for i, r := range lf.Loans {
		batch[i] = store.LoanImport{Loan: r.Loan, Row: r.Row, IDColumn: r.IDColumn, HeadIDNumber: r.HeadIDNumber, StatesRepayments: r.StatesRepayments}
	}
	if err := e.db.ImportLoans(ctx, lf.Report, batch, store.ImportOptions{SkipInvalid: true, Actor: "admin", FileName: "loans.xlsx"}); err != nil {
		t.Fatal(err)
	}
	hs, _, err := e.db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Category: "any", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cats := []string{"产业帮扶", "就业帮扶", "综合保障", "健康帮扶", "公益岗位帮扶"}
	cadres := []string{"张建华", "李晓梅", "王德平", "刘芳"}
	for i, h := range hs {
		if i%3 != 2 {
			m := &monitor.Measure{HouseholdCode: h.Code, Category: cats[i%len(cats)], Start: monitor.Date{Year: 2023, Month: 1 + i%12, Day: 1}, Status: monitor.MeasureInPlace}
			if m.Category == "公益岗位帮扶" {
				m.SubType, m.Months, m.Amount = "保洁员", 10, monitor.Yuan(6000)
			}
			if err := e.db.CreateMeasure(ctx, store.Everywhere, m, "admin"); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.db.SetCadre(ctx, store.Everywhere, h.Code, &monitor.Cadre{Name: cadres[i%len(cadres)], Unit: "东城街道办事处", Phone: "023-7140000", From: monitor.Date{Year: 2023, Month: 1, Day: 1}}, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := watch.Evaluate(ctx, e.db, today, store.EvalScope{}); err != nil {
		t.Fatal(err)
	}
	// A case from a flag, three steps done; an overdue one; one finished.
	flags, _, err := e.db.FindFlags(ctx, store.Everywhere, store.FlagFilter{RuleCode: "income_below_line"})
	if err != nil {
		t.Fatal(err)
	}
	var open []*monitor.Case
	for _, f := range flags {
		h, _ := e.db.FindHouseholdByCode(ctx, store.Everywhere, f.HouseholdCode)
		if h.Monitored() || len(open) == 3 {
			continue
		}
		id := f.ID
		c := &monitor.Case{HouseholdCode: h.Code, Kind: monitor.CaseInclusion, Channel: "风险预警", FlagID: &id, Category: monitor.CatEdge,
			Risks: []string{"因病"}, OpenedOn: today.AddDays(-10 - 10*len(open)), OpenedBy: "dcjd"}
		if err := watch.OpenCase(ctx, e.db, store.Everywhere, c, today); err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
	}
	if len(open) < 2 {
		t.Fatalf("only %d unmonitored households with an income flag", len(open))
	}
	for i, s := range []string{"入户核实", "信息比对", "民主评议"} {
		st := monitor.CaseStep{Step: s, DoneOn: open[0].OpenedOn.AddDays(i + 1), Person: "王网格", Note: s + "已完成", RecordedBy: "dcjd", RecordedRole: store.RoleTownship}
		if _, err := watch.RecordStep(ctx, e.db, store.Everywhere, open[0].ID, st, "", today); err != nil {
			t.Fatal(err)
		}
	}
	loans, err := e.db.FindLoans(ctx, store.Everywhere, store.LoanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	withLoan := map[string]bool{}
	for i := range loans {
		withLoan[loans[i].HouseholdCode] = true
		if loanID == 0 && loans[i].DaysOverdue(today) > 0 && len(loans[i].Repayments) > 0 {
			loanID = loans[i].ID
		}
	}
	if loanID == 0 && len(loans) > 0 {
		loanID = loans[0].ID
	}
	for i, h := range hs {
		if i%3 != 2 && (showcase == "" || withLoan[h.Code]) {
			showcase = h.Code
			if withLoan[h.Code] {
				break
			}
		}
	}
	return open[0].ID, loanID, showcase
}
