package reports

import (
	"cmp"
	"maps"
	"slices"

	"github.com/shouwang/shouwang/monitor"
)

// Levels of a Figures row.
const (
	LevelVillage  = "village"
	LevelTownship = "township"
	LevelTotal    = "total"
)

// Figures are the statistics of one village, one township (the sum of its
// villages) or the whole report (the sum of the townships).
type Figures struct {
	Level             string // LevelVillage, LevelTownship or LevelTotal
	Township, Village string // Village is "" above the village level, both are "" for the total

	Households, People int // all households given, and their people

	Monitored       int            // households with a 监测对象类别
	MonitoredPeople int            // their people
	Categories      map[string]int // monitored households by 监测对象类别
	Risks           map[string]int // monitored households by risk label
	Eliminated      int            // monitored households whose risk is eliminated
	NewMonitored    int            // monitored households identified in the year
	WithMeasure     int            // monitored households with ≥1 measure in place on AsOf
	OpenFlags       map[string]int // flags open on AsOf, by risk type
	OpenFlagsTotal  int

	// 脱贫人口小额信贷 (a loan with a blank product counts as one: the
	// ledger is the micro-loan ledger).
	LoanHouseholds int           // households with a loan issued in the year
	LoanAmount     monitor.Money // amount issued in the year
	LoanBalance    monitor.Money // principal outstanding on AsOf
	OverdueLoans   int           // loans overdue on AsOf
	OverdueBalance monitor.Money // their outstanding principal
	PAR30Balance   monitor.Money // outstanding principal of loans more than 30 days overdue
}

// NotEliminated is the monitored households whose risk is not eliminated.
func (f *Figures) NotEliminated() int { return f.Monitored - f.Eliminated }

// Coverage is 帮扶措施落实率: WithMeasure / Monitored, 0 when nothing is
// monitored.
func (f *Figures) Coverage() float64 {
	if f.Monitored == 0 {
		return 0
	}
	return float64(f.WithMeasure) / float64(f.Monitored)
}

// PAR30 is the share of the outstanding balance more than 30 days overdue,
// 0 when nothing is outstanding.
func (f *Figures) PAR30() float64 {
	if f.LoanBalance == 0 {
		return 0
	}
	return float64(f.PAR30Balance) / float64(f.LoanBalance)
}

// add sums g into f.
func (f *Figures) add(g *Figures) {
	f.Households += g.Households
	f.People += g.People
	f.Monitored += g.Monitored
	f.MonitoredPeople += g.MonitoredPeople
	f.Eliminated += g.Eliminated
	f.NewMonitored += g.NewMonitored
	f.WithMeasure += g.WithMeasure
	f.OpenFlagsTotal += g.OpenFlagsTotal
	f.LoanHouseholds += g.LoanHouseholds
	f.LoanAmount += g.LoanAmount
	f.LoanBalance += g.LoanBalance
	f.OverdueLoans += g.OverdueLoans
	f.OverdueBalance += g.OverdueBalance
	f.PAR30Balance += g.PAR30Balance
	addCounts(f.Categories, g.Categories)
	addCounts(f.Risks, g.Risks)
	addCounts(f.OpenFlags, g.OpenFlags)
}

func addCounts(dst, src map[string]int) {
	for k, n := range src {
		dst[k] += n
	}
}

func newFigures(level, township, village string) *Figures {
	return &Figures{Level: level, Township: township, Village: village,
		Categories: map[string]int{}, Risks: map[string]int{}, OpenFlags: map[string]int{}}
}

// Stats are the statistics by village and township with the total, as of
// a date and for a year.
type Stats struct {
	AsOf      monitor.Date
	Year      int
	Villages  []Figures // sorted by township, then village
	Townships []Figures // sorted by township
	Total     Figures
	// FlagRiskTypes lists the risk types of open flags in the order the
	// summary shows them: the official risk labels first, then the others
	// by count.
	FlagRiskTypes []string
	// Yearly are the year's figures as a work review states them.
	Yearly YearFigures
}

// Coverage lists each village's 帮扶措施落实率 for the Measures report.
func (s *Stats) Coverage() []VillageCoverage {
	cs := make([]VillageCoverage, 0, len(s.Villages))
	for _, v := range s.Villages {
		if v.Monitored > 0 {
			cs = append(cs, VillageCoverage{v.Township, v.Village, v.Monitored, v.WithMeasure})
		}
	}
	return cs
}

// Aggregator computes Stats from values streamed to it once each, in any
// order: households, flags, measures and loans. It keeps counts per
// village, plus one entry per monitored household and per household with a
// measure (to tell which monitored households have one), never the values.
type Aggregator struct {
	asOf     monitor.Date
	year     int
	villages map[placeKey]*Figures

	monitored map[string]placeKey // monitored households → village
	inPlace   map[string]bool     // households with a measure in place on asOf
	loanHH    map[placeKey]map[string]bool

	yearly     YearFigures
	microHH    map[string]bool
	startupHH  map[string]bool
	categoryHH map[string]map[string]bool // measure category → households helped in the year
}

// NewAggregator starts statistics as of asOf for the year.
func NewAggregator(asOf monitor.Date, year int) *Aggregator {
	return &Aggregator{
		asOf: asOf, year: year,
		villages:   map[placeKey]*Figures{},
		monitored:  map[string]placeKey{},
		inPlace:    map[string]bool{},
		loanHH:     map[placeKey]map[string]bool{},
		yearly:     YearFigures{Year: year},
		microHH:    map[string]bool{},
		startupHH:  map[string]bool{},
		categoryHH: map[string]map[string]bool{},
	}
}

func (a *Aggregator) village(township, village string) *Figures {
	k := placeKey{township, village}
	v := a.villages[k]
	if v == nil {
		v = newFigures(LevelVillage, township, village)
		a.villages[k] = v
	}
	return v
}

// AddHousehold counts a household. Its people are its members, or its
// recorded size when the members are not loaded. The household is not
// kept.
func (a *Aggregator) AddHousehold(h *monitor.Household) {
	v := a.village(h.Township, h.Village)
	people := len(h.Members)
	if people == 0 {
		people = h.Size
	}
	v.Households++
	v.People += people
	if !h.Monitored() {
		return
	}
	a.monitored[householdKey(h.Code, h.ID)] = placeKey{h.Township, h.Village}
	v.Monitored++
	v.MonitoredPeople += people
	v.Categories[h.Category]++
	for _, r := range h.Risks {
		v.Risks[r]++
	}
	if h.RiskEliminated {
		v.Eliminated++
		if !h.EliminatedOn.IsZero() && h.EliminatedOn.Year == a.year {
			a.yearly.Eliminated++
		}
	}
	if h.IdentifiedIn.Year == a.year {
		v.NewMonitored++
		a.yearly.NewMonitoredHouseholds++
		a.yearly.NewMonitoredPeople += people
	}
}

// AddFlag counts a flag when it is open on the as-of date: first seen by
// then and not closed by then.
func (a *Aggregator) AddFlag(f monitor.Flag) {
	if !f.FirstSeen.IsZero() && a.asOf.Before(f.FirstSeen) {
		return
	}
	open := f.Status == monitor.FlagOpen
	if f.Status == monitor.FlagClosed && !f.ClosedOn.IsZero() && a.asOf.Before(f.ClosedOn) {
		open = true // closed later than the as-of date
	}
	if !open {
		return
	}
	v := a.village(f.Township, f.Village)
	v.OpenFlags[f.RiskType]++
	v.OpenFlagsTotal++
}

// AddMeasure notes a measure: whether it is in place on the as-of date
// (for 帮扶措施落实率, matched to households by code), and for the year's
// figures the households helped in each category and the public-welfare
// jobs started in the year.
func (a *Aggregator) AddMeasure(ms monitor.Measure) {
	hk := householdKey(ms.HouseholdCode, ms.HouseholdID)
	if ms.ActiveOn(a.asOf) {
		a.inPlace[hk] = true
	}
	if ms.Status == monitor.MeasurePlanned {
		return
	}
	jan1, dec31 := monitor.Date{Year: a.year, Month: 1, Day: 1}, monitor.Date{Year: a.year, Month: 12, Day: 31}
	if (!ms.Start.IsZero() && dec31.Before(ms.Start)) || (!ms.End.IsZero() && ms.End.Before(jan1)) {
		return // not in the year
	}
	hh := a.categoryHH[ms.Category]
	if hh == nil {
		hh = map[string]bool{}
		a.categoryHH[ms.Category] = hh
	}
	hh[hk] = true
	if ms.Category == "公益岗位帮扶" && ms.Start.Year == a.year {
		a.yearly.PublicJobs++
	}
}

// AddLoan counts a loan of a household in the given township and village:
// micro-loans issued in the year, balances and arrears on the as-of date;
// for the year's figures also 创业担保贷款.
func (a *Aggregator) AddLoan(l monitor.Loan, township, village string) {
	hk := householdKey(l.HouseholdCode, l.HouseholdID)
	issued := !l.IssueDate.IsZero() && l.IssueDate.Year == a.year
	switch l.Product {
	case monitor.ProductStartup:
		if issued {
			a.startupHH[hk] = true
			a.yearly.StartupLoanAmount += l.Amount
		}
		return
	case monitor.ProductMicro, "":
	default:
		return
	}
	v := a.village(township, village)
	if issued {
		k := placeKey{township, village}
		if a.loanHH[k] == nil {
			a.loanHH[k] = map[string]bool{}
		}
		a.loanHH[k][hk] = true
		a.microHH[hk] = true
		v.LoanAmount += l.Amount
		a.yearly.MicroLoanAmount += l.Amount
	}
	bal := l.Balance(a.asOf)
	if bal <= 0 {
		return
	}
	v.LoanBalance += bal
	days := l.DaysOverdue(a.asOf)
	if days > 0 {
		v.OverdueLoans++
		v.OverdueBalance += bal
	}
	if days > 30 {
		v.PAR30Balance += bal
	}
}

// Stats returns the statistics so far: villages sorted by township and
// village, township subtotals and the total. The Aggregator may go on
// counting; what Stats returned does not change.
func (a *Aggregator) Stats() *Stats {
	withMeasure := map[placeKey]int{}
	for hk, k := range a.monitored {
		if a.inPlace[hk] {
			withMeasure[k]++
		}
	}
	s := &Stats{AsOf: a.asOf, Year: a.year}
	for k, v := range a.villages {
		f := *v
		f.Categories, f.Risks, f.OpenFlags = maps.Clone(v.Categories), maps.Clone(v.Risks), maps.Clone(v.OpenFlags)
		f.WithMeasure = withMeasure[k]
		f.LoanHouseholds = len(a.loanHH[k])
		s.Villages = append(s.Villages, f)
	}
	slices.SortFunc(s.Villages, func(x, y Figures) int {
		return cmp.Or(cmp.Compare(x.Township, y.Township), cmp.Compare(x.Village, y.Village))
	})
	total := newFigures(LevelTotal, "", "")
	for i := range s.Villages {
		v := &s.Villages[i]
		if n := len(s.Townships); n == 0 || s.Townships[n-1].Township != v.Township {
			s.Townships = append(s.Townships, *newFigures(LevelTownship, v.Township, ""))
		}
		s.Townships[len(s.Townships)-1].add(v)
		total.add(v)
	}
	s.Total = *total
	s.FlagRiskTypes = flagRiskTypes(total.OpenFlags)

	y := a.yearly
	y.MicroLoanHouseholds = len(a.microHH)
	y.StartupLoanHouseholds = len(a.startupHH)
	y.MeasuresByCategory = map[string]int{}
	for c, hh := range a.categoryHH {
		y.MeasuresByCategory[c] = len(hh)
	}
	s.Yearly = y
	return s
}

// flagRiskTypes orders the risk types of open flags: official risk labels
// in their order, then the others by count, then name.
func flagRiskTypes(counts map[string]int) []string {
	rank := map[string]int{}
	for i, r := range monitor.Risks {
		rank[r] = i + 1
	}
	var types []string
	for t, n := range counts {
		if n > 0 {
			types = append(types, t)
		}
	}
	slices.SortFunc(types, func(x, y string) int {
		rx, ry := rank[x], rank[y]
		switch {
		case rx > 0 && ry > 0:
			return cmp.Compare(rx, ry)
		case rx > 0:
			return -1
		case ry > 0:
			return 1
		}
		return cmp.Or(cmp.Compare(counts[y], counts[x]), cmp.Compare(x, y))
	})
	return types
}
