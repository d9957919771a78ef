package rules

import (
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// Facts is what a rule sees of one household as of a date. Amounts are in
// yuan as float64 so that expressions read like the policy texts
// (Income.PerCapita < Line); counts are precomputed in Go so that rules stay
// short and evaluation fast. Field names are the names rule authors write.
type Facts struct {
	Year       int    // evaluation year: AsOf's year
	AsOf       string // "YYYY-MM-DD", for explanations
	Household  HouseholdFacts
	Income     IncomeFacts // income of the latest year <= Year (Has=false when none)
	PrevIncome IncomeFacts // the year before Income.Year
	Members    []MemberFacts
	Workers    int     // members who can work (monitor.LaborCapable)
	Dropouts   int     // members aged 6–15 on AsOf who are out of school (monitor.OutOfSchool)
	Uninsured  int     // members without basic medical insurance
	Disabled   int     // members whose health mentions 残疾
	Line       float64 // monitoring line (yuan/person/year) for Income.Year (or Year when no income)
	Params     Params
	Measures   MeasureFacts
	Loans      []LoanFacts
	// ActiveMicroLoans counts the Loans that are Active and MicroLoan.
	ActiveMicroLoans int
	Dept             DeptFacts
}

// HouseholdFacts are the household's own fields, with the durations rules
// need already computed.
type HouseholdFacts struct {
	Code, Type, Category, EliminationMethod string
	Risks                                   []string
	Size                                    int // 人口数; the number of members when it was not recorded

	// Monitored is a 监测对象 (Category set); Lifted is 户类型 脱贫户.
	Monitored, Lifted, RiskEliminated, HousingUnsafe, WaterUnsafe, EducationGap, MedicalGap, NoLaborSupport bool

	// MonthsSinceIdentified counts whole months from the first day of
	// IdentifiedIn to AsOf; -1 when not identified (or identified after AsOf).
	MonthsSinceIdentified int
	// DaysSinceIdentified counts days from the first day of IdentifiedIn to
	// AsOf; -1 when not identified (or identified after AsOf).
	DaysSinceIdentified int
	// EliminatedAfterMonths counts months from IdentifiedIn to the month of
	// EliminatedOn (0: the same month); -1 when either is unknown.
	EliminatedAfterMonths int
}

// IncomeFacts is one year's income record in yuan.
type IncomeFacts struct {
	Has  bool
	Year int

	Net, PerCapita, MedicalOOP, Transfer, Wage, Business, InsurancePay float64
}

// MemberFacts is one member as rules see it. Age is -1 when the birth date
// is unknown.
type MemberFacts struct {
	Name, Relation, Sex, Health, Labor, School string
	Age                                        int

	CanWork, OutOfSchool, CompulsoryAge, Insured bool
}

// Params are the local thresholds rules compare against: configuration,
// never constants in a rule.
type Params struct {
	IncomeDropShare   float64 // income fell by more than this share from the previous year
	MedicalShareOfNet float64 // out-of-pocket medical spending above this share of net income
	MedicalLifted     float64 // department-reported out-of-pocket threshold for 脱贫人口 (脱贫户 or monitored)
	MedicalOther      float64 // the same threshold for everybody else
	MeasureGraceDays  int     // days after identification by which a measure must be in place
	StableMonths      int     // months of stable income before risk elimination
	LoanCap           float64 // 脱贫人口小额信贷 cap per household
	LoanMaxMonths     int     // longest micro-loan term
	BorrowerMinAge    int
	BorrowerMaxAge    int
	MaturingDays      int // a loan due within this many days is "maturing"
}

// DefaultParams returns the thresholds of the national guidance and the
// common local practice.
func DefaultParams() Params {
	return Params{
		IncomeDropShare:   0.3,
		MedicalShareOfNet: 0.5,
		MedicalLifted:     5000,
		MedicalOther:      20000,
		MeasureGraceDays:  30,
		StableMonths:      6,
		LoanCap:           50000,
		LoanMaxMonths:     36,
		BorrowerMinAge:    18,
		BorrowerMaxAge:    65,
		MaturingDays:      30,
	}
}

// MeasureFacts counts a household's assistance measures. Total counts the
// measures recorded by AsOf (planned ones included); InPlace those active on
// AsOf (monitor.Measure.ActiveOn); Development and SafetyNet the active ones
// in monitor.DevelopmentCategories and monitor.SafetyNetCategories.
type MeasureFacts struct {
	Total, InPlace, Development, SafetyNet int
}

// LoanFacts is one loan as rules see it; the loan arithmetic (days overdue,
// days to maturity, borrower age) is done by the caller.
type LoanFacts struct {
	Product, Status                                      string
	Amount                                               float64
	TermMonths, BorrowerAge, DaysOverdue, DaysToMaturity int
	Active, MicroLoan                                    bool
}

// DeptFacts sums up the department records of the 12 months up to AsOf.
type DeptFacts struct {
	MedicalOOP float64 // 医保 out-of-pocket amounts, summed
	Records    int     // records in the window

	Civil, Disability, EducationDropout, Disaster, Unemployed, HousingUnsafe, WaterUnsafe, Accident bool
}

// Inputs are what the store provides besides the household itself.
type Inputs struct {
	Line     float64 // monitoring line (yuan/person/year) of IncomeYear(h, asOf)
	Params   Params  // a zero Params means DefaultParams()
	Measures []monitor.Measure
	Loans    []LoanFacts // computed elsewhere (loan math lives in monitor); copied in
	// Dept holds this household's department records. Records dated after
	// AsOf or before the 12 months up to AsOf are ignored; a record with no
	// date is placed by its Period (2022, 2022Q4, 2022-10, 202210) and one
	// that has neither counts.
	Dept []monitor.DeptRecord
}

// BuildFacts fills dst for h (with Members and Incomes loaded) as of asOf.
// It reuses dst's Members slice, so a caller evaluating many households keeps
// one Facts and allocates nothing per household once the slice is large
// enough (except to normalise a school status that mentions 失学/辍学).
// Members marked Missing (absent from the latest import) are left out:
// nobody has confirmed they still live there. Loans and Risks are shared
// with in and h, not copied.
func BuildFacts(dst *Facts, h *monitor.Household, asOf monitor.Date, in Inputs) {
	members := dst.Members[:0]
	asOfText := dst.AsOf
	if !isDateText(asOfText, asOf) {
		asOfText = asOf.String()
	}
	*dst = Facts{Year: asOf.Year, AsOf: asOfText, Line: in.Line, Params: in.Params, Loans: in.Loans}
	if dst.Params == (Params{}) {
		dst.Params = DefaultParams()
	}
	buildHousehold(&dst.Household, h, asOf)
	for i := range h.Members {
		m := &h.Members[i]
		if m.Missing {
			continue
		}
		members = append(members, memberFacts(m, asOf))
		mf := &members[len(members)-1]
		if mf.CanWork {
			dst.Workers++
		}
		if mf.CompulsoryAge && mf.OutOfSchool {
			dst.Dropouts++
		}
		if !mf.Insured {
			dst.Uninsured++
		}
		if strings.Contains(mf.Health, "残疾") {
			dst.Disabled++
		}
	}
	dst.Members = members
	if dst.Household.Size <= 0 {
		dst.Household.Size = len(members)
	}
	buildIncomes(dst, h.Incomes, asOf.Year)
	buildMeasures(&dst.Measures, in.Measures, asOf)
	for i := range in.Loans {
		if in.Loans[i].Active && in.Loans[i].MicroLoan {
			dst.ActiveMicroLoans++
		}
	}
	buildDept(&dst.Dept, in.Dept, asOf)
}

func buildHousehold(hf *HouseholdFacts, h *monitor.Household, asOf monitor.Date) {
	*hf = HouseholdFacts{
		Code: h.Code, Type: h.Type, Category: h.Category, EliminationMethod: h.EliminationMethod,
		Monitored: h.Monitored(), Lifted: h.Type == monitor.TypeLifted, RiskEliminated: h.RiskEliminated,
		HousingUnsafe: h.HousingUnsafe, WaterUnsafe: h.WaterUnsafe, EducationGap: h.EducationGap,
		MedicalGap: h.MedicalGap, NoLaborSupport: h.NoLaborSupport,
		Risks: h.Risks, Size: h.Size,
		MonthsSinceIdentified: -1, DaysSinceIdentified: -1, EliminatedAfterMonths: -1,
	}
	ym := h.IdentifiedIn
	if ym.IsZero() {
		return
	}
	if days := daysBetween(ym.FirstDay(), asOf); days >= 0 {
		hf.DaysSinceIdentified = days
		hf.MonthsSinceIdentified = monthsBetween(ym.Year, ym.Month, asOf.Year, asOf.Month)
	}
	if e := h.EliminatedOn; !e.IsZero() {
		if n := monthsBetween(ym.Year, ym.Month, e.Year, e.Month); n >= 0 {
			hf.EliminatedAfterMonths = n
		}
	}
}

func monthsBetween(y1, m1, y2, m2 int) int { return (y2-y1)*12 + m2 - m1 }

// daysBetween counts days from a to b without going through time.Time.
func daysBetween(a, b monitor.Date) int { return dayNumber(b) - dayNumber(a) }

// dayNumber is the count of days since 0000-03-01 in the proleptic Gregorian
// calendar (the "days from civil" algorithm).
func dayNumber(d monitor.Date) int {
	y, m := d.Year, d.Month
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe
}

func memberFacts(m *monitor.Member, asOf monitor.Date) MemberFacts {
	mf := MemberFacts{
		Name: m.Name, Relation: m.Relation, Sex: m.Sex, Health: m.Health,
		Labor: m.LaborSkill, School: m.SchoolStatus, Age: -1,
		CanWork: m.CanWork(), Insured: m.MedicalInsured,
	}
	birth := m.BirthDate
	if birth.IsZero() {
		birth = birthFromID(m.IDNumber)
	}
	if !birth.IsZero() {
		mf.Age = monitor.AgeOn(birth, asOf)
		mf.CompulsoryAge = mf.Age >= 6 && mf.Age <= 15
	}
	// Every form monitor.OutOfSchool accepts has 失 or 辍; checking that
	// first spares the text normalisation (and its allocation) for the
	// common statuses.
	if strings.ContainsAny(mf.School, "失辍") {
		mf.OutOfSchool = monitor.OutOfSchool(mf.School)
	}
	return mf
}

// birthFromID reads the birth date of an 18-character ID number; the zero
// Date when there is none.
func birthFromID(id string) monitor.Date {
	if len(id) != 18 {
		return monitor.Date{}
	}
	n := func(s string) int {
		v := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return -1
			}
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	d, ok := monitor.NewDate(n(id[6:10]), n(id[10:12]), n(id[12:14]))
	if !ok {
		return monitor.Date{}
	}
	return d
}

// IncomeYear returns the year whose monitoring line Inputs.Line must hold
// for h as of asOf: the latest income year not after asOf's year, or asOf's
// year when h has no such income.
func IncomeYear(h *monitor.Household, asOf monitor.Date) int {
	if i := latestIncome(h.Incomes, asOf.Year); i >= 0 {
		return h.Incomes[i].Year
	}
	return asOf.Year
}

// latestIncome returns the index of the latest income not after year, -1
// when there is none.
func latestIncome(incomes []monitor.Income, year int) int {
	latest := -1
	for i := range incomes {
		y := incomes[i].Year
		if y <= year && (latest < 0 || y > incomes[latest].Year) {
			latest = i
		}
	}
	return latest
}

func buildIncomes(dst *Facts, incomes []monitor.Income, year int) {
	latest := latestIncome(incomes, year)
	if latest < 0 {
		return
	}
	size := dst.Household.Size
	dst.Income = incomeFacts(&incomes[latest], size)
	for i := range incomes {
		if incomes[i].Year == dst.Income.Year-1 {
			dst.PrevIncome = incomeFacts(&incomes[i], size)
			return
		}
	}
}

// incomeFacts converts fen to yuan. A record that carries a net income but
// no per-capita figure gets one computed from the household size.
func incomeFacts(in *monitor.Income, size int) IncomeFacts {
	pc := in.PerCapita
	if pc == 0 && in.Net != 0 && size > 0 {
		pc = monitor.PerCapitaOf(in.Net, size)
	}
	return IncomeFacts{
		Has: true, Year: in.Year,
		Net: in.Net.Float(), PerCapita: pc.Float(), MedicalOOP: in.MedicalOOP.Float(),
		Transfer: in.Transfer.Float(), Wage: in.Wage.Float(), Business: in.Business.Float(),
		InsurancePay: in.InsurancePay.Float(),
	}
}

func buildMeasures(mf *MeasureFacts, measures []monitor.Measure, asOf monitor.Date) {
	for i := range measures {
		m := &measures[i]
		if !m.Start.IsZero() && asOf.Before(m.Start) {
			continue
		}
		mf.Total++
		if !m.ActiveOn(asOf) {
			continue
		}
		mf.InPlace++
		if monitor.DevelopmentCategories[m.Category] {
			mf.Development++
		}
		if monitor.SafetyNetCategories[m.Category] {
			mf.SafetyNet++
		}
	}
}

func buildDept(df *DeptFacts, records []monitor.DeptRecord, asOf monitor.Date) {
	// The window is the 12 months up to AsOf: (AsOf − 1 year, AsOf].
	to := dayNumber(asOf)
	from := dayNumber(monitor.Date{Year: asOf.Year - 1, Month: asOf.Month, Day: asOf.Day})
	if asOf.Month == 2 && asOf.Day == 29 {
		from = dayNumber(monitor.Date{Year: asOf.Year - 1, Month: 2, Day: 28})
	}
	for i := range records {
		r := &records[i]
		if !inWindow(r, from, to) {
			continue
		}
		df.Records++
		switch r.Kind {
		case monitor.DeptMedical:
			df.MedicalOOP += r.Amount.Float()
		case monitor.DeptCivil:
			df.Civil = true
		case monitor.DeptDisability:
			df.Disability = true
		case monitor.DeptEducation:
			// 教育 also sends high school costs; those carry an amount and
			// no mention of dropping out.
			if r.Amount == 0 || strings.ContainsAny(r.Detail, "失辍") {
				df.EducationDropout = true
			}
		case monitor.DeptDisaster:
			df.Disaster = true
		case monitor.DeptEmployment:
			df.Unemployed = true
		case monitor.DeptHousing:
			df.HousingUnsafe = true
		case monitor.DeptWater:
			df.WaterUnsafe = true
		case monitor.DeptAccident:
			df.Accident = true
		}
	}
}

// inWindow reports whether a record's date, or else its period, falls in
// the day numbers (from, to]. A period counts when it overlaps the window.
func inWindow(r *monitor.DeptRecord, from, to int) bool {
	if !r.Date.IsZero() {
		d := dayNumber(r.Date)
		return d > from && d <= to
	}
	start, end, ok := periodSpan(r.Period)
	if !ok {
		return true
	}
	return end > from && start <= to
}

// periodSpan reads a list period (2022, 2022Q4, 2022-10, 2022.10, 202210,
// 2022年10月) as first and last day numbers.
func periodSpan(p string) (start, end int, ok bool) {
	p = strings.TrimSpace(p)
	if len(p) < 4 {
		return 0, 0, false
	}
	y := 0
	for i := 0; i < 4; i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, 0, false
		}
		y = y*10 + int(p[i]-'0')
	}
	rest := strings.TrimSuffix(strings.TrimLeft(p[4:], "-/.年 "), "月")
	m1, m2 := 1, 12
	switch {
	case rest == "":
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') && rest[1] >= '1' && rest[1] <= '4':
		q := int(rest[1] - '0')
		m1, m2 = 3*q-2, 3*q
	default:
		m := 0
		for i := 0; i < len(rest); i++ {
			if rest[i] < '0' || rest[i] > '9' {
				return 0, 0, false
			}
			m = m*10 + int(rest[i]-'0')
		}
		if len(rest) > 2 || m < 1 || m > 12 {
			return 0, 0, false
		}
		m1, m2 = m, m
	}
	start = dayNumber(monitor.Date{Year: y, Month: m1, Day: 1})
	// The last day of m2 is the day before the first of the next month.
	ny, nm := y, m2+1
	if nm == 13 {
		ny, nm = y+1, 1
	}
	end = dayNumber(monitor.Date{Year: ny, Month: nm, Day: 1}) - 1
	return start, end, true
}

// isDateText reports whether s is d formatted as YYYY-MM-DD, so that
// BuildFacts formats the date once for a whole run.
func isDateText(s string, d monitor.Date) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	num := func(a, b int) int {
		v := 0
		for i := a; i < b; i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	return num(0, 4) == d.Year && num(5, 7) == d.Month && num(8, 10) == d.Day
}
