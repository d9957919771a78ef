package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

const (
	loansSheet   = "小额信贷台账"
	overdueSheet = "逾期清单"
)

var loansAsOf = d(2024, 12, 31)

func loans() []monitor.Loan {
	micro := monitor.ProductMicro
	return []monitor.Loan{
		{HouseholdCode: "5001190001000100", BorrowerName: "王德明", BorrowerIDNumber: id("500119195703110012"), Relation: "户主",
			Product: micro, Bank: "重庆农商行南川支行", Amount: monitor.Yuan(50000), CreditLine: monitor.Yuan(50000), TermMonths: 36,
			IssueDate: d(2022, 3, 15), MaturityDate: d(2025, 3, 14), RatePct: 3.45, Purpose: "养殖肉牛", Status: "正常"},
		{HouseholdCode: "5001190001000101", BorrowerName: "陈桂芳", BorrowerIDNumber: id("500119197505050046"), Relation: "户主",
			Product: micro, Bank: "邮储银行南川支行", Amount: monitor.Yuan(30000), TermMonths: 36,
			IssueDate: d(2021, 6, 10), MaturityDate: d(2024, 6, 9), RatePct: 3.85, Purpose: "种植方竹笋", Status: "正常",
			Repayments: []monitor.Repayment{{Date: d(2023, 6, 1), Principal: monitor.Yuan(10000)}}},
		{HouseholdCode: "5001190006000200", BorrowerName: "刘成", BorrowerIDNumber: id("500119198001010058"), Relation: "户主",
			Product: micro, Bank: "重庆农商行南川支行", Amount: monitor.Yuan(20000), TermMonths: 35,
			IssueDate: d(2022, 1, 5), MaturityDate: d(2024, 11, 30), RatePct: 3.45, Purpose: "农资经营", Status: "正常"},
		{HouseholdCode: "5001190006000200", BorrowerName: "赵琴", BorrowerIDNumber: id("500119198202020068"), Relation: "配偶",
			Product: micro, Bank: "重庆农商行南川支行", Amount: monitor.Yuan(10000), TermMonths: 12,
			IssueDate: d(2021, 1, 1), MaturityDate: d(2022, 1, 1), RatePct: 3.85, Purpose: "养鸡", Status: "已结清",
			Repayments: []monitor.Repayment{{Date: d(2021, 12, 30), Principal: monitor.Yuan(10000)}}},
	}
}

func loanRows() []reports.LoanRow {
	hs := map[string]*monitor.Household{}
	for _, h := range households() {
		hs[h.Code] = h
	}
	var rows []reports.LoanRow
	for _, l := range loans() {
		h := hs[l.HouseholdCode]
		rows = append(rows, reports.LoanRow{Loan: l, Township: h.Township, Village: h.Village, Group: h.Group,
			HeadName: h.HeadName, HeadIDNumber: h.Members[0].IDNumber,
			Subsidy: l.Subsidy(d(2024, 1, 1), loansAsOf, monitor.DefaultSubsidyTable(), monitor.MicroLoanCap)})
	}
	return rows
}

func TestLoans(t *testing.T) {
	m := meta()
	m.AsOf = loansAsOf
	var buf bytes.Buffer
	if err := reports.Loans(&buf, m, reports.Rows(loanRows())); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := sheets(f); got != loansSheet+","+overdueSheet {
		t.Fatalf("sheets %s", got)
	}
	want(t, f, loansSheet, "A1", "南川区东城街道小额信贷台账（截至2024年12月31日）")
	want(t, f, loansSheet, "A2", "身份证号已脱敏　　数据截至：2024-12-31　　制表人：张敏")
	if got := strings.Join(header(t, f, loansSheet, 3), ","); got != "乡镇（街道）,行政村,组别,户编号,户主姓名,户主身份证号,"+
		"贷款人姓名,贷款人身份证号,与户主关系,贷款品种,授信额度（万元）,贷款金额（万元）,贷款期限（月）,放款日期,到期日期,展期到期日,"+
		"贷款利率（%）,贷款金融机构,还款方式,偿还贷款金额（元）,还款时间,贷款余额（元）,逾期贷款金额（元）,逾期天数,逾期档次,"+
		"应贴息金额（元）,贷款用途,台账状态,备注" {
		t.Errorf("header %s", got)
	}
	rows := loanRows()
	sub := func(i int) string { return f64(rows[i].Subsidy) }
	mask := func(s string) string { return s[:6] + "********" + s[14:] }
	wantRow(t, f, loansSheet, 4, "东城街道", "皂角井社区", "3组", "5001190001000100", "王德明", mask(id("500119195703110012")),
		"王德明", mask(id("500119195703110012")), "户主", monitor.ProductMicro, "5.00", "5.00", "36", "2022-03-15", "2025-03-14", "",
		"3.45", "重庆农商行南川支行", "", "0.00", "", "50,000.00", "0.00", "", "", sub(0), "养殖肉牛", "正常", "")
	if got := raw(t, f, loansSheet, "L4"); got != "5" {
		t.Errorf("amount in 万元 raw %q, want 5", got)
	}
	wantDateCell(t, f, loansSheet, "N4", "yyyy-mm-dd", "2022-03-15")
	// 陈桂芳: 10,000 repaid, the rest due 2024-06-09 and unpaid: 205 days.
	wantRow(t, f, loansSheet, 5, "*", "*", "*", "*", "陈桂芳", "*", "*", "*", "*", "*", "", "3.00", "36", "2021-06-10", "2024-06-09", "",
		"3.85", "*", "", "10,000.00", "2023-06-01", "20,000.00", "20,000.00", "205", ">180", sub(1))
	wantRow(t, f, loansSheet, 6, "东城街道", "皂角井社区小计", "", "2户", "", "", "2笔", "", "", "", "", "8.00", "",
		"", "", "", "", "", "", "10,000.00", "", "70,000.00", "20,000.00", "", "", f64(rows[0].Subsidy+rows[1].Subsidy))
	wantRow(t, f, loansSheet, 7, "*", "黄渔村", "*", "*", "刘成", "*", "刘成", "*", "*", "*", "", "2.00", "35", "2022-01-05", "2024-11-30", "",
		"3.45", "*", "", "0.00", "", "20,000.00", "20,000.00", "31", "31-90")
	wantRow(t, f, loansSheet, 8, "*", "*", "*", "*", "刘成", "*", "赵琴", "*", "配偶", "*", "", "1.00", "12", "*", "*", "",
		"*", "*", "", "10,000.00", "2021-12-30", "0.00", "0.00", "", "")
	wantRow(t, f, loansSheet, 9, "东城街道", "黄渔村小计", "", "1户", "", "", "2笔", "", "", "", "", "3.00")
	wantRow(t, f, loansSheet, 10, "合计", "", "", "3户", "", "", "4笔", "", "", "", "", "11.00", "",
		"", "", "", "", "", "", "20,000.00", "", "90,000.00", "40,000.00")

	// 逾期清单: the two overdue loans only.
	if got := strings.Join(header(t, f, overdueSheet, 3), ","); got != "乡镇（街道）,行政村,组别,户主姓名,贷款人姓名,贷款人身份证号,"+
		"贷款品种,贷款金额（万元）,放款日期,到期日期,贷款金融机构,贷款余额（元）,逾期贷款金额（元）,逾期天数,逾期档次" {
		t.Errorf("overdue header %s", got)
	}
	wantRow(t, f, overdueSheet, 4, "东城街道", "皂角井社区", "5组", "陈桂芳", "陈桂芳", mask(id("500119197505050046")), "*", "3.00",
		"2021-06-10", "2024-06-09", "邮储银行南川支行", "20,000.00", "20,000.00", "205", ">180")
	wantRow(t, f, overdueSheet, 5, "东城街道", "皂角井社区小计", "", "1户", "1笔", "", "", "3.00", "", "", "", "20,000.00", "20,000.00")
	wantRow(t, f, overdueSheet, 6, "东城街道", "黄渔村", "1组", "刘成", "刘成", "*", "*", "2.00", "2022-01-05", "2024-11-30", "*", "20,000.00", "20,000.00", "31", "31-90")
	wantRow(t, f, overdueSheet, 7, "东城街道", "黄渔村小计", "", "1户", "1笔")
	wantRow(t, f, overdueSheet, 8, "合计", "", "", "2户", "2笔", "", "", "5.00", "", "", "", "40,000.00", "40,000.00")
	if v := val(t, f, overdueSheet, "A9"); v != "" {
		t.Errorf("overdue row 9 = %q, want the list to end", v)
	}

	// Both sheets stream at once; the ledger continues on its own next
	// sheet when it runs out of rows.
	t.Run("Split", func(t *testing.T) {
		defer func(n int) { reports.MaxRows = n }(reports.MaxRows)
		reports.MaxRows = 8 // 3 title and header rows, 5 rows of the table
		var buf bytes.Buffer
		if err := reports.Loans(&buf, m, reports.Rows(loanRows())); err != nil {
			t.Fatal(err)
		}
		f := open(t, buf.Bytes())
		if got := sheets(f); got != loansSheet+","+overdueSheet+","+loansSheet+"（续1）" {
			t.Fatalf("sheets %s", got)
		}
		next := loansSheet + "（续1）"
		want(t, f, next, "A1", "南川区东城街道小额信贷台账（截至2024年12月31日）")
		wantRow(t, f, next, 3, "乡镇（街道）", "行政村", "组别")
		wantRow(t, f, loansSheet, 8, "东城街道", "黄渔村", "1组", "*", "*", "*", "赵琴")
		wantRow(t, f, next, 4, "东城街道", "黄渔村小计", "", "1户", "", "", "2笔")
		wantRow(t, f, next, 5, "合计", "", "", "3户", "", "", "4笔")
		wantRow(t, f, overdueSheet, 8, "合计", "", "", "2户", "2笔")
	})

	t.Run("CSV", func(t *testing.T) {
		m := m
		m.Format = reports.CSV
		var buf bytes.Buffer
		if err := reports.Loans(&buf, m, reports.Rows(loanRows())); err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, buf.Bytes())
		if got, exp := strings.Join(recs[0], ","), strings.Join(header(t, f, loansSheet, 3), ","); got != exp {
			t.Errorf("CSV header %s", got)
		}
		if len(recs) != 5 {
			t.Fatalf("%d records, want header + 4 loans", len(recs))
		}
		if got := strings.Join(recs[2][10:26], "|"); got != "|3|36|2021-06-10|2024-06-09||3.85|邮储银行南川支行||10000.00|2023-06-01|20000.00|20000.00|205|>180|"+rows[1].Subsidy.String() {
			t.Errorf("CSV loan 2: %s", got)
		}
	})
}

// f64 formats money as the yuan cells show it (#,##0.00).
func f64(m monitor.Money) string {
	s := m.String()
	ip, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + frac
}
