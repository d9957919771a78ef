package reports_test

import (
	"archive/zip"
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

const summarySheet = "统计汇总表"

// stats aggregates the hand-built households, flags, measures and loans.
func stats(asOf monitor.Date, year int) *reports.Stats {
	a := reports.NewAggregator(asOf, year)
	for _, h := range households() {
		a.AddHousehold(h)
	}
	for _, f := range flags() {
		a.AddFlag(f)
	}
	for _, ms := range measures() {
		a.AddMeasure(ms)
	}
	for _, r := range loanRows() {
		a.AddLoan(r.Loan, r.Township, r.Village)
	}
	return a.Stats()
}

func TestAggregator(t *testing.T) {
	s := stats(asOf, 2022)
	if len(s.Villages) != 2 || len(s.Townships) != 1 {
		t.Fatalf("%d villages, %d townships", len(s.Villages), len(s.Townships))
	}
	zjj, hy := s.Villages[0], s.Villages[1]
	if zjj.Village != "皂角井社区" || hy.Village != "黄渔村" || s.Townships[0].Township != "东城街道" {
		t.Fatalf("order: %s, %s", zjj.Village, hy.Village)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"zjj households", zjj.Households, 2}, {"zjj people", zjj.People, 4},
		{"zjj monitored", zjj.Monitored, 2}, {"zjj unstable", zjj.Categories[monitor.CatUnstable], 1},
		{"zjj edge", zjj.Categories[monitor.CatEdge], 1}, {"zjj 因病", zjj.Risks["因病"], 1},
		{"zjj eliminated", zjj.Eliminated, 1}, {"zjj new", zjj.NewMonitored, 1},
		// Open on 2022-12-31: two flags; the third closed in October.
		{"zjj open flags", zjj.OpenFlagsTotal, 2}, {"zjj 收入 flags", zjj.OpenFlags["收入"], 1},
		// 王德明 has measures in place; 陈桂芳's ended in June.
		{"zjj with measure", zjj.WithMeasure, 1}, {"zjj coverage", zjj.Coverage(), 0.5},
		{"zjj loans issued", zjj.LoanHouseholds, 1}, {"zjj amount", zjj.LoanAmount, monitor.Yuan(50000)},
		{"zjj balance", zjj.LoanBalance, monitor.Yuan(80000)}, {"zjj overdue", zjj.OverdueLoans, 0},
		{"hy emergency", hy.Categories[monitor.CatEmergency], 1}, {"hy with measure", hy.WithMeasure, 0},
		{"hy loans issued", hy.LoanHouseholds, 1}, {"hy balance", hy.LoanBalance, monitor.Yuan(20000)},
		{"total households", s.Total.Households, 3}, {"total people", s.Total.People, 6},
		{"total monitored", s.Total.Monitored, 3}, {"total monitored people", s.Total.MonitoredPeople, 6},
		{"total eliminated", s.Total.Eliminated, 1}, {"total not eliminated", s.Total.NotEliminated(), 2},
		{"total loan households", s.Total.LoanHouseholds, 2}, {"total loan amount", s.Total.LoanAmount, monitor.Yuan(70000)},
		{"township = total", s.Townships[0].Monitored, 3},
		{"flag risk types", strings.Join(s.FlagRiskTypes, ","), "因病,因自然灾害,收入"},
		{"new households", s.Yearly.NewMonitoredHouseholds, 2}, {"new people", s.Yearly.NewMonitoredPeople, 5},
		{"eliminated in year", s.Yearly.Eliminated, 1},
		{"micro households", s.Yearly.MicroLoanHouseholds, 2}, {"micro amount", s.Yearly.MicroLoanAmount, monitor.Yuan(70000)},
		{"public jobs", s.Yearly.PublicJobs, 1}, {"健康帮扶", s.Yearly.MeasuresByCategory["健康帮扶"], 1},
		{"其他教育帮扶", s.Yearly.MeasuresByCategory["其他教育帮扶"], 1}, {"产业帮扶 (planned)", s.Yearly.MeasuresByCategory["产业帮扶"], 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	t.Run("Arrears", func(t *testing.T) {
		s := stats(loansAsOf, 2024)
		tot := s.Total
		if tot.LoanBalance != monitor.Yuan(90000) || tot.OverdueLoans != 2 || tot.OverdueBalance != monitor.Yuan(40000) ||
			tot.PAR30Balance != monitor.Yuan(40000) || math.Abs(tot.PAR30()-4.0/9) > 1e-12 {
			t.Errorf("balance %v, overdue %d/%v, PAR30 %v (%v)", tot.LoanBalance, tot.OverdueLoans, tot.OverdueBalance, tot.PAR30Balance, tot.PAR30())
		}
		if s.Total.LoanHouseholds != 0 {
			t.Errorf("no loan was issued in 2024, got %d households", s.Total.LoanHouseholds)
		}
	})
}

func TestSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.Summary(&buf, meta(), stats(asOf, 2022)); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := sheets(f); got != summarySheet+",图表" {
		t.Fatalf("sheets %s", got)
	}
	want(t, f, summarySheet, "A1", "南川区东城街道2022年防止返贫动态监测统计汇总表（截至2022年12月31日）")
	want(t, f, summarySheet, "A2", "本表不含身份证号　　数据截至：2022-12-31　　制表人：张敏")
	if got := strings.Join(header(t, f, summarySheet, 3), ","); !strings.HasPrefix(got, "乡镇（街道）,村（社区）,农户总数（户）,总人口（人）,监测对象") {
		t.Errorf("header row 3: %s", got)
	}
	// The two-row header: groups merged over their columns.
	merged, _ := f.GetMergeCells(summarySheet)
	var refs []string
	for _, m := range merged {
		refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis()+"="+m.GetCellValue())
	}
	for _, m := range []string{"E3:J3=监测对象", "K3:S3=风险类型（户）", "A3:A4=乡镇（街道）", "V3:Y3=未关闭预警（条）", "AB3:AG3=小额信贷"} {
		if !strings.Contains(strings.Join(refs, " "), m) {
			t.Errorf("no merged header %s in %v", m, refs)
		}
	}
	c := func(name string) string { return col(t, f, summarySheet, 4, name) }
	cells := map[string][4]string{ // column → 皂角井社区, 黄渔村, 东城街道小计, 合计
		"合计（户）":              {"2", "1", "3", "3"},
		"合计（人）":              {"4", "2", "6", "6"},
		monitor.CatUnstable:  {"1", "0", "1", "1"},
		monitor.CatEdge:      {"1", "0", "1", "1"},
		monitor.CatEmergency: {"0", "1", "1", "1"},
		"当年新识别（户）":           {"1", "1", "2", "2"},
		"因病":                 {"1", "0", "1", "1"},
		"因自然灾害":              {"0", "1", "1", "1"},
		"风险已消除":              {"1", "0", "1", "1"},
		"风险未消除":              {"1", "1", "2", "2"},
		"收入":                 {"1", "0", "1", "1"},
		"合计":                 {"2", "1", "3", "3"},
		"已落实（户）":             {"1", "0", "1", "1"},
		"帮扶措施落实率":            {"50.00%", "0.00%", "33.33%", "33.33%"},
		"当年发放（户）":            {"1", "1", "2", "2"},
		"当年发放金额（万元）":         {"5.00", "2.00", "7.00", "7.00"},
		"贷款余额（万元）":           {"8.00", "2.00", "10.00", "10.00"},
		"逾期（笔）":              {"0", "0", "0", "0"},
		"PAR30":              {"0.00%", "0.00%", "0.00%", "0.00%"},
	}
	wantRow(t, f, summarySheet, 5, "东城街道", "皂角井社区", "2", "4")
	wantRow(t, f, summarySheet, 6, "东城街道", "黄渔村", "1", "2")
	wantRow(t, f, summarySheet, 7, "东城街道", "小计", "3", "6")
	wantRow(t, f, summarySheet, 8, "合计", "", "3", "6")
	for name, vs := range cells {
		for i, v := range vs {
			want(t, f, summarySheet, c(name)+string(rune('5'+i)), v)
		}
	}

	// The chart sheet: the data it plots and a chart part.
	wantRow(t, f, "图表", 1, "村（社区）", "监测对象（户）", monitor.CatUnstable, monitor.CatEdge, monitor.CatEmergency)
	wantRow(t, f, "图表", 2, "皂角井社区", "2", "1", "1", "0")
	wantRow(t, f, "图表", 3, "黄渔村", "1", "0", "0", "1")
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 1 {
		t.Errorf("%d chart parts, want 1", charts)
	}
}
