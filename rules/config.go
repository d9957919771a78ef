package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// Line is one entry of the monitoring-line table: the yearly per-person
// line (yuan) a province or county sets. Region is a prefix of the national
// household code (户编号 begins with the region code): "" for everywhere,
// "50" for a province, "500119" for a county; the longest match wins.
type Line struct {
	Region string  `json:"region"`
	Year   int     `json:"year"`
	Yuan   float64 `json:"yuan"`
}

// Deadlines are the procedure's time limits, set locally.
type Deadlines struct {
	IdentifyDays int `json:"identify_days"` // whole identification procedure, e.g. 15
	NoticeDays   int `json:"notice_days"`   // public notice, at least 5
	StableMonths int `json:"stable_months"` // stable income before elimination, 6
}

// Config is every parameter an administrator edits: rule parameters, the
// monitoring line by region and year, deadlines and the interest-subsidy
// shares. It is saved as one JSON document per version.
type Config struct {
	Params    Params               `json:"params"`
	Lines     []Line               `json:"lines"`
	Deadlines Deadlines            `json:"deadlines"`
	Subsidy   monitor.SubsidyTable `json:"subsidy"`
}

// DefaultConfig is what a new installation starts with. The lines are
// examples near the national practice (≈1.5× the 2020 poverty line, rising
// yearly); each province must set its own.
func DefaultConfig() Config {
	return Config{
		Params: DefaultParams(),
		Lines: []Line{
			{Year: 2020, Yuan: 6000}, {Year: 2021, Yuan: 6000}, {Year: 2022, Yuan: 6900},
			{Year: 2023, Yuan: 7300}, {Year: 2024, Yuan: 7600}, {Year: 2025, Yuan: 8000}, {Year: 2026, Yuan: 8300},
		},
		Deadlines: Deadlines{IdentifyDays: 15, NoticeDays: 5, StableMonths: 6},
		Subsidy:   monitor.DefaultSubsidyTable(),
	}
}

// ParseConfig reads and checks a config document.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, monitor.Errorf(monitor.EINVALID, "参数格式错误：%v", err)
	}
	return c, c.Validate()
}

// Validate refuses parameters no policy allows.
func (c Config) Validate() error {
	var bad []string
	seen := map[string]bool{}
	for _, l := range c.Lines {
		k := fmt.Sprintf("%s/%d", l.Region, l.Year)
		if seen[k] {
			bad = append(bad, fmt.Sprintf("监测标准 %s %d 年重复", regionLabel(l.Region), l.Year))
		}
		seen[k] = true
		if l.Yuan <= 0 || l.Year < 2000 || l.Year > 2100 {
			bad = append(bad, fmt.Sprintf("监测标准 %s %d 年 %.0f 元无效", regionLabel(l.Region), l.Year, l.Yuan))
		}
	}
	if c.Deadlines.NoticeDays < 1 || c.Deadlines.IdentifyDays < 1 || c.Deadlines.StableMonths < 0 {
		bad = append(bad, "时限必须为正数（公示天数、识别天数），稳定月数不能为负")
	}
	if p := c.Params; p.MedicalShareOfNet <= 0 || p.IncomeDropShare <= 0 || p.LoanCap <= 0 || p.LoanMaxMonths <= 0 {
		bad = append(bad, "规则参数中的比例、贷款上限和期限必须大于 0")
	}
	for _, s := range c.Subsidy {
		if s.Share < 0 || s.Share > 1 {
			bad = append(bad, fmt.Sprintf("%d 年贴息比例 %.2f 应在 0 到 1 之间", s.Year, s.Share))
		}
	}
	if len(bad) > 0 {
		return monitor.Errorf(monitor.EINVALID, "参数有误：%s", strings.Join(bad, "；"))
	}
	return nil
}

func regionLabel(r string) string {
	if r == "" {
		return "（全部地区）"
	}
	return r
}

// LineFor returns the monitoring line for a household code and year: the
// entry of that year whose region is the longest prefix of the code, or
// — when the year has none — the latest earlier year's. 0 when the table
// has nothing that applies.
func (c Config) LineFor(code string, year int) float64 {
	best, bestYear, bestLen := 0.0, 0, -1
	for _, l := range c.Lines {
		if l.Year > year || !strings.HasPrefix(code, l.Region) {
			continue
		}
		if l.Year > bestYear || (l.Year == bestYear && len(l.Region) > bestLen) {
			best, bestYear, bestLen = l.Yuan, l.Year, len(l.Region)
		}
	}
	return best
}

// SortLines orders the table by region then year, as the admin page shows it.
func (c *Config) SortLines() {
	sort.Slice(c.Lines, func(i, j int) bool {
		if c.Lines[i].Region != c.Lines[j].Region {
			return c.Lines[i].Region < c.Lines[j].Region
		}
		return c.Lines[i].Year < c.Lines[j].Year
	})
}

// LoanFactsOf turns a loan into what the rules see of it as of asOf.
func LoanFactsOf(l *monitor.Loan, asOf monitor.Date) LoanFacts {
	f := LoanFacts{Product: l.Product, Status: l.Status, Amount: l.Amount.Float(), TermMonths: l.TermMonths,
		DaysOverdue: l.DaysOverdue(asOf), Active: l.Active(asOf), MicroLoan: l.Product == monitor.ProductMicro}
	if _, birth, _, p := monitor.ParseIDNumber(l.BorrowerIDNumber, false); p == nil && !l.IssueDate.IsZero() {
		f.BorrowerAge = monitor.AgeOn(birth, l.IssueDate)
	}
	if m := l.Maturity(); !m.IsZero() {
		f.DaysToMaturity = asOf.DaysUntil(m)
	}
	return f
}
