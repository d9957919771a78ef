package reports_test

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
	"github.com/xuri/excelize/v2"
)

const templatePath = "../testdata/summary_template.xlsx"

var templateVillages = []string{"皂角井社区", "长亭社区", "鼓楼坝社区", "灌坝社区", "黄渔村", "高桥村"}

// expected figures of one template row, counted here independently of the
// Aggregator.
type tmplRow struct {
	households, monitored, people, eliminated, withMeasure, loanHH int
	cats                                                           [3]int
	loanAmount                                                     monitor.Money
}

// templateStats builds households, measures and loans for the six villages
// of the template and returns their Stats with the expected rows (the last
// is the total).
func templateStats() (*reports.Stats, []tmplRow) {
	a := reports.NewAggregator(asOf, 2022)
	exp := make([]tmplRow, len(templateVillages)+1)
	for vi, v := range templateVillages {
		for j := range 10 + 2*vi {
			h := &monitor.Household{Code: fmt.Sprintf("50011900%02d%06d", vi, j), Township: "东城街道", Village: v, Size: 1 + j%3}
			e := &exp[vi]
			e.households++
			if j%4 != 3 {
				h.Category = monitor.Categories[j%4]
				e.monitored++
				e.people += h.Size
				e.cats[j%4]++
				if j%5 == 0 {
					h.RiskEliminated, h.EliminatedOn = true, d(2022, 10, 1)
					e.eliminated++
				}
				if j%2 == 0 {
					a.AddMeasure(monitor.Measure{HouseholdCode: h.Code, Category: "产业帮扶", Start: d(2022, 5, 1), Status: monitor.MeasureInPlace})
					e.withMeasure++
				}
			}
			if j%3 == 0 {
				amt := monitor.Yuan(int64(20000 + 1000*vi + 7*j))
				a.AddLoan(monitor.Loan{HouseholdCode: h.Code, Product: monitor.ProductMicro, Amount: amt,
					IssueDate: d(2022, 4, 1), TermMonths: 36}, h.Township, h.Village)
				e.loanHH++
				e.loanAmount += amt
			}
			a.AddHousehold(h)
		}
		t := &exp[len(exp)-1]
		e := exp[vi]
		t.households += e.households
		t.monitored += e.monitored
		t.people += e.people
		t.eliminated += e.eliminated
		t.withMeasure += e.withMeasure
		t.loanHH += e.loanHH
		t.loanAmount += e.loanAmount
		for i := range 3 {
			t.cats[i] += e.cats[i]
		}
	}
	return a.Stats(), exp
}

func TestFillTemplate(t *testing.T) {
	orig, err := excelize.OpenFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	const sh = "汇总表"

	s, exp := templateStats()
	tf, err := os.Open(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	var buf bytes.Buffer
	warnings, err := reports.FillTemplate(&buf, tf, meta(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	f := open(t, buf.Bytes())

	t.Run("Figures", func(t *testing.T) {
		// Rows 5–10 are the villages in the template's order, 11 the 合计.
		for i, e := range exp {
			r := strconv.Itoa(5 + i)
			if i < len(templateVillages) {
				want(t, f, sh, "B"+r, templateVillages[i])
			} else {
				want(t, f, sh, "A"+r, "合计")
			}
			rate := fmt.Sprintf("%.2f%%", 100*float64(e.withMeasure)/float64(e.monitored))
			wantRow(t, f, sh, 5+i, "*", "*", strconv.Itoa(e.households), strconv.Itoa(e.monitored), strconv.Itoa(e.people),
				strconv.Itoa(e.cats[0]), strconv.Itoa(e.cats[1]), strconv.Itoa(e.cats[2]), strconv.Itoa(e.eliminated), rate,
				strconv.Itoa(e.loanHH))
			// 金额（万元）: yuan / 10000, a number.
			wan := strings.TrimRight(strings.TrimRight(strconv.FormatFloat(float64(e.loanAmount)/1e6, 'f', 4, 64), "0"), ".")
			if got := raw(t, f, sh, "L"+r); got != wan {
				t.Errorf("L%s = %q, want %s 万元", r, got, wan)
			}
		}
		// The 边缘易致贫户 column of the 黄渔村 row.
		if got, w := val(t, f, sh, "G9"), strconv.Itoa(exp[4].cats[1]); got != w {
			t.Errorf("黄渔村 边缘易致贫户 G9 = %s, want %s", got, w)
		}
		if typ, _ := f.GetCellType(sh, "G9"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("G9 is text, want a number")
		}
		want(t, f, sh, "A2", "填报单位：南川区东城街道　　　　截止日期：2022年12月31日")
		want(t, f, sh, "A1", "南川区防止返贫动态监测帮扶工作统计表")
		want(t, f, sh, "A13", val(t, orig, sh, "A13"))
	})

	t.Run("FormKept", func(t *testing.T) {
		mo, _ := orig.GetMergeCells(sh)
		mf, _ := f.GetMergeCells(sh)
		if a, b := mergeList(mo), mergeList(mf); a != b {
			t.Errorf("merged cells changed:\n was %s\n now %s", a, b)
		}
		for _, ref := range []string{"A1", "A2", "A3", "D3", "D4", "G4", "K3", "L4", "A5", "B9", "G9", "J9", "L9", "A11", "C11", "L11", "A13"} {
			so, _ := orig.GetCellStyle(sh, ref)
			sf, _ := f.GetCellStyle(sh, ref)
			if so != sf {
				t.Errorf("%s: style %d, was %d", ref, sf, so)
				continue
			}
			a, _ := orig.GetStyle(so)
			b, _ := f.GetStyle(sf)
			if fmt.Sprintf("%+v %+v %+v", a.Border, a.Fill, a.Alignment) != fmt.Sprintf("%+v %+v %+v", b.Border, b.Fill, b.Alignment) {
				t.Errorf("%s: style content changed", ref)
			}
		}
		for _, c := range []string{"A", "B", "G", "L"} {
			wo, _ := orig.GetColWidth(sh, c)
			wf, _ := f.GetColWidth(sh, c)
			if wo != wf {
				t.Errorf("column %s width %v, was %v", c, wf, wo)
			}
		}
		if got, w := sheets(f), sheets(orig); got != w {
			t.Errorf("sheets %s, was %s", got, w)
		}
	})

	t.Run("Warnings", func(t *testing.T) {
		// One village missing from the data, one data village missing from
		// the form, one header nobody knows.
		tmpl := editedTemplate(t, func(f *excelize.File) {
			f.SetCellValue(sh, "B10", "石墙村")
			f.SetCellValue(sh, "J3", "群众满意度")
		})
		var buf bytes.Buffer
		warnings, err := reports.FillTemplate(&buf, bytes.NewReader(tmpl), meta(), s)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(warnings, "\n")
		for _, w := range []string{"J列表头“群众满意度”未能识别", "模板第10行“东城街道 石墙村”", "数据中的东城街道高桥村不在模板中"} {
			if !strings.Contains(got, w) {
				t.Errorf("warnings lack %q:\n%s", w, got)
			}
		}
		f := open(t, buf.Bytes())
		want(t, f, sh, "J5", "")
		want(t, f, sh, "C10", "")
		// The 合计 still holds the totals of all the data.
		want(t, f, sh, "C11", strconv.Itoa(exp[len(exp)-1].households))
	})

	t.Run("ErrNoHeader", func(t *testing.T) {
		tmpl := editedTemplate(t, func(f *excelize.File) { f.SetCellValue(sh, "B3", "名称") })
		_, err := reports.FillTemplate(&bytes.Buffer{}, bytes.NewReader(tmpl), meta(), s)
		if monitor.ErrorCode(err) != monitor.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}

func mergeList(ms []excelize.MergeCell) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	return strings.Join(s, " ")
}

// editedTemplate is the sample template with a change.
func editedTemplate(t *testing.T, edit func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	edit(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
