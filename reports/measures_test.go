package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

const measuresSheet = "帮扶措施台账"

func measures() []monitor.Measure {
	return []monitor.Measure{
		{HouseholdCode: "5001190001000100", Category: "健康帮扶", SubType: "医保参保资助", MemberID: id("500119195703110012"),
			Start: d(2022, 1, 1), End: d(2022, 12, 31), Amount: monitor.Yuan(320), Status: monitor.MeasureInPlace},
		{HouseholdCode: "5001190001000100", Category: "公益岗位帮扶", SubType: "保洁员", MemberID: id("500119196001020024"),
			Start: d(2022, 4, 1), Months: 9, Amount: monitor.Yuan(5400), Status: monitor.MeasureInPlace, Note: "=月补贴600元"},
		{HouseholdCode: "5001190001000101", Category: "其他教育帮扶", SubType: "雨露计划", Start: d(2021, 9, 1), End: d(2022, 6, 30),
			Amount: monitor.Yuan(3000), Status: monitor.MeasureEnded},
		{HouseholdCode: "5001190006000200", Category: "产业帮扶", SubType: "种植补助", Start: d(2023, 3, 1), Status: monitor.MeasurePlanned},
	}
}

func measureRows() []reports.MeasureRow {
	heads := map[string][3]string{}
	for _, h := range households() {
		heads[h.Code] = [3]string{h.Township, h.Village, h.HeadName}
	}
	var rows []reports.MeasureRow
	for _, ms := range measures() {
		p := heads[ms.HouseholdCode]
		rows = append(rows, reports.MeasureRow{Measure: ms, Township: p[0], Village: p[1], HeadName: p[2], Cadre: "周强"})
	}
	return rows
}

func TestMeasures(t *testing.T) {
	agg := reports.NewAggregator(asOf, 2022)
	for _, h := range households() {
		agg.AddHousehold(h)
	}
	for _, ms := range measures() {
		agg.AddMeasure(ms)
	}
	cov := agg.Stats().Coverage()

	var buf bytes.Buffer
	if err := reports.Measures(&buf, meta(), reports.Rows(measureRows()), cov); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := sheets(f); got != measuresSheet+",落实率" {
		t.Fatalf("sheets %s", got)
	}
	want(t, f, measuresSheet, "A2", "身份证号已脱敏　　数据截至：2022-12-31　　制表人：张敏")
	if got := strings.Join(header(t, f, measuresSheet, 3), ","); got !=
		"乡镇（街道）,村（社区）,户编号,户主姓名,措施类别,具体措施,受益成员身份证号,开始日期,结束日期,金额（元）,月数,落实状态,帮扶责任人,备注" {
		t.Errorf("header %s", got)
	}
	wantRow(t, f, measuresSheet, 4, "东城街道", "皂角井社区", "5001190001000100", "王德明", "健康帮扶", "医保参保资助",
		"500119********"+id("500119195703110012")[14:], "2022-01-01", "2022-12-31", "320.00", "", "已落实", "周强", "")
	wantDateCell(t, f, measuresSheet, "H4", "yyyy-mm-dd", "2022-01-01")
	wantRow(t, f, measuresSheet, 5, "*", "*", "*", "*", "公益岗位帮扶", "保洁员", "*", "2022-04-01", "", "5,400.00", "9", "已落实", "周强", "=月补贴600元")
	if fm, _ := f.GetCellFormula(measuresSheet, "N5"); fm != "" {
		t.Errorf("note became a formula %q", fm)
	}
	wantRow(t, f, measuresSheet, 7, "东城街道", "皂角井社区小计", "2户", "", "3项", "", "", "", "", "8,720.00")
	wantRow(t, f, measuresSheet, 9, "东城街道", "黄渔村小计", "1户", "", "1项", "", "", "", "", "0.00")
	wantRow(t, f, measuresSheet, 10, "合计", "", "3户", "", "4项", "", "", "", "", "8,720.00")

	// 落实率: 王德明 has measures in place on 2022-12-31; 陈桂芳's ended in
	// June; 刘成's is only planned.
	const cs = "落实率"
	want(t, f, cs, "A1", "南川区东城街道帮扶措施落实率（截至2022年12月31日）")
	if got := strings.Join(header(t, f, cs, 3), ","); got != "乡镇（街道）,村（社区）,监测对象（户）,已落实帮扶措施（户）,未落实帮扶措施（户）,帮扶措施落实率" {
		t.Errorf("coverage header %s", got)
	}
	wantRow(t, f, cs, 4, "东城街道", "皂角井社区", "2", "1", "1", "50.00%")
	wantRow(t, f, cs, 5, "东城街道", "黄渔村", "1", "0", "1", "0.00%")
	wantRow(t, f, cs, 6, "东城街道", "小计", "3", "1", "2", "33.33%")
	wantRow(t, f, cs, 7, "合计", "", "3", "1", "2", "33.33%")

	t.Run("CSV", func(t *testing.T) {
		m := meta()
		m.Format = reports.CSV
		var buf bytes.Buffer
		if err := reports.Measures(&buf, m, reports.Rows(measureRows()), cov); err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, buf.Bytes())
		if len(recs) != 5 || recs[2][9] != "5400.00" || recs[2][13] != "'=月补贴600元" {
			t.Errorf("CSV records %q", recs)
		}
	})
}
