package rules

import (
	"testing"

	"github.com/shouwang/shouwang/monitor"
)

func date(y, m, d int) monitor.Date { return monitor.Date{Year: y, Month: m, Day: d} }

// sampleHousehold is a monitored household of five (one of them missing from
// the latest import) as the store would load it.
func sampleHousehold() *monitor.Household {
	return &monitor.Household{
		Code: "500101001", Size: 4, Type: monitor.TypeLifted, Category: monitor.CatUnstable,
		IdentifiedIn: monitor.YearMonth{Year: 2022, Month: 11}, Risks: []string{"因病", "因学"},
		RiskEliminated: true, EliminationMethod: "帮扶消除", EliminatedOn: date(2022, 12, 15),
		Members: []monitor.Member{
			{Name: "张大山", Relation: "户主", Sex: "男", BirthDate: date(1978, 3, 2), Health: "健康",
				LaborSkill: monitor.LaborNormal, MedicalInsured: true},
			// Birth date from the ID number only: 2013-01-01, so 10 on AsOf.
			{Name: "张小明", Relation: "子", Sex: "男", IDNumber: "500101201301011234",
				SchoolStatus: "失学辍学", MedicalInsured: true},
			// 16 on AsOf: out of school but past compulsory age.
			{Name: "张小红", Relation: "女", Sex: "女", BirthDate: date(2007, 1, 5),
				SchoolStatus: "失学辍学", LaborSkill: monitor.LaborWeak, MedicalInsured: true},
			{Name: "李秀英", Relation: "母亲", Sex: "女", BirthDate: date(1943, 8, 9), Health: "残疾",
				LaborSkill: monitor.LaborLost, MedicalInsured: false},
			{Name: "张二山", Relation: "兄弟姐妹", BirthDate: date(1980, 1, 1),
				LaborSkill: monitor.LaborNormal, Missing: true},
		},
		Incomes: []monitor.Income{
			{Year: 2021, Net: monitor.Yuan(40000), PerCapita: monitor.Yuan(10000)},
			{Year: 2024, Net: monitor.Yuan(60000), PerCapita: monitor.Yuan(15000)},
			{Year: 2022, Net: monitor.Yuan(22000), PerCapita: monitor.Yuan(5500), MedicalOOP: monitor.Yuan(12000),
				Transfer: 123456, Wage: monitor.Yuan(15000)},
		},
	}
}

func sampleInputs() Inputs {
	return Inputs{
		Line: 6900,
		Measures: []monitor.Measure{
			{Category: "产业帮扶", Status: monitor.MeasureInPlace, Start: date(2022, 12, 1)},
			{Category: "综合保障", Status: monitor.MeasureInPlace, Start: date(2022, 12, 1)},
			{Category: "就业帮扶", Status: monitor.MeasurePlanned},
			{Category: "健康帮扶", Status: monitor.MeasureEnded, Start: date(2022, 12, 1), End: date(2023, 1, 31)},
			{Category: "就业帮扶", Status: monitor.MeasureInPlace, Start: date(2023, 9, 1)},
		},
		Dept: []monitor.DeptRecord{
			{Kind: monitor.DeptMedical, Date: date(2023, 1, 10), Amount: monitor.Yuan(3000)},
			{Kind: monitor.DeptMedical, Date: date(2022, 6, 30), Amount: monitor.Yuan(9000)}, // a year before AsOf: out
			{Kind: monitor.DeptMedical, Date: date(2022, 7, 1), Amount: monitor.Yuan(1000)},  // first day of the window
			{Kind: monitor.DeptMedical, Period: "2023-06", Amount: monitor.Yuan(2000)},
			{Kind: monitor.DeptMedical, Date: date(2023, 7, 5), Amount: monitor.Yuan(500)}, // after AsOf: out
			{Kind: monitor.DeptCivil, Period: "2021"},                                      // out
			{Kind: monitor.DeptDisaster, Period: "2022Q4"},
			{Kind: monitor.DeptEducation, Period: "202305", Amount: monitor.Yuan(12000), Detail: "高中学费"},
		},
		Loans: []LoanFacts{
			{Product: "脱贫人口小额信贷", Amount: 50000, Active: true, MicroLoan: true},
			{Product: "脱贫人口小额信贷", Amount: 30000, MicroLoan: true},
			{Product: "创业担保贷款", Amount: 100000, Active: true},
		},
	}
}

func TestBuildFacts(t *testing.T) {
	var f Facts
	BuildFacts(&f, sampleHousehold(), date(2023, 6, 30), sampleInputs())

	ints := []struct {
		name      string
		got, want int
	}{
		{"Year", f.Year, 2023},
		{"Members", len(f.Members), 4},
		{"HeadAge", f.Members[0].Age, 45},
		{"ChildAgeFromID", f.Members[1].Age, 10},
		{"TeenAge", f.Members[2].Age, 16},
		{"Workers", f.Workers, 2},
		{"Dropouts", f.Dropouts, 1},
		{"Uninsured", f.Uninsured, 1},
		{"Disabled", f.Disabled, 1},
		{"Size", f.Household.Size, 4},
		{"IncomeYear", f.Income.Year, 2022},
		{"PrevIncomeYear", f.PrevIncome.Year, 2021},
		{"MonthsSinceIdentified", f.Household.MonthsSinceIdentified, 7},
		{"DaysSinceIdentified", f.Household.DaysSinceIdentified, 241},
		{"EliminatedAfterMonths", f.Household.EliminatedAfterMonths, 1},
		{"MeasuresTotal", f.Measures.Total, 4},
		{"MeasuresInPlace", f.Measures.InPlace, 2},
		{"MeasuresDevelopment", f.Measures.Development, 1},
		{"MeasuresSafetyNet", f.Measures.SafetyNet, 1},
		{"DeptRecords", f.Dept.Records, 5},
		{"ActiveMicroLoans", f.ActiveMicroLoans, 1},
	}
	for _, c := range ints {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %d, want %d", c.got, c.want)
			}
		})
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"IncomePerCapita", f.Income.PerCapita, 5500},
		{"IncomeMedicalOOP", f.Income.MedicalOOP, 12000},
		{"IncomeTransfer", f.Income.Transfer, 1234.56},
		{"PrevIncomePerCapita", f.PrevIncome.PerCapita, 10000},
		{"DeptMedicalOOP", f.Dept.MedicalOOP, 6000},
		{"Line", f.Line, 6900},
		{"DefaultParams", f.Params.LoanCap, 50000},
	}
	for _, c := range floats {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %v, want %v", c.got, c.want)
			}
		})
	}
	bools := []struct {
		name      string
		got, want bool
	}{
		{"ChildCompulsoryAndOut", f.Members[1].CompulsoryAge && f.Members[1].OutOfSchool, true},
		{"TeenNotCompulsory", f.Members[2].CompulsoryAge, false},
		{"TeenOutOfSchool", f.Members[2].OutOfSchool, true},
		{"WeakLabourCanWork", f.Members[2].CanWork, true},
		{"Monitored", f.Household.Monitored, true},
		{"Lifted", f.Household.Lifted, true},
		{"IncomeHas", f.Income.Has, true},
		{"DeptDisaster", f.Dept.Disaster, true},
		{"DeptCivilOutsideWindow", f.Dept.Civil, false},
		{"DeptSchoolCostIsNotDropout", f.Dept.EducationDropout, false},
	}
	for _, c := range bools {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %v, want %v", c.got, c.want)
			}
		})
	}
	if got, want := f.AsOf, "2023-06-30"; got != want {
		t.Fatalf("AsOf = %q, want %q", got, want)
	}
}

func TestBuildFactsIncomeSelection(t *testing.T) {
	h := sampleHousehold()
	tests := []struct {
		name           string
		asOf           monitor.Date
		year, prevYear int
		has, prevHas   bool
	}{
		{"OKLatestNotAfterAsOf", date(2023, 6, 30), 2022, 2021, true, true},
		{"OKSameYear", date(2024, 1, 1), 2024, 0, true, false},
		{"OKOldest", date(2021, 12, 31), 2021, 0, true, false},
		{"NoneBefore", date(2020, 12, 31), 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Facts
			BuildFacts(&f, h, tt.asOf, Inputs{})
			if f.Income.Has != tt.has || f.Income.Year != tt.year {
				t.Fatalf("Income = %v %d, want %v %d", f.Income.Has, f.Income.Year, tt.has, tt.year)
			}
			if f.PrevIncome.Has != tt.prevHas || f.PrevIncome.Year != tt.prevYear {
				t.Fatalf("PrevIncome = %v %d, want %v %d", f.PrevIncome.Has, f.PrevIncome.Year, tt.prevHas, tt.prevYear)
			}
			wantLineYear := tt.year
			if !tt.has {
				wantLineYear = tt.asOf.Year
			}
			if got := IncomeYear(h, tt.asOf); got != wantLineYear {
				t.Fatalf("IncomeYear = %d, want %d", got, wantLineYear)
			}
		})
	}
}

func TestBuildFactsIdentification(t *testing.T) {
	tests := []struct {
		name                 string
		identified           monitor.YearMonth
		eliminated           monitor.Date
		asOf                 monitor.Date
		months, days, elimAt int
	}{
		{"OKSameMonth", monitor.YearMonth{Year: 2023, Month: 3}, date(2023, 3, 20), date(2023, 3, 31), 0, 30, 0},
		{"OKYearLater", monitor.YearMonth{Year: 2022, Month: 3}, date(2023, 1, 5), date(2023, 3, 1), 12, 365, 10},
		{"NotIdentified", monitor.YearMonth{}, date(2023, 1, 5), date(2023, 3, 1), -1, -1, -1},
		{"IdentifiedAfterAsOf", monitor.YearMonth{Year: 2023, Month: 5}, monitor.Date{}, date(2023, 3, 1), -1, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &monitor.Household{Category: monitor.CatEdge, IdentifiedIn: tt.identified, EliminatedOn: tt.eliminated}
			var f Facts
			BuildFacts(&f, h, tt.asOf, Inputs{})
			hf := f.Household
			if hf.MonthsSinceIdentified != tt.months || hf.DaysSinceIdentified != tt.days || hf.EliminatedAfterMonths != tt.elimAt {
				t.Fatalf("months, days, eliminated after = %d, %d, %d; want %d, %d, %d",
					hf.MonthsSinceIdentified, hf.DaysSinceIdentified, hf.EliminatedAfterMonths, tt.months, tt.days, tt.elimAt)
			}
		})
	}
}

func TestDayNumber(t *testing.T) {
	a := date(1999, 12, 31)
	for _, b := range []monitor.Date{date(2000, 2, 29), date(2000, 3, 1), date(2023, 6, 30), date(2100, 3, 1), date(1970, 1, 1)} {
		if got, want := daysBetween(a, b), a.DaysUntil(b); got != want {
			t.Fatalf("daysBetween(%v, %v) = %d, want %d", a, b, got, want)
		}
	}
}

func TestPeriodSpan(t *testing.T) {
	tests := []struct {
		period     string
		start, end monitor.Date
		ok         bool
	}{
		{"2022", date(2022, 1, 1), date(2022, 12, 31), true},
		{"2022Q4", date(2022, 10, 1), date(2022, 12, 31), true},
		{"2024-02", date(2024, 2, 1), date(2024, 2, 29), true},
		{"202302", date(2023, 2, 1), date(2023, 2, 28), true},
		{"2023年6月", date(2023, 6, 1), date(2023, 6, 30), true},
		{"2023-13", monitor.Date{}, monitor.Date{}, false},
		{"上半年", monitor.Date{}, monitor.Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			s, e, ok := periodSpan(tt.period)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && (s != dayNumber(tt.start) || e != dayNumber(tt.end)) {
				t.Fatalf("span = %d..%d, want %d..%d", s, e, dayNumber(tt.start), dayNumber(tt.end))
			}
		})
	}
}

func TestBuildFactsReusesFacts(t *testing.T) {
	h, in := sampleHousehold(), sampleInputs()
	// monitor.OutOfSchool normalises the text of a status that mentions
	// 失学/辍学, which allocates; every other status is checked for free.
	for i := range h.Members {
		h.Members[i].SchoolStatus = "在校生"
	}
	asOf := date(2023, 6, 30)
	var f Facts
	BuildFacts(&f, h, asOf, in)
	allocs := testing.AllocsPerRun(100, func() { BuildFacts(&f, h, asOf, in) })
	if allocs != 0 {
		t.Fatalf("BuildFacts allocates %v times per household with a reused Facts, want 0", allocs)
	}
}
