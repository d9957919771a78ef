package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/shouwang/shouwang/monitor"
)

// YearFigures are the year's figures as a work review states them.
// Aggregator.Stats computes them (Stats.Yearly); a caller may also fill
// them from elsewhere, e.g. 创业担保贷款 from the employment office.
type YearFigures struct {
	Year                   int
	NewMonitoredHouseholds int // identified in the year
	NewMonitoredPeople     int
	Eliminated             int // risk eliminated in the year
	MicroLoanHouseholds    int // 扶贫（脱贫人口）小额信贷 issued in the year
	MicroLoanAmount        monitor.Money
	StartupLoanHouseholds  int // 创业担保贷款 issued in the year
	StartupLoanAmount      monitor.Money
	PublicJobs             int            // 公益性岗位 started in the year
	MeasuresByCategory     map[string]int // households helped in the year, per measure category
}

// YearlySentence states a count of households and an amount the way a
// work review does: YearlySentence("发放扶贫小额信贷", 46, monitor.Yuan(2300000))
// is "发放扶贫小额信贷46户230万元". The amount is in 万元 to the yuan with
// no trailing zeros (230, 1370, 2.3).
func YearlySentence(what string, households int, amount monitor.Money) string {
	return what + strconv.Itoa(households) + "户" + wanText(amount) + "万元"
}

// sentences are the year's figures, one statement each.
func (y *YearFigures) sentences() []string {
	s := []string{
		fmt.Sprintf("新识别监测对象%d户%d人", y.NewMonitoredHouseholds, y.NewMonitoredPeople),
		fmt.Sprintf("风险消除%d户", y.Eliminated),
		YearlySentence("发放扶贫小额信贷", y.MicroLoanHouseholds, y.MicroLoanAmount),
		YearlySentence("发放创业担保贷款", y.StartupLoanHouseholds, y.StartupLoanAmount),
		fmt.Sprintf("开发公益性岗位%d个", y.PublicJobs),
	}
	for _, c := range y.categories() {
		s = append(s, fmt.Sprintf("%s%d户", c, y.MeasuresByCategory[c]))
	}
	return s
}

// categories lists the measure categories with households: the national
// order first, then any others by name.
func (y *YearFigures) categories() []string {
	rank := map[string]int{}
	for i, c := range monitor.MeasureCategories {
		rank[c] = i + 1
	}
	var cs []string
	for c, n := range y.MeasuresByCategory {
		if n > 0 && c != "" {
			cs = append(cs, c)
		}
	}
	slices.SortFunc(cs, func(a, b string) int {
		ra, rb := rank[a], rank[b]
		if ra == 0 {
			ra = len(rank) + 1
		}
		if rb == 0 {
			rb = len(rank) + 1
		}
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a, b))
	})
	return cs
}

const yearlyName = "年度工作统计"

// Yearly writes the 年度工作统计: a sheet of the year's figures stated as a
// work review states them, one per row ("新识别监测对象12户35人",
// "发放扶贫小额信贷46户230万元", "产业帮扶30户" …), and a sheet 统计数据
// with the same figures as numbers.
func Yearly(w io.Writer, m Meta, y YearFigures) error {
	if err := writeYearly(w, m, y); err != nil {
		return fmt.Errorf("reports: yearly: %w", err)
	}
	return nil
}

func writeYearly(w io.Writer, m Meta, y YearFigures) error {
	if m.Format == CSV {
		return errCSV(yearlyName)
	}
	if y.Year == 0 {
		y.Year = m.Year
	}
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	name := fmt.Sprintf("%d年防止返贫动态监测帮扶工作统计", y.Year)
	t, err := b.newTable(yearlyName, b.titleLines(m, name, false),
		[]column{{"序号", kInt}, {"工作成效", kText}}, nil)
	if err != nil {
		return err
	}
	for i, s := range y.sentences() {
		t.num(0, i+1)
		t.str(1, s)
		if err := t.emit(rowData); err != nil {
			return err
		}
	}
	if err := t.close(); err != nil {
		return err
	}

	t, err = b.newTable("统计数据", b.titleLines(m, name, false),
		[]column{{"项目", kText}, {"数值", kInt}, {"金额（万元）", kWan}, {"单位", kText}}, nil)
	if err != nil {
		return err
	}
	row := func(item string, n int, unit string) error {
		t.str(0, item)
		t.num(1, n)
		t.str(3, unit)
		return t.emit(rowData)
	}
	amount := func(item string, a monitor.Money) error {
		t.str(0, item)
		t.money(2, a)
		t.str(3, "万元")
		return t.emit(rowData)
	}
	steps := []func() error{
		func() error { return row("新识别监测对象（户）", y.NewMonitoredHouseholds, "户") },
		func() error { return row("新识别监测对象（人）", y.NewMonitoredPeople, "人") },
		func() error { return row("风险消除（户）", y.Eliminated, "户") },
		func() error { return row("发放扶贫小额信贷（户）", y.MicroLoanHouseholds, "户") },
		func() error { return amount("发放扶贫小额信贷金额", y.MicroLoanAmount) },
		func() error { return row("发放创业担保贷款（户）", y.StartupLoanHouseholds, "户") },
		func() error { return amount("发放创业担保贷款金额", y.StartupLoanAmount) },
		func() error { return row("开发公益性岗位（个）", y.PublicJobs, "个") },
	}
	for _, c := range y.categories() {
		steps = append(steps, func() error { return row(c+"（户）", y.MeasuresByCategory[c], "户") })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if err := t.close(); err != nil {
		return err
	}
	return b.write(w)
}
