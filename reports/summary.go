package reports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/shouwang/shouwang/monitor"
	"github.com/xuri/excelize/v2"
)

const (
	summaryName = "统计汇总表"
	chartName   = "图表"
)

// summaryLayout is the summary's columns, which depend on the flag risk
// types present, with the index where each block starts.
type summaryLayout struct {
	cols                                               []column
	groups                                             []group
	monitored, risks, elim, flags, measures, loans, nf int
}

func newSummaryLayout(s *Stats) *summaryLayout {
	l := &summaryLayout{}
	add := func(g string, names []string, k kind) int {
		from := len(l.cols)
		for _, n := range names {
			l.cols = append(l.cols, column{n, k})
		}
		if g != "" {
			l.groups = append(l.groups, group{g, from, len(l.cols) - 1})
		}
		return from
	}
	add("", []string{"乡镇（街道）", "村（社区）"}, kText)
	add("", []string{"农户总数（户）", "总人口（人）"}, kInt)
	l.monitored = add("监测对象", append([]string{"合计（户）", "合计（人）"}, append(monitor.Categories, "当年新识别（户）")...), kInt)
	l.risks = add("风险类型（户）", monitor.Risks, kInt)
	l.elim = add("风险消除（户）", []string{"风险已消除", "风险未消除"}, kInt)
	l.nf = len(s.FlagRiskTypes)
	l.flags = add("未关闭预警（条）", append(append([]string{}, s.FlagRiskTypes...), "合计"), kInt)
	l.measures = add("帮扶措施", []string{"已落实（户）"}, kInt)
	add("帮扶措施", []string{"帮扶措施落实率"}, kPct)
	l.groups = l.groups[:len(l.groups)-1]
	l.groups[len(l.groups)-1].to++
	l.loans = add("小额信贷", []string{"当年发放（户）"}, kInt)
	add("", []string{"当年发放金额（万元）", "贷款余额（万元）"}, kWan)
	add("", []string{"逾期（笔）"}, kInt)
	add("", []string{"逾期余额（万元）"}, kWan)
	add("", []string{"PAR30"}, kPct)
	l.groups[len(l.groups)-1].to = len(l.cols) - 1
	return l
}

// row fills the current row of t with f.
func (l *summaryLayout) row(t *table, f *Figures) {
	t.str(0, f.Township)
	t.str(1, f.Village)
	t.num(2, f.Households)
	t.num(3, f.People)
	c := l.monitored
	t.num(c, f.Monitored)
	t.num(c+1, f.MonitoredPeople)
	for i, cat := range monitor.Categories {
		t.num(c+2+i, f.Categories[cat])
	}
	t.num(c+2+len(monitor.Categories), f.NewMonitored)
	for i, r := range monitor.Risks {
		t.num(l.risks+i, f.Risks[r])
	}
	t.num(l.elim, f.Eliminated)
	t.num(l.elim+1, f.NotEliminated())
	for i := 0; i < l.nf; i++ {
		t.num(l.flags+i, f.OpenFlags[t.cols[l.flags+i].name])
	}
	t.num(l.flags+l.nf, f.OpenFlagsTotal)
	t.num(l.measures, f.WithMeasure)
	if f.Monitored > 0 {
		t.ratio(l.measures+1, f.Coverage())
	}
	t.num(l.loans, f.LoanHouseholds)
	t.money(l.loans+1, f.LoanAmount)
	t.money(l.loans+2, f.LoanBalance)
	t.num(l.loans+3, f.OverdueLoans)
	t.money(l.loans+4, f.OverdueBalance)
	if f.LoanBalance > 0 {
		t.ratio(l.loans+5, f.PAR30())
	}
}

// Summary writes the 统计汇总表: one row per village, a subtotal row after
// each township's villages and a total row, with the figures of Stats
// (households and people; monitored by category; risks; eliminated or not;
// open flags by risk type; 帮扶措施落实率; micro-loans issued in the year,
// balance, arrears and PAR30), and a sheet 图表 charting the monitored
// households of each village by category.
func Summary(w io.Writer, m Meta, s *Stats) error {
	if err := writeSummary(w, m, s); err != nil {
		return fmt.Errorf("reports: summary: %w", err)
	}
	return nil
}

func writeSummary(w io.Writer, m Meta, s *Stats) error {
	if m.Format == CSV {
		return errCSV(summaryName)
	}
	year := s.Year // the year the figures are of
	if year == 0 {
		year = m.Year
	}
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	l := newSummaryLayout(s)
	name := summaryName
	if year > 0 {
		name = strconv.Itoa(year) + "年防止返贫动态监测" + summaryName
	}
	t, err := b.newTable(summaryName, b.titleLines(m, name, false), l.cols, l.groups)
	if err != nil {
		return err
	}
	ti := 0
	for i := range s.Villages {
		v := &s.Villages[i]
		l.row(t, v)
		if err := t.emit(rowData); err != nil {
			return err
		}
		if i+1 < len(s.Villages) && s.Villages[i+1].Township == v.Township {
			continue
		}
		for ti < len(s.Townships) && s.Townships[ti].Township != v.Township {
			ti++
		}
		if ti < len(s.Townships) {
			l.row(t, &s.Townships[ti])
			t.str(1, "小计")
			if err := t.emit(rowSub); err != nil {
				return err
			}
		}
	}
	l.row(t, &s.Total)
	t.str(0, "合计")
	if err := t.emit(rowTotal); err != nil {
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	if err := summaryChart(b, m, s); err != nil {
		return err
	}
	return b.write(w)
}

// summaryChart adds the sheet 图表: the monitored households of each
// village by category, as a small table and a clustered bar chart of it.
func summaryChart(b *book, m Meta, s *Stats) error {
	if err := b.newSheet(chartName); err != nil {
		return err
	}
	f := b.f
	header := []any{"村（社区）", "监测对象（户）"}
	for _, c := range monitor.Categories {
		header = append(header, c)
	}
	if err := f.SetSheetRow(chartName, "A1", &header); err != nil {
		return err
	}
	if err := f.SetCellStyle(chartName, "A1", colName(len(header))+"1", b.st.header); err != nil {
		return err
	}
	if err := f.SetColWidth(chartName, "A", "A", 24); err != nil {
		return err
	}
	if err := f.SetColWidth(chartName, "B", colName(len(header)), 14); err != nil {
		return err
	}
	many := len(s.Townships) > 1
	for i, v := range s.Villages {
		name := v.Village
		if many {
			name = v.Township + v.Village
		}
		row := []any{name, v.Monitored}
		for _, c := range monitor.Categories {
			row = append(row, v.Categories[c])
		}
		cell := "A" + strconv.Itoa(i+2)
		if err := f.SetSheetRow(chartName, cell, &row); err != nil {
			return err
		}
	}
	n := len(s.Villages)
	if n == 0 {
		return f.SetCellValue(chartName, "A2", "无数据")
	}
	last := colName(len(header))
	if err := f.SetCellStyle(chartName, "A2", "A"+strconv.Itoa(n+1), b.st.cells[rowData][kText]); err != nil {
		return err
	}
	if err := f.SetCellStyle(chartName, "B2", last+strconv.Itoa(n+1), b.st.cells[rowData][kInt]); err != nil {
		return err
	}
	ref := func(col string, from, to int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", chartName, col, from, col, to)
	}
	var series []excelize.ChartSeries
	for i := range monitor.Categories {
		col := colName(3 + i)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$1", chartName, col),
			Categories: ref("A", 2, n+1),
			Values:     ref(col, 2, n+1),
		})
	}
	top := 0
	for _, v := range s.Villages {
		for _, c := range monitor.Categories {
			top = max(top, v.Categories[c])
		}
	}
	height := uint(min(max(320, 120+36*n), 4000))
	fit, one, landscape, a4 := true, 1, "landscape", paperA4
	if err := f.SetSheetProps(chartName, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetPageLayout(chartName, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &one,
	}); err != nil {
		return err
	}
	return f.AddChart(chartName, colName(len(header)+2)+"2", &excelize.Chart{
		Type:      excelize.Bar,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: m.Place + "各村（社区）监测对象户数"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 640, Height: height},
		XAxis:     excelize.ChartAxis{ReverseOrder: true},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, MajorUnit: niceStep(top)},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true},
	})
}

// niceStep is a whole-number axis step giving at most about ten gridlines
// up to top: households are counted in whole numbers.
func niceStep(top int) float64 {
	for step := 1; ; step *= 10 {
		for _, k := range []int{1, 2, 5} {
			if top <= 10*k*step {
				return float64(k * step)
			}
		}
	}
}
