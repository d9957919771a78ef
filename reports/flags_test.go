package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

const flagsSheet = "风险预警清单"

func flags() []monitor.Flag {
	return []monitor.Flag{
		{HouseholdCode: "5001190001000100", HeadName: "王德明", Township: "东城街道", Village: "皂角井社区",
			RuleCode: "medical_oop_high", RuleName: "合规自付医疗费用过高", RiskType: "因病", Severity: "高", Kind: "risk",
			Explanation: "合规自付支出 23,400 元，超过家庭纯收入的50%", Status: monitor.FlagOpen,
			FirstSeen: d(2022, 10, 31), LastSeen: d(2022, 12, 31), CaseStatus: "open"},
		{HouseholdCode: "5001190001000100", HeadName: "王德明", Township: "东城街道", Village: "皂角井社区",
			RuleCode: "income_below_line", RuleName: "人均纯收入低于监测标准", RiskType: "收入", Severity: "高", Kind: "risk",
			Explanation: "家庭年人均纯收入 6,123 元，低于 2022 年监测标准 6,800 元", Status: monitor.FlagOpen,
			FirstSeen: d(2022, 12, 31), LastSeen: d(2022, 12, 31)},
		{HouseholdCode: "5001190001000101", HeadName: "陈桂芳", Township: "东城街道", Village: "皂角井社区",
			RuleCode: "eliminated_too_soon", RuleName: "识别后当月或次月即消除风险", RiskType: "数据质量", Severity: "中", Kind: "quality",
			Explanation: "2021年6月识别，2021年7月消除", Status: monitor.FlagClosed,
			FirstSeen: d(2022, 6, 30), LastSeen: d(2022, 9, 30), ClosedOn: d(2022, 10, 31), CaseStatus: "done"},
		{HouseholdCode: "5001190006000200", HeadName: "刘成", Township: "东城街道", Village: "黄渔村",
			RuleCode: "disaster", RuleName: "应急部门推送受灾", RiskType: "因自然灾害", Severity: "高", Kind: "risk",
			Explanation: "2022-08 应急局推送：洪涝受灾", Status: monitor.FlagOpen,
			FirstSeen: d(2022, 8, 31), LastSeen: d(2022, 12, 31)},
	}
}

func TestFlags(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.Flags(&buf, meta(), reports.Rows(flags())); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := sheets(f); got != flagsSheet {
		t.Errorf("sheets %s", got)
	}
	want(t, f, flagsSheet, "A1", "南川区东城街道风险预警清单（截至2022年12月31日）")
	want(t, f, flagsSheet, "A2", "本表不含身份证号　　数据截至：2022-12-31　　制表人：张敏")
	if got := strings.Join(header(t, f, flagsSheet, 3), ","); got !=
		"乡镇（街道）,村（社区）,户编号,户主姓名,规则代码,规则名称,预警类别,风险类型,严重程度,预警说明,首次发现,最近发现,状态,关闭日期,案件状态" {
		t.Errorf("header %s", got)
	}
	wantRow(t, f, flagsSheet, 4, "东城街道", "皂角井社区", "5001190001000100", "王德明", "medical_oop_high", "合规自付医疗费用过高",
		"致贫返贫风险", "因病", "高", "合规自付支出 23,400 元，超过家庭纯收入的50%", "2022-10-31", "2022-12-31", "预警中", "", "办理中")
	wantDateCell(t, f, flagsSheet, "K4", "yyyy-mm-dd", "2022-10-31")
	wantRow(t, f, flagsSheet, 6, "东城街道", "皂角井社区", "5001190001000101", "陈桂芳", "eliminated_too_soon", "*",
		"数据质量核查", "数据质量", "中", "*", "2022-06-30", "2022-09-30", "已关闭", "2022-10-31", "已办结")
	wantDateCell(t, f, flagsSheet, "N6", "yyyy-mm-dd", "2022-10-31")
	wantRow(t, f, flagsSheet, 7, "东城街道", "皂角井社区小计", "2户", "", "3条")
	wantRow(t, f, flagsSheet, 8, "东城街道", "黄渔村", "5001190006000200", "刘成", "disaster")
	wantRow(t, f, flagsSheet, 9, "东城街道", "黄渔村小计", "1户", "", "1条")
	wantRow(t, f, flagsSheet, 10, "合计", "", "3户", "", "4条")

	t.Run("CSV", func(t *testing.T) {
		m := meta()
		m.Format = reports.CSV
		var buf bytes.Buffer
		if err := reports.Flags(&buf, m, reports.Rows(flags())); err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, buf.Bytes())
		if got, exp := strings.Join(recs[0], ","), strings.Join(header(t, f, flagsSheet, 3), ","); got != exp {
			t.Errorf("CSV header %s, want %s", got, exp)
		}
		if len(recs) != 5 {
			t.Fatalf("%d records, want header + 4 flags", len(recs))
		}
		if got := strings.Join(recs[3], "|"); got != "东城街道|皂角井社区|5001190001000101|陈桂芳|eliminated_too_soon|识别后当月或次月即消除风险|"+
			"数据质量核查|数据质量|中|2021年6月识别，2021年7月消除|2022-06-30|2022-09-30|已关闭|2022-10-31|已办结" {
			t.Errorf("CSV row 3: %s", got)
		}
	})
}
