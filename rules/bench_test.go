package rules

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
)

// A population is a set of households with their inputs, as the store would
// hand them to BuildFacts.
type population struct {
	households []*monitor.Household
	inputs     []Inputs
}

// rates are the shares that shape a generated population.
type rates struct {
	lifted, monitored, eliminated  float64 // shares of households
	lowIncome, incomeDrop, medical float64 // shares of households
	dept, loan, loanProblem        float64 // shares of households; of loans
	noLabor, dropout, uninsured    float64 // shares of adults; of school-age children; of members
	unsafe                         float64 // housing or water, share of households
}

// countyRates approximate a rural county's registry: a third 脱贫户, a few
// percent monitored, most households above the line and unflagged.
var countyRates = rates{
	lifted: 0.3, monitored: 0.04, eliminated: 0.4,
	lowIncome: 0.03, incomeDrop: 0.03, medical: 0.02,
	dept: 0.03, loan: 0.08, loanProblem: 0.05,
	noLabor: 0.08, dropout: 0.002, uninsured: 0.005, unsafe: 0.002,
}

// flaggedRates is a worst case where most households trip some rule: the
// cost of rendering explanations dominates.
var flaggedRates = rates{
	lifted: 0.5, monitored: 0.4, eliminated: 0.4,
	lowIncome: 0.4, incomeDrop: 0.2, medical: 0.3,
	dept: 0.3, loan: 0.3, loanProblem: 0.3,
	noLabor: 0.4, dropout: 0.1, uninsured: 0.05, unsafe: 0.05,
}

func makePopulation(n int, rt rates) population {
	r := rand.New(rand.NewPCG(1, 2))
	chance := func(p float64) bool { return r.Float64() < p }
	p := population{households: make([]*monitor.Household, n), inputs: make([]Inputs, n)}
	for i := range n {
		size := 1 + r.IntN(3) + r.IntN(3)
		h := &monitor.Household{Code: "5001010" + strconv.Itoa(100000+i), Size: size, Type: monitor.TypeOrdinary}
		if chance(rt.lifted) {
			h.Type = monitor.TypeLifted
		}
		in := Inputs{Line: 6900}
		if chance(rt.monitored) {
			h.Category = monitor.Categories[r.IntN(3)]
			h.IdentifiedIn = monitor.YearMonth{Year: 2022, Month: 1 + r.IntN(12)}
			h.Risks = []string{monitor.Risks[r.IntN(len(monitor.Risks))]}
			if chance(rt.eliminated) {
				h.RiskEliminated, h.EliminationMethod = true, "帮扶消除"
				h.EliminatedOn = date(2023, 1+r.IntN(6), 1+r.IntN(28))
			}
			for range r.IntN(4) {
				in.Measures = append(in.Measures, monitor.Measure{Status: monitor.MeasureInPlace, Start: date(2022, 12, 1),
					Category: monitor.MeasureCategories[r.IntN(len(monitor.MeasureCategories))]})
			}
		}
		h.HousingUnsafe = chance(rt.unsafe)
		h.WaterUnsafe = chance(rt.unsafe)
		for j := range size {
			age := 20 + r.IntN(60)
			if j >= 2 {
				age = 1 + r.IntN(17)
			}
			m := monitor.Member{Name: "成员" + strconv.Itoa(j), BirthDate: date(2023-age, 1+r.IntN(12), 1+r.IntN(28)),
				Health: "健康", MedicalInsured: !chance(rt.uninsured)}
			switch {
			case age < 16:
				m.SchoolStatus = "小学"
				if chance(rt.dropout) {
					m.SchoolStatus = "失学辍学"
				}
			case age >= 65 || chance(rt.noLabor):
				m.LaborSkill, m.Health = monitor.LaborLost, "长期慢性病"
			default:
				m.LaborSkill = monitor.LaborNormal
			}
			h.Members = append(h.Members, m)
		}
		pc := 9000 + 12000*r.Float64()
		if chance(rt.lowIncome) {
			pc = 2000 + 4800*r.Float64()
		}
		prev := pc * (0.95 + 0.2*r.Float64())
		if chance(rt.incomeDrop) {
			prev = pc * 1.6
		}
		for y, v := range []float64{prev * 0.97, prev, pc} {
			y += 2021
			net := monitor.Money(math.Round(v * 100 * float64(size)))
			in := monitor.Income{Year: y, Net: net, PerCapita: monitor.PerCapitaOf(net, size), Transfer: monitor.Yuan(1200)}
			if chance(rt.medical) {
				in.MedicalOOP = net * 3 / 5
			}
			h.Incomes = append(h.Incomes, in)
		}
		if chance(rt.dept) {
			in.Dept = []monitor.DeptRecord{{Kind: []string{monitor.DeptMedical, monitor.DeptCivil, monitor.DeptDisaster}[r.IntN(3)],
				Date: date(2023, 1+r.IntN(6), 1), Amount: monitor.Yuan(int64(r.IntN(30000)))}}
		}
		if chance(rt.loan) {
			l := LoanFacts{Product: "脱贫人口小额信贷", Amount: float64(10000 * (1 + r.IntN(5))), TermMonths: 12 * (1 + r.IntN(3)),
				BorrowerAge: 25 + r.IntN(35), DaysToMaturity: 60 + r.IntN(600), Active: true, MicroLoan: true}
			if chance(rt.loanProblem) {
				l.DaysOverdue, l.Amount = 1+r.IntN(90), 80000
			}
			in.Loans = []LoanFacts{l}
		}
		p.households[i], p.inputs[i] = h, in
	}
	return p
}

func (p population) facts(asOf monitor.Date) []Facts {
	fs := make([]Facts, len(p.households))
	for i := range fs {
		BuildFacts(&fs[i], p.households[i], asOf, p.inputs[i])
	}
	return fs
}

func populationFacts(n int) []Facts { return makePopulation(n, flaggedRates).facts(date(2023, 6, 30)) }

var benchPopulations = []struct {
	name  string
	rates rates
}{{"county", countyRates}, {"flagged", flaggedRates}}

// BenchmarkEvaluateDefault runs the whole default set over a mixed
// population of prebuilt Facts, one household per iteration: "county" is a
// registry where few households are flagged, "flagged" one where most are.
func BenchmarkEvaluateDefault(b *testing.B) {
	for _, bp := range benchPopulations {
		b.Run(bp.name, func(b *testing.B) {
			pop := makePopulation(4096, bp.rates).facts(date(2023, 6, 30))
			e := Default().NewEvaluator()
			var hits []Hit
			total := 0
			b.ReportAllocs()
			cpu := processCPU()
			for i := 0; b.Loop(); i++ {
				hits = e.Evaluate(&pop[i%len(pop)], hits[:0])
				total += len(hits)
			}
			reportRates(b, processCPU()-cpu)
			b.ReportMetric(float64(total)/float64(b.N), "hits/household")
		})
	}
}

// BenchmarkEvaluateDefaultParallel is the county population with one
// Evaluator per goroutine, for the figure across all cores.
func BenchmarkEvaluateDefaultParallel(b *testing.B) {
	pop := makePopulation(4096, countyRates).facts(date(2023, 6, 30))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		e := Default().NewEvaluator()
		var hits []Hit
		for i := 0; pb.Next(); i++ {
			hits = e.Evaluate(&pop[i%len(pop)], hits[:0])
		}
	})
	reportRates(b, processCPU()-cpu)
}

// BenchmarkBuildFacts fills one reused Facts per household.
func BenchmarkBuildFacts(b *testing.B) {
	p := makePopulation(4096, countyRates)
	asOf := date(2023, 6, 30)
	var f Facts
	b.ReportAllocs()
	cpu := processCPU()
	for i := 0; b.Loop(); i++ {
		j := i % len(p.households)
		BuildFacts(&f, p.households[j], asOf, p.inputs[j])
	}
	reportRates(b, processCPU()-cpu)
}

// reportRates reports households per second of wall time, and per second of
// CPU time (one core's worth of work, GC included) when that is known: the
// machine may be busy with other work.
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "households/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "households/cpu-s")
	}
}

// BenchmarkParseDefault compiles the default rule file.
func BenchmarkParseDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(defaultSource); err != nil {
			b.Fatal(err)
		}
	}
}
