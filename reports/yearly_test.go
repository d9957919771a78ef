package reports_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

func TestYearlySentence(t *testing.T) {
	for _, tc := range []struct {
		name   string
		what   string
		hh     int
		amount monitor.Money
		want   string
	}{
		{"MicroLoans", "发放扶贫小额信贷", 46, monitor.Yuan(2300000), "发放扶贫小额信贷46户230万元"},
		{"StartupLoans", "发放创业担保贷款", 69, monitor.Yuan(13700000), "发放创业担保贷款69户1370万元"},
		{"OneDecimal", "发放扶贫小额信贷", 1, monitor.Yuan(23000), "发放扶贫小额信贷1户2.3万元"},
		{"ToTheYuan", "发放扶贫小额信贷", 3, monitor.Yuan(123456), "发放扶贫小额信贷3户12.3456万元"},
		{"FenRounded", "发放扶贫小额信贷", 3, 1234567890, "发放扶贫小额信贷3户1234.5679万元"},
		{"Zero", "发放创业担保贷款", 0, 0, "发放创业担保贷款0户0万元"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reports.YearlySentence(tc.what, tc.hh, tc.amount); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestYearly(t *testing.T) {
	y := reports.YearFigures{
		Year: 2022, NewMonitoredHouseholds: 12, NewMonitoredPeople: 35, Eliminated: 8,
		MicroLoanHouseholds: 46, MicroLoanAmount: monitor.Yuan(2300000),
		StartupLoanHouseholds: 69, StartupLoanAmount: monitor.Yuan(13700000), PublicJobs: 24,
		MeasuresByCategory: map[string]int{"健康帮扶": 12, "产业帮扶": 30, "就业帮扶": 18, "农村改厕": 92},
	}
	var buf bytes.Buffer
	if err := reports.Yearly(&buf, meta(), y); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	const sh = "年度工作统计"
	if got := sheets(f); got != sh+",统计数据" {
		t.Fatalf("sheets %s", got)
	}
	want(t, f, sh, "A1", "南川区东城街道2022年防止返贫动态监测帮扶工作统计（截至2022年12月31日）")
	wantRow(t, f, sh, 3, "序号", "工作成效")
	for i, s := range []string{"新识别监测对象12户35人", "风险消除8户", "发放扶贫小额信贷46户230万元", "发放创业担保贷款69户1370万元",
		"开发公益性岗位24个", "产业帮扶30户", "就业帮扶18户", "健康帮扶12户", "农村改厕92户"} {
		wantRow(t, f, sh, 4+i, strconv.Itoa(i+1), s)
	}
	want(t, f, sh, "B13", "")

	const data = "统计数据"
	wantRow(t, f, data, 3, "项目", "数值", "金额（万元）", "单位")
	wantRow(t, f, data, 4, "新识别监测对象（户）", "12", "", "户")
	wantRow(t, f, data, 8, "发放扶贫小额信贷金额", "", "230.00", "万元")
	if got := raw(t, f, data, "C8"); got != "230" {
		t.Errorf("C8 raw %q, want 230", got)
	}
	wantRow(t, f, data, 11, "开发公益性岗位（个）", "24", "", "个")
	wantRow(t, f, data, 12, "产业帮扶（户）", "30", "", "户")

	t.Run("FromStats", func(t *testing.T) {
		var buf bytes.Buffer
		if err := reports.Yearly(&buf, meta(), stats(asOf, 2022).Yearly); err != nil {
			t.Fatal(err)
		}
		f := open(t, buf.Bytes())
		for i, s := range []string{"新识别监测对象2户5人", "风险消除1户", "发放扶贫小额信贷2户7万元", "发放创业担保贷款0户0万元",
			"开发公益性岗位1个", "公益岗位帮扶1户", "健康帮扶1户", "其他教育帮扶1户"} {
			want(t, f, sh, "B"+strconv.Itoa(4+i), s)
		}
	})
}
