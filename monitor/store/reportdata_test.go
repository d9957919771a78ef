package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/reports"
	"github.com/shouwang/shouwang/synth"
)

// seedSynth imports n generated households in two townships of three
// villages: more than one batch of a report feed.
func seedSynth(t *testing.T, db *store.DB, n int) []*monitor.Household {
	t.Helper()
	hs := synth.Households(synth.Config{Seed: 11, Households: n, Townships: []string{"东城街道", "南城街道"}, VillagesPer: 3})
	batch := make([]monitor.ImportHousehold, len(hs))
	for i, h := range hs {
		batch[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
	}
	rep := &monitor.ImportReport{Kind: monitor.KindHouseholds, Households: monitor.HouseholdCounts{InFile: n}}
	if err := db.ImportHouseholds(context.Background(), rep, batch, store.ImportOptions{Actor: "测试"}); err != nil || !rep.Committed {
		t.Fatalf("seed: %v %v", err, rep.Errors)
	}
	return hs
}

// collect drains a feed.
func collect[T any](t testing.TB, rows func(yield func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for r, err := range rows {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

type placeCode struct{ township, village, code string }

func inReportOrder(keys []placeCode) bool {
	return slices.IsSortedFunc(keys, func(a, b placeCode) int {
		return cmp.Or(cmp.Compare(a.township, b.township), cmp.Compare(a.village, b.village), cmp.Compare(a.code, b.code))
	})
}

func TestRosterRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := seedSynth(t, db, 4500)
		asOf := day(2022, 12, 31)
		byCode := map[string]*monitor.Household{}
		monitored := 0
		for _, h := range hs {
			byCode[h.Code] = h
			if h.Monitored() {
				monitored++
			}
		}

		t.Run("All", func(t *testing.T) {
			rows := collect(t, db.RosterRows(ctx, store.Everywhere, store.ReportFilter{AsOf: asOf, All: true}))
			if len(rows) != len(hs) {
				t.Fatalf("%d households, want %d", len(rows), len(hs))
			}
			keys := make([]placeCode, len(rows))
			for i, r := range rows {
				keys[i] = placeCode{r.H.Township, r.H.Village, r.H.Code}
				want := byCode[r.H.Code]
				if len(r.H.Members) != len(want.Members) || r.H.HeadName != want.HeadName || r.H.Members[0].IDNumber != want.Members[0].IDNumber {
					t.Fatalf("%s: %d members head %s, want %d and %s", r.H.Code, len(r.H.Members), r.H.HeadName, len(want.Members), want.HeadName)
				}
				if r.H.Members[0].BirthDate.IsZero() || len(r.H.Incomes) != len(want.Incomes) {
					t.Fatalf("%s: birth date or incomes not loaded: %+v", r.H.Code, r.H)
				}
			}
			if !inReportOrder(keys) {
				t.Fatal("rows are not ordered by township, village and 户编号")
			}
		})
		t.Run("Monitored", func(t *testing.T) {
			rows := collect(t, db.RosterRows(ctx, store.Everywhere, store.ReportFilter{AsOf: asOf}))
			if len(rows) != monitored || monitored == 0 {
				t.Fatalf("%d monitored households, want %d", len(rows), monitored)
			}
			for _, r := range rows {
				if !r.H.Monitored() || slices.Compare(r.H.Risks, byCode[r.H.Code].Risks) != 0 || r.H.IdentifiedIn != byCode[r.H.Code].IdentifiedIn {
					t.Fatalf("%s: %+v", r.H.Code, r.H)
				}
			}
		})
		t.Run("Scope", func(t *testing.T) {
			village := store.Scope{Township: hs[0].Township, Village: hs[0].Village}
			rows := collect(t, db.RosterRows(ctx, village, store.ReportFilter{All: true}))
			_, want, _ := db.FindHouseholds(ctx, village, store.HouseholdFilter{})
			if len(rows) != want || want == 0 {
				t.Fatalf("village scope: %d households, want %d", len(rows), want)
			}
			for _, r := range rows {
				if r.H.Village != hs[0].Village {
					t.Fatalf("village scope lists %s of %s", r.H.Code, r.H.Village)
				}
			}
			other := hs[len(hs)-1]
			if rows := collect(t, db.RosterRows(ctx, village, store.ReportFilter{Township: other.Township, Village: other.Village, All: true})); len(rows) != 0 {
				t.Fatalf("a filter outside the scope gives %d households", len(rows))
			}
			if rows := collect(t, db.RosterRows(ctx, store.Scope{}, store.ReportFilter{All: true})); len(rows) != 0 {
				t.Fatalf("the zero scope gives %d households", len(rows))
			}
		})
		t.Run("CurrentCadre", func(t *testing.T) {
			var h *monitor.Household
			for _, x := range hs {
				if x.Monitored() {
					h = x
					break
				}
			}
			for _, c := range []monitor.Cadre{{Name: "张明", Phone: "13912345678", From: day(2021, 3, 1)}, {Name: "李华", Phone: "13800001111", From: day(2022, 7, 1)}} {
				if err := db.SetCadre(ctx, store.Everywhere, h.Code, &c, "测试"); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct {
				asOf monitor.Date
				want string
			}{{day(2021, 1, 1), ""}, {day(2022, 6, 30), "张明"}, {day(2022, 7, 1), "李华"}, {day(2023, 1, 1), "李华"}} {
				rows := collect(t, db.RosterRows(ctx, store.Scope{Township: h.Township, Village: h.Village}, store.ReportFilter{AsOf: c.asOf}))
				got := ""
				for _, r := range rows {
					if r.H.Code == h.Code && r.Cadre != nil {
						got = r.Cadre.Name + " " + r.Cadre.Phone
					}
				}
				if !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
					t.Errorf("cadre on %s = %q, want %s", c.asOf, got, c.want)
				}
			}
		})
		t.Run("StopEarly", func(t *testing.T) {
			n := 0
			for _, err := range db.RosterRows(ctx, store.Everywhere, store.ReportFilter{All: true}) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == 10 {
					break
				}
			}
			// Every batch query ended with the loop: the database still answers.
			if _, _, err := db.CountRegistry(ctx); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrCancelled", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			var got error
			for _, err := range db.RosterRows(cctx, store.Everywhere, store.ReportFilter{All: true}) {
				got = err
				if err != nil {
					break
				}
			}
			if got == nil {
				t.Fatal("a cancelled feed yields no error")
			}
		})
	})
}

// flagEvery evaluates with rules that fire for every second household
// (r_even, risk 因病) and every third (r_third, risk 缺劳动力).
func flagEvery(t *testing.T, db *store.DB, asOf monitor.Date, third bool) {
	t.Helper()
	ctx := context.Background()
	cv, err := db.CurrentConfig(ctx)
	if monitor.ErrorCode(err) == monitor.ENOTFOUND {
		cv, err = db.SaveConfig(ctx, "", "{}", "测试", "")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Evaluate(ctx, asOf, cv.ID, store.EvalScope{}, store.Constant(func(d *store.HouseholdData) []monitor.Hit {
		var hits []monitor.Hit
		if d.Household.ID%2 == 0 {
			hits = append(hits, monitor.Hit{RuleCode: "r_even", RuleName: "偶数", RiskType: "因病", Severity: "高", Kind: "risk", Explanation: "测试"})
		}
		if third && d.Household.ID%3 == 0 {
			hits = append(hits, monitor.Hit{RuleCode: "r_third", RuleName: "三", RiskType: "缺劳动力", Severity: "中", Kind: "risk", Explanation: "测试"})
		}
		return hits
	}))
	if err != nil {
		t.Fatal(err)
	}
}

func TestFlagRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := seedSynth(t, db, 4500)
		flagEvery(t, db, day(2022, 10, 31), true)
		flagEvery(t, db, day(2022, 12, 31), false) // closes r_third

		// A case on a flagged household: the list shows its status.
		first, _, _ := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Limit: 1})
		h, err := db.FindHouseholdByCode(ctx, store.Everywhere, first[0].HouseholdCode)
		if err != nil {
			t.Fatal(err)
		}
		c := &monitor.Case{HouseholdCode: h.Code, Kind: monitor.CaseInclusion, Channel: "风险预警", OpenedOn: day(2023, 1, 5), Category: monitor.CatEdge, OpenedBy: "测试"}
		if h.Monitored() && !h.RiskEliminated {
			c.Kind, c.Category, c.Method = monitor.CaseElimination, "", "帮扶消除"
		}
		if err := db.OpenCase(ctx, store.Everywhere, c, 15); err != nil {
			t.Fatal(err)
		}

		open := collect(t, db.FlagRows(ctx, store.Everywhere, store.ReportFilter{}))
		all := collect(t, db.FlagRows(ctx, store.Everywhere, store.ReportFilter{All: true}))
		want, _, _ := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{})
		wantAll, _, _ := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Status: "all"})
		if len(open) != len(want) || len(all) != len(wantAll) || len(open) < 2000 || len(all) <= len(open) {
			t.Fatalf("open %d (FindFlags %d), all %d (FindFlags %d)", len(open), len(want), len(all), len(wantAll))
		}
		for i := range want {
			if g, w := open[i], want[i]; g.ID != w.ID || g.HouseholdCode != w.HouseholdCode || g.HeadName != w.HeadName ||
				g.Village != w.Village || g.FirstSeen != w.FirstSeen || g.LastSeen != w.LastSeen || g.CaseStatus != w.CaseStatus {
				t.Fatalf("flag %d = %+v, want FindFlags' %+v", i, g, w)
			}
		}
		for i := range wantAll {
			if all[i].ID != wantAll[i].ID || all[i].ClosedOn != wantAll[i].ClosedOn {
				t.Fatalf("all flags %d = %+v, want %+v", i, all[i], wantAll[i])
			}
		}
		if open[0].HouseholdCode != h.Code || open[0].CaseStatus != monitor.CaseOpen {
			t.Errorf("first flag %+v: want household %s with its open case", open[0], h.Code)
		}
		village := store.Scope{Township: hs[0].Township, Village: hs[0].Village}
		for _, f := range collect(t, db.FlagRows(ctx, village, store.ReportFilter{})) {
			if f.Village != hs[0].Village {
				t.Fatalf("village scope lists a flag of %s", f.Village)
			}
		}
		t.Run("StopEarly", func(t *testing.T) {
			n := 0
			for _, err := range db.FlagRows(ctx, store.Everywhere, store.ReportFilter{All: true}) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == 10 {
					break
				}
			}
			if _, _, err := db.FindFlags(ctx, store.Everywhere, store.FlagFilter{Limit: 1}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrCancelled", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			var got error
			for _, err := range db.FlagRows(cctx, store.Everywhere, store.ReportFilter{}) {
				if got = err; err != nil {
					break
				}
			}
			if got == nil {
				t.Fatal("a cancelled feed yields no error")
			}
		})
	})
}

// seedWork adds to the sample households measures, cadres and loans.
func seedWork(t *testing.T, db *store.DB, hs []*monitor.Household) {
	t.Helper()
	var ms []store.MeasureImport
	var ls []store.LoanImport
	for i, h := range hs[:40] {
		ms = append(ms, store.MeasureImport{Row: i + 2, Measure: monitor.Measure{HouseholdCode: h.Code, Category: monitor.MeasureCategories[i%4],
			Start: day(2021+i%3, 3, 1), Amount: monitor.Yuan(int64(1000 * (i + 1))), Status: monitor.MeasureInPlace}})
		if i%5 == 0 {
			ms = append(ms, store.MeasureImport{Row: 100 + i, Measure: monitor.Measure{HouseholdCode: h.Code, Category: "公益岗位帮扶",
				Start: day(2022, 1, 1), End: day(2022, 12, 31), Months: 12, Status: monitor.MeasureEnded}})
		}
		l := ledgerLoan(i+2, h.Members[0].IDNumber, h.Members[0].Name, day(2021+i%3, 5, 10), 0)
		if i%4 == 3 {
			l.Loan.Product = monitor.ProductStartup
		}
		ls = append(ls, l)
	}
	rep := &monitor.ImportReport{Kind: monitor.KindMeasures}
	if err := db.ImportMeasures(context.Background(), rep, ms, store.ImportOptions{Actor: "测试"}); err != nil || !rep.Committed {
		t.Fatalf("measures: %v %v", err, rep.Errors)
	}
	if rep := importLoans(t, db, store.ImportOptions{}, ls...); !rep.Committed {
		t.Fatalf("loans: %v", rep.Errors)
	}
	if err := db.SetCadre(context.Background(), store.Everywhere, hs[0].Code, &monitor.Cadre{Name: "张明", From: day(2020, 1, 1)}, "测试"); err != nil {
		t.Fatal(err)
	}
}

func TestMeasureAndLoanRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := seedSynth(t, db, 60)
		seedWork(t, db, hs)
		asOf := day(2022, 12, 31)

		t.Run("Measures", func(t *testing.T) {
			rows := collect(t, db.MeasureRows(ctx, store.Everywhere, store.ReportFilter{AsOf: asOf}))
			all, _ := db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{})
			// As of a date, the measures started by then (issue 10).
			var want []monitor.Measure
			for _, m := range all {
				if !asOf.Before(m.Start) {
					want = append(want, m)
				}
			}
			if len(want) == len(all) {
				t.Fatal("the seed has no measure started after the date: the test would not tell")
			}
			if len(rows) != len(want) {
				t.Fatalf("%d measures, want %d", len(rows), len(want))
			}
			for i, r := range rows {
				if r.ID != want[i].ID || r.HeadName == "" || r.Village == "" {
					t.Fatalf("measure %d = %+v, want %+v", i, r, want[i])
				}
				if (r.HouseholdCode == hs[0].Code) != (r.Cadre == "张明") {
					t.Errorf("%s: cadre %q", r.HouseholdCode, r.Cadre)
				}
			}
		})
		t.Run("Loans", func(t *testing.T) {
			table := monitor.SubsidyTable{{Year: 2022, Share: 1}}
			rows := collect(t, db.LoanRows(ctx, store.Everywhere, store.ReportFilter{AsOf: asOf, Year: 2022, Subsidy: table}))
			all := findLoans(t, db, store.LoanFilter{})
			issued := 0
			for _, l := range all {
				if !asOf.Before(l.IssueDate) {
					issued++
				}
			}
			if len(rows) != issued || issued == len(all) {
				t.Fatalf("%d loans, want the %d issued by %s (of %d)", len(rows), issued, asOf, len(all))
			}
			keys := make([]placeCode, len(rows))
			for i, r := range rows {
				keys[i] = placeCode{r.Township, r.Village, r.Loan.HouseholdCode}
				if r.HeadIDNumber == "" || r.HeadName == "" || r.Group == "" || len(r.Loan.Repayments) != 0 && r.Loan.Repayments[0].LoanID != r.Loan.ID {
					t.Fatalf("loan %+v", r)
				}
				if r.Subsidy <= 0 && r.Loan.IssueDate.Year <= 2022 {
					t.Errorf("loan of %s issued %s: no 2022 subsidy", r.Loan.BorrowerName, r.Loan.IssueDate)
				}
			}
			if !inReportOrder(keys) {
				t.Fatal("loans are not ordered by place and household")
			}
			for _, r := range collect(t, db.LoanRows(ctx, store.Everywhere, store.ReportFilter{AsOf: asOf, Year: 2022})) {
				if r.Subsidy != 0 {
					t.Fatal("a subsidy without a table")
				}
			}
		})
	})
}

func TestReportStatsAndYearFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := seedSynth(t, db, 60)
		seedWork(t, db, hs)
		f := store.ReportFilter{AsOf: day(2022, 12, 31), Year: 2022}
		s, err := db.ReportStats(ctx, store.Everywhere, f)
		if err != nil {
			t.Fatal(err)
		}
		y, err := db.YearFigures(ctx, store.Everywhere, f)
		if err != nil {
			t.Fatal(err)
		}
		// The same figures counted two ways: in Go from the feeds, in SQL.
		if fmt.Sprint(s.Yearly) != fmt.Sprint(y) {
			t.Errorf("year figures differ:\naggregated %+v\ncounted    %+v", s.Yearly, y)
		}
		var wantHH, wantMicro, wantStartup, wantJobs int
		var wantAmount monitor.Money
		for i, h := range hs {
			if h.Monitored() && h.IdentifiedIn.Year == 2022 {
				wantHH++
			}
			if i < 40 && i%5 == 0 {
				wantJobs++
			}
			if i < 40 && 2021+i%3 == 2022 && i%4 == 3 {
				wantJobs++ // 公益岗位帮扶 is the fourth category
			}
			if i < 40 && 2021+i%3 == 2022 {
				if i%4 == 3 {
					wantStartup++
				} else {
					wantMicro++
					wantAmount += monitor.Yuan(50000)
				}
			}
		}
		if y.NewMonitoredHouseholds != wantHH || y.MicroLoanHouseholds != wantMicro || y.MicroLoanAmount != wantAmount ||
			y.StartupLoanHouseholds != wantStartup || y.PublicJobs != wantJobs || y.MeasuresByCategory["公益岗位帮扶"] == 0 {
			t.Errorf("year figures %+v; want %d new, %d micro (%s), %d start-up, %d jobs", y, wantHH, wantMicro, wantAmount, wantStartup, wantJobs)
		}
		if s.Total.Households != len(hs) || s.Total.LoanHouseholds != wantMicro {
			t.Errorf("totals %+v", s.Total)
		}
		village := store.Scope{Township: hs[0].Township, Village: hs[0].Village}
		vs, _ := db.ReportStats(ctx, village, f)
		if len(vs.Villages) != 1 || vs.Villages[0].Village != hs[0].Village {
			t.Errorf("village scope stats cover %+v", vs.Villages)
		}
	})
}

func TestNoticeEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := seedSynth(t, db, 60)
		var plain, monitored []*monitor.Household
		for _, h := range hs {
			if h.Monitored() && len(monitored) == 0 {
				monitored = append(monitored, h)
			}
		}
		if len(monitored) == 0 {
			t.Fatal("no monitored household in the sample")
		}
		home := monitored[0]
		for _, h := range hs {
			if h.Village != home.Village || h == home {
				continue
			}
			if h.Monitored() {
				monitored = append(monitored, h)
			} else {
				plain = append(plain, h)
			}
		}
		if len(plain) < 2 || len(monitored) < 1 {
			t.Fatalf("sample village has %d ordinary and %d monitored households", len(plain), len(monitored))
		}
		open := func(h *monitor.Household, kind string, steps int) {
			c := &monitor.Case{HouseholdCode: h.Code, Kind: kind, Channel: "农户自主申报", OpenedOn: day(2023, 1, 2), OpenedBy: "测试"}
			if kind == monitor.CaseInclusion {
				c.Category, c.Risks = monitor.CatEdge, []string{"因病"}
			} else {
				c.Method = "帮扶消除"
			}
			if err := db.OpenCase(ctx, store.Everywhere, c, 15); err != nil {
				t.Fatal(err)
			}
			for i := range steps {
				if _, err := db.RecordStep(ctx, store.Everywhere, c.ID, monitor.CaseStep{Step: monitor.CaseSteps[i], DoneOn: day(2023, 1, 3+i), Person: "测试"},
					func(*monitor.Case) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}
		}
		open(plain[0], monitor.CaseInclusion, 2)       // at 民主评议: listed
		open(plain[1], monitor.CaseInclusion, 1)       // before it: not yet
		open(monitored[0], monitor.CaseElimination, 0) // eliminations at any step
		scope := store.Scope{Township: home.Township, Village: home.Village}
		es, err := db.NoticeEntries(ctx, scope, store.ReportFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]reports.NoticeEntry{}
		for _, e := range es {
			got[e.HeadName] = e
		}
		if len(es) != 2 || got[plain[0].HeadName].Kind != reports.NoticeInclusion || got[plain[0].HeadName].Category != monitor.CatEdge ||
			got[monitored[0].HeadName].Kind != reports.NoticeElimination || got[monitored[0].HeadName].Method != "帮扶消除" {
			t.Fatalf("notice entries %+v", es)
		}
		if e := got[plain[0].HeadName]; e.Group != plain[0].Group || slices.Compare(e.Risks, []string{"因病"}) != 0 {
			t.Errorf("inclusion entry %+v", e)
		}
		if _, err := db.NoticeEntries(ctx, store.Everywhere, store.ReportFilter{}); monitor.ErrorCode(err) != monitor.EINVALID {
			t.Errorf("no village: %v", err)
		}
		if es, _ := db.NoticeEntries(ctx, scope, store.ReportFilter{Township: "南城街道"}); len(es) != 0 {
			t.Errorf("another village through a village scope: %+v", es)
		}
	})
}

func TestReportPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hs := seedSynth(t, db, 60)
		h := hs[0]
		for _, c := range []struct {
			name  string
			scope store.Scope
			f     store.ReportFilter
			want  string
			code  string
		}{
			{"Everything", store.Everywhere, store.ReportFilter{}, "全部乡镇（街道）", ""},
			{"VillageFillsTownship", store.Everywhere, store.ReportFilter{Village: h.Village}, h.Township + h.Village, ""},
			{"Township", store.Everywhere, store.ReportFilter{Township: h.Township}, h.Township, ""},
			{"VillageUser", store.Scope{Township: h.Township, Village: h.Village}, store.ReportFilter{}, h.Township + h.Village, ""},
			{"ErrOutsideScope", store.Scope{Township: h.Township, Village: h.Village}, store.ReportFilter{Township: "南城街道"}, "", monitor.ENOTFOUND},
			{"ErrUnknownVillage", store.Everywhere, store.ReportFilter{Village: "无此村"}, "", monitor.ENOTFOUND},
		} {
			t.Run(c.name, func(t *testing.T) {
				f := c.f
				got, err := db.ReportPlace(ctx, c.scope, &f)
				if monitor.ErrorCode(err) != c.code || got != c.want {
					t.Fatalf("place %q (%v), want %q (%s)", got, err, c.want, c.code)
				}
				if c.f.Village != "" && c.code == "" && f.Township != h.Township {
					t.Fatalf("township not filled: %+v", f)
				}
			})
		}
		if _, err := db.AddPlacePath(ctx, "南川区/东城街道/皂角井社区/1组"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ReportPlace(ctx, store.Everywhere, &store.ReportFilter{}); got != "南川区" {
			t.Errorf("with a county place: %q", got)
		}
	})
}

// ───────────── benchmark ─────────────

// benchMembers is how many members the report benchmark's registry holds:
// 1,000,000 unless SHOUWANG_BENCH_MEMBERS says otherwise.
func benchMembers() int {
	n := 1_000_000
	if s := os.Getenv("SHOUWANG_BENCH_MEMBERS"); s != "" {
		fmt.Sscan(s, &n)
	}
	return n
}

var errEnough = errors.New("enough members")

// seedMembers writes generated households into db through the store's
// import path, 50,000 at a time, until they hold n members, and evaluates
// them with the default rules as of 2022-12-31 for the flags.
func seedMembers(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	var batch []monitor.ImportHousehold
	flush := func() {
		rep := &monitor.ImportReport{Kind: monitor.KindHouseholds}
		if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{Actor: "bench", SkipInvalid: true}); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	members := 0
	err := synth.Each(synth.Config{Seed: 7, Households: n}, func(h *monitor.Household) error {
		if members >= n {
			return errEnough
		}
		h.Members = h.Members[:min(len(h.Members), n-members)]
		h.Size = len(h.Members)
		members += len(h.Members)
		batch = append(batch, monitor.ImportHousehold{Household: h, MemberRows: make([]int, len(h.Members))})
		if len(batch) == 50000 {
			flush()
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		b.Fatal(err)
	}
	if len(batch) > 0 {
		flush()
	}
	if _, err := watch.Evaluate(ctx, db, day(2022, 12, 31), store.EvalScope{}); err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
}

// peakMemory runs fn and returns the process's peak resident memory while
// it ran (Linux VmHWM, reset before; 0 elsewhere) and the peak live heap,
// sampled every 20 ms. The heap is read through runtime/metrics: the same
// figure as MemStats.HeapAlloc, without ReadMemStats stopping the world 50
// times a second, which slowed the writing it measured by a quarter.
func peakMemory(fn func()) (rss, heap uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	resetHWM := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			heap = max(heap, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	if resetHWM {
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(v, "kB")), &rss)
					rss <<= 10
				}
			}
		}
	}
	return rss, heap
}

// cpuTime is the process's user and system CPU time so far (the database
// server's, for PostgreSQL, is not in it).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingWriter counts a workbook's bytes and throws them away.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// floorWrite writes rows of cells with a bare excelize StreamWriter: no
// styles, title, widths, subtotals or formatting work.
func floorWrite(w io.Writer, header []any, each func(row func([]any) error) error) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	r := 1
	if err := each(func(cells []any) error {
		r++
		cell, _ := excelize.CoordinatesToCellName(1, r)
		return sw.SetRow(cell, cells)
	}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// rosterCells are the cells of the roster's member rows, as the report
// writes them (IDs masked, dates as serial numbers).
func rosterCells(rs []reports.RosterHousehold, asOf monitor.Date, row func([]any) error) error {
	cells := make([]any, 28)
	for _, rh := range rs {
		h := rh.H
		for i := range h.Members {
			m := &h.Members[i]
			clear(cells)
			cells[0], cells[1], cells[2], cells[3], cells[4] = h.Township, h.Village, h.Group, h.Code, h.HeadName
			cells[5], cells[6], cells[7] = h.Size, h.Type, h.Category
			for j, r := range h.Risks[:min(5, len(h.Risks))] {
				cells[8+j] = r
			}
			if !h.IdentifiedIn.IsZero() {
				cells[13] = int64(h.IdentifiedIn.FirstDay().Time().Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
			}
			if len(h.Incomes) > 0 {
				cells[14] = h.Incomes[len(h.Incomes)-1].PerCapita.Float()
			}
			if h.Monitored() {
				cells[15] = "否"
			}
			cells[16] = h.EliminationMethod
			if rh.Cadre != nil {
				cells[18], cells[19] = rh.Cadre.Name, rh.Cadre.Phone
			}
			cells[20], cells[21], cells[22], cells[23] = m.Name, monitor.MaskID(m.IDNumber), m.Relation, m.Sex
			cells[24] = monitor.AgeOn(m.BirthDate, asOf)
			cells[25], cells[26], cells[27] = m.Health, m.LaborSkill, m.SchoolStatus
			if err := row(cells); err != nil {
				return err
			}
		}
	}
	return nil
}

func flagCells(fs []monitor.Flag, row func([]any) error) error {
	cells := make([]any, 15)
	serial := func(d monitor.Date) any {
		if d.IsZero() {
			return nil
		}
		return int64(d.Time().Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	}
	for _, f := range fs {
		cells[0], cells[1], cells[2], cells[3], cells[4] = f.Township, f.Village, f.HouseholdCode, f.HeadName, f.RuleCode
		cells[5], cells[6], cells[7], cells[8], cells[9] = f.RuleName, "致贫返贫风险", f.RiskType, f.Severity, f.Explanation
		cells[10], cells[11], cells[12], cells[13], cells[14] = serial(f.FirstSeen), serial(f.LastSeen), "预警中", serial(f.ClosedOn), f.CaseStatus
		if err := row(cells); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkReportsFromStore writes the roster (every household: one row
// per member) and the open flags of a generated registry of 1,000,000
// members (SHOUWANG_BENCH_MEMBERS to change it) from the store, side by
// side with a bare excelize StreamWriter writing the same cells from
// memory (the floor). It reports the wall and CPU time ratios to the
// floor (x-floor, x-floor-cpu: the CPU figure is steadier on a shared
// machine), the peak resident memory (VmHWM) and the peak live heap while
// each was written; the floor's peaks include the rows it holds in memory. The SQLite file is kept in the temp folder between runs;
// PostgreSQL is seeded afresh when SHOUWANG_BENCH_POSTGRES is set. The
// stream writers spill to the temp folder too: put TMPDIR on a tmpfs.
//
//	TMPDIR=/dev/shm go test ./monitor/store -run '^$' -bench ReportsFromStore -benchtime 1x -timeout 60m
func BenchmarkReportsFromStore(b *testing.B) {
	n := benchMembers()
	ctx := context.Background()
	engines := []storetest.Engine{{Name: store.SQLite, DSN: "sqlite:" + filepath.Join(os.TempDir(), fmt.Sprintf("shouwang-bench-reports-%d-v1.db", n))}}
	if os.Getenv("SHOUWANG_BENCH_POSTGRES") != "" {
		engines = append(engines, storetest.DSNs(b)[1:]...)
	}
	asOf := day(2022, 12, 31)
	m := reports.Meta{Place: "全部乡镇（街道）", AsOf: asOf, Year: 2022}
	for _, e := range engines {
		db, err := store.Open(ctx, e.DSN)
		if err != nil {
			b.Fatal(err)
		}
		if _, members, _ := db.CountRegistry(ctx); members < n {
			start := time.Now()
			seedMembers(b, db, n)
			b.Logf("%s: seeded %d members in %s", e.Name, n, time.Since(start))
		}
		roster := store.ReportFilter{AsOf: asOf, Year: 2022, All: true}
		flags := store.ReportFilter{AsOf: asOf, Year: 2022}
		for _, c := range []struct {
			name  string
			cols  int
			rows  func() (int, func(row func([]any) error) error)
			write func(w io.Writer) error
		}{
			{"roster", 28, func() (int, func(func([]any) error) error) {
				rs := collect(b, db.RosterRows(ctx, store.Everywhere, roster))
				members := 0
				for _, r := range rs {
					members += len(r.H.Members)
				}
				return members, func(row func([]any) error) error { return rosterCells(rs, asOf, row) }
			}, func(w io.Writer) error { return reports.Roster(w, m, db.RosterRows(ctx, store.Everywhere, roster)) }},
			{"flags", 15, func() (int, func(func([]any) error) error) {
				fs := collect(b, db.FlagRows(ctx, store.Everywhere, flags))
				return len(fs), func(row func([]any) error) error { return flagCells(fs, row) }
			}, func(w io.Writer) error { return reports.Flags(w, m, db.FlagRows(ctx, store.Everywhere, flags)) }},
		} {
			var floor, floorCPU float64
			var rows int
			b.Run(e.Name+"/"+c.name+"/floor", func(b *testing.B) {
				var each func(func([]any) error) error
				rows, each = c.rows()
				header := make([]any, c.cols)
				for i := range header {
					header[i] = "表头"
				}
				var out countingWriter
				var cpu time.Duration
				rss, heap := peakMemory(func() {
					cpu0 := cpuTime()
					b.ResetTimer()
					for range b.N {
						if err := floorWrite(&out, header, each); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					cpu = cpuTime() - cpu0
				})
				floor = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				floorCPU = float64(cpu) / float64(b.N)
				b.ReportMetric(floorCPU/1e9, "cpu-s/op")
				b.ReportMetric(float64(rows), "rows")
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(out.n)/(1<<20)/float64(b.N), "out-MB")
			})
			b.Run(e.Name+"/"+c.name+"/report", func(b *testing.B) {
				var out countingWriter
				var cpu time.Duration
				rss, heap := peakMemory(func() {
					cpu0 := cpuTime()
					b.ResetTimer()
					for range b.N {
						out.n = 0
						if err := c.write(&out); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					cpu = cpuTime() - cpu0
				})
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(float64(cpu)/float64(b.N)/1e9, "cpu-s/op")
				b.ReportMetric(float64(cpu)/float64(b.N)/floorCPU, "x-floor-cpu")
				b.ReportMetric(float64(rows), "rows")
				b.ReportMetric(ns/floor, "x-floor")
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(out.n)/(1<<20), "out-MB")
			})
		}
		db.Close()
	}
}
