package rules

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shouwang/shouwang/monitor"
)

// defaultCodes are the codes other packages depend on.
var defaultCodes = []string{
	"income_below_line", "income_drop", "medical_oop_high", "dept_medical_large", "housing_unsafe",
	"water_unsafe", "compulsory_dropout", "uninsured_member", "no_labor", "dept_civil_assistance",
	"dept_disaster", "dept_accident", "dept_unemployed", "dept_disability",
	"dq_no_measure", "dq_eliminated_below_line", "dq_eliminated_too_early", "dq_safety_net_only",
	"dq_no_labor_unmarked", "dq_risk_employment_no_worker", "dq_risk_illness_no_cost", "dq_transfer_zero_with_civil",
	"loan_over_cap", "loan_term_too_long", "loan_borrower_age", "loan_multiple_active",
	"loan_ineligible_household", "loan_overdue", "loan_maturing",
}

func TestDefault(t *testing.T) {
	s := Default()
	var codes []string
	for _, r := range s.Rules {
		codes = append(codes, r.Code)
	}
	for _, c := range defaultCodes {
		if !slices.Contains(codes, c) {
			t.Errorf("default set lacks rule %s", c)
		}
	}
	if got, want := len(codes), len(defaultCodes); got != want {
		t.Errorf("default set has %d rules, want %d: %v", got, want, codes)
	}
	if s.Version == "" {
		t.Error("default set has no version")
	}
	for _, err := range s.RunExamples() {
		t.Error(err)
	}
}

// TestDefaultExamples runs each example of each default rule on its own.
func TestDefaultExamples(t *testing.T) {
	e := Default().NewEvaluator()
	for _, r := range Default().Rules {
		t.Run(r.Code, func(t *testing.T) {
			var fires, quiet int
			for i, ex := range r.Examples {
				if ex.Fires {
					fires++
				} else {
					quiet++
				}
				t.Run(ex.Name, func(t *testing.T) {
					f := r.examples[i]
					var hit *Hit
					for _, h := range e.Evaluate(&f, nil) {
						if h.Code == r.Code {
							hit = &h
						}
					}
					if got, want := hit != nil, ex.Fires; got != want {
						t.Fatalf("fired = %v, want %v", got, want)
					}
					if hit != nil && (hit.Explanation == "" || strings.Contains(hit.Explanation, "？")) {
						t.Fatalf("explanation %q", hit.Explanation)
					}
				})
			}
			if fires == 0 || quiet == 0 {
				t.Fatalf("%d firing and %d quiet examples, want at least one of each", fires, quiet)
			}
			if r.Name == "" || r.Risk == "" || r.Explain == "" {
				t.Fatalf("rule lacks a name, risk or explanation")
			}
		})
	}
	if n, err := e.Failures(); n > 0 {
		t.Fatalf("%d run-time failures, first: %v", n, err)
	}
}

func TestDefaultSourceIsACopy(t *testing.T) {
	src := DefaultSource()
	src[0] = 'X'
	if DefaultSource()[0] == 'X' {
		t.Fatal("DefaultSource returned the embedded bytes")
	}
}

// rule builds a one-rule file around a when and an explain.
func rule(code, when, explain string) string {
	return "[[rule]]\ncode = \"" + code + "\"\nname = \"测试\"\nrisk = \"收入\"\nseverity = \"高\"\nwhen = '" + when +
		"'\nexplain = '" + explain + "'\n"
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the error; none means OK
	}{
		{"OK", rule("ok", "Income.Has && Income.PerCapita < Line", "人均 {yuan(Income.PerCapita)} 元"), nil},
		{"OKNestedBracesAndEscapes", rule("ok", "Workers == 0", "{{字面}} {count(Members, {.CanWork})} 人 {\"}\"}"), nil},
		{"ErrMalformedTOML", "[[rule]]\ncode = \"x\"\nname = \n", []string{"规则文件格式错误", "第3行"}},
		{"ErrTOMLType", rule("ty", "Workers == 0", "x") + "[[rule.example]]\nfires = \"yes\"\n",
			[]string{"规则文件格式错误：第9行（rule.example.fires）"}},
		{"ErrUnknownFact", rule("bad_fact", "Incom.PerCapita < 1", "x"),
			[]string{"规则 bad_fact 的条件无法编译：第1行第1列：unknown name Incom"}},
		{"ErrUnknownFactPosition", rule("bad_field", "Income.Has && Income.PerCapit < 1", "x"),
			[]string{"规则 bad_field 的条件无法编译：第1行第", "PerCapit"}},
		{"ErrNotBool", rule("not_bool", "Income.PerCapita", "x"), []string{"规则 not_bool 的条件（when）结果必须是真或假", "float64"}},
		{"ErrDuplicateCode", rule("twice", "Workers == 0", "x") + rule("twice", "Workers > 0", "y"),
			[]string{"规则编号 twice 重复", "第1条和第2条"}},
		{"ErrBadPlaceholder", rule("bad_explain", "Workers == 0", "收入 {yuan(Income.PerCapit)} 元"),
			[]string{"规则 bad_explain 的说明中的占位符 {yuan(Income.PerCapit)} 无法编译：第1行第"}},
		{"ErrUnclosedPlaceholder", rule("open", "Workers == 0", "收入 {yuan(Income.PerCapita) 元"), []string{"规则 open", "没有对应的 }"}},
		{"ErrStrayBrace", rule("stray", "Workers == 0", "收入 } 元"), []string{"规则 stray", "多余的 }"}},
		{"ErrEmptyCode", rule("", "Workers == 0", "x"), []string{"第1条规则（文件第1行）缺少编号"}},
		{"ErrBadCode", rule("Income Low", "Workers == 0", "x"), []string{"编号“Income Low”无效"}},
		{"ErrEmptyWhen", rule("no_when", "", "x"), []string{"规则 no_when 的条件（when）不能为空"}},
		{"ErrEmptyName", strings.Replace(rule("no_name", "Workers == 0", "x"), "测试", "", 1), []string{"规则 no_name 的名称（name）不能为空"}},
		{"ErrBadSeverity", strings.Replace(rule("sev", "Workers == 0", "x"), "\"高\"", "\"严重\"", 1),
			[]string{"规则 sev 的严重程度（severity）“严重”无效：应为 高、中 或 低"}},
		{"ErrBadKind", rule("kind", "Workers == 0", "x") + "kind = \"money\"\n", []string{"规则 kind 的类别（kind）“money”无效"}},
		{"ErrUnknownKey", rule("typo", "Workers == 0", "x") + "wen = \"x\"\n", []string{"无法识别的项：rule.wen"}},
		{"ErrExampleUnknownFact", rule("ex", "Workers == 0", "x") + "[[rule.example]]\nname = \"甲\"\nfacts = '{\"Worker\": 1}'\n",
			[]string{"规则 ex 的示例“甲”的 facts 无法读取", "Worker"}},
		{"ErrEveryProblem", rule("a", "Incom < 1", "x") + rule("b", "Workers", "x"), []string{"规则 a 的条件无法编译", "规则 b 的条件（when）结果必须是真或假"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.src))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(s.Rules) != 1 {
					t.Fatalf("%d rules, want 1", len(s.Rules))
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error is not a *ParseError with problems: %#v", err)
			}
			if got, want := monitor.ErrorCode(err), monitor.EINVALID; got != want {
				t.Fatalf("ErrorCode = %q, want %q", got, want)
			}
			if got := monitor.ErrorMessage(err); got != err.Error() {
				t.Fatalf("ErrorMessage = %q, want the problems", got)
			}
		})
	}
}

func TestParseProblemPosition(t *testing.T) {
	src := "[[rule]]\ncode = \"pos\"\nname = \"测试\"\nseverity = \"高\"\nwhen = '''\nIncome.Has &&\n  Incom.PerCapita < 1'''\n"
	_, err := Parse([]byte(src))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	p := pe.Problems[0]
	if p.Rule != "pos" || p.Field != "when" || p.Line != 2 || p.Column != 3 {
		t.Fatalf("problem = %+v, want rule pos, when, line 2, column 3", p)
	}
}

func TestRunExamplesReportsMismatch(t *testing.T) {
	src := rule("wrong", "Workers == 0", "无劳动力") +
		"[[rule.example]]\nname = \"应触发\"\nfacts = '{\"Workers\": 2}'\nfires = true\n" +
		"[[rule.example]]\nname = \"不应触发\"\nfacts = '{}'\nfires = false\n" +
		"[[rule.example]]\nname = \"对的\"\nfacts = '{\"Workers\": 2}'\nfires = false\n"
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	errs := s.RunExamples()
	if len(errs) != 2 {
		t.Fatalf("%d errors, want 2: %v", len(errs), errs)
	}
	for i, want := range []string{"规则 wrong 的示例“应触发”应触发，但没有触发", "规则 wrong 的示例“不应触发”不应触发，但触发了"} {
		if got := errs[i].Error(); got != want {
			t.Errorf("error %d = %q, want %q", i, got, want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	h := &monitor.Household{
		Code: "500101002", Size: 2, Type: monitor.TypeOrdinary,
		Members: []monitor.Member{
			{Name: "王一", BirthDate: date(1970, 1, 1), LaborSkill: monitor.LaborNormal, MedicalInsured: true},
			{Name: "王二", BirthDate: date(1972, 1, 1), LaborSkill: monitor.LaborNormal, MedicalInsured: true},
		},
		Incomes: []monitor.Income{{Year: 2022, Net: monitor.Yuan(5000), PerCapita: monitor.Yuan(2500), Transfer: monitor.Yuan(600)}},
	}
	var f Facts
	BuildFacts(&f, h, date(2022, 12, 31), Inputs{Line: 6900})
	e := Default().NewEvaluator()
	e.KeepValues = true
	hits := e.Evaluate(&f, nil)
	var codes []string
	for _, h := range hits {
		codes = append(codes, h.Code)
	}
	if !slices.Equal(codes, []string{"income_below_line"}) {
		t.Fatalf("hits %v, want [income_below_line]", codes)
	}
	got := hits[0]
	if want := "家庭年人均纯收入 2,500 元，低于 2022 年监测标准 6,900 元"; got.Explanation != want {
		t.Fatalf("explanation %q, want %q", got.Explanation, want)
	}
	if got.Name != "人均纯收入低于监测标准" || got.Risk != "收入" || got.Severity != "高" || got.Kind != KindRisk {
		t.Fatalf("hit %+v", got)
	}
	if v := got.Values["Income.Year"]; v != 2022 {
		t.Fatalf("Values[Income.Year] = %v", v)
	}
	if v := got.Values["yuan(Line)"]; v != "6,900" {
		t.Fatalf("Values[yuan(Line)] = %v", v)
	}
	t.Run("NoValuesByDefault", func(t *testing.T) {
		if hits := Default().Evaluate(&f, nil); hits[0].Values != nil {
			t.Fatalf("Values = %v", hits[0].Values)
		}
	})

	t.Run("Appends", func(t *testing.T) {
		prev := []Hit{{Code: "earlier"}}
		hits := Default().Evaluate(&f, prev)
		if len(hits) != 2 || hits[0].Code != "earlier" {
			t.Fatalf("hits %+v", hits)
		}
	})
	t.Run("AboveLineNoHit", func(t *testing.T) {
		f.Line = 2000
		if hits := Default().Evaluate(&f, nil); len(hits) != 0 {
			t.Fatalf("hits %+v", hits)
		}
	})
}

func TestEvaluateLoanRulesNeedLoans(t *testing.T) {
	s, err := Parse([]byte(strings.Replace(rule("always", "true", "x"), "[[rule]]\n", "[[rule]]\nkind = \"loan\"\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	f := Facts{}
	if hits := s.Evaluate(&f, nil); len(hits) != 0 {
		t.Fatalf("loan rule ran without loans: %+v", hits)
	}
	f.Loans = []LoanFacts{{Amount: 1}}
	if hits := s.Evaluate(&f, nil); len(hits) != 1 {
		t.Fatalf("loan rule did not run with a loan: %+v", hits)
	}
}

func TestEvaluatorRuntimeFailure(t *testing.T) {
	src := rule("before", "true", "前") + rule("index", "Members[3].CanWork", "x") + rule("after", "true", "后 {Members[5].Name}")
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e := s.NewEvaluator()
	f := Facts{Household: HouseholdFacts{Code: "500101003"}}
	hits := e.Evaluate(&f, nil)
	if len(hits) != 2 || hits[0].Code != "before" || hits[1].Code != "after" || hits[1].Explanation != "后 ？" {
		t.Fatalf("hits %+v, want before and after (with a failed placeholder)", hits)
	}
	n, first := e.Failures()
	var re *RuntimeError
	if n != 2 || !errors.As(first, &re) || re.Rule != "index" || re.Household != "500101003" {
		t.Fatalf("failures = %d, %v", n, first)
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	pop := populationFacts(64)
	var wg sync.WaitGroup
	want := make([]int, len(pop))
	for i := range pop {
		want[i] = len(Default().Evaluate(&pop[i], nil))
	}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hits []Hit
			for i := range pop {
				hits = Default().Evaluate(&pop[i], hits[:0])
				if len(hits) != want[i] {
					t.Errorf("household %d: %d hits, want %d", i, len(hits), want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"YuanWhole", formatYuan(5230), "5,230"},
		{"YuanFen", formatYuan(5230.5), "5,230.50"},
		{"YuanSmall", formatYuan(999), "999"},
		{"YuanMillion", formatYuan(1234567.891), "1,234,567.89"},
		{"YuanZero", formatYuan(0), "0"},
		{"YuanNegative", formatYuan(-1200.05), "-1,200.05"},
		{"YuanRoundsToFen", formatYuan(0.004), "0"},
		{"PctHalf", formatPct(0.5), "50%"},
		{"PctThird", formatPct(1.0 / 3), "33.3%"},
		{"PctOverOne", formatPct(1.25), "125%"},
		{"ValueInt", string(appendValue(nil, 2022)), "2022"},
		{"ValueFloat", string(appendValue(nil, 6900.0)), "6900"},
		{"ValueBool", string(appendValue(nil, true)), "是"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestExplainTemplate(t *testing.T) {
	s, err := Parse([]byte(rule("tpl", "true",
		`{{括号}} {count(Members, {.CanWork})}/{len(Members)} 人，{"}"} {yuan(Line)} {pct(0.3)} {Household.Risks}`)))
	if err != nil {
		t.Fatal(err)
	}
	f := Facts{Line: 6900.5, Members: []MemberFacts{{CanWork: true}, {}}, Household: HouseholdFacts{Risks: []string{"因病"}}}
	hits := s.Evaluate(&f, nil)
	if got, want := hits[0].Explanation, "{括号} 1/2 人，} 6,900.50 30% [因病]"; got != want {
		t.Fatalf("explanation %q, want %q", got, want)
	}
}

// TestChainsAgreeWithEachRule checks that evaluating rules in chains gives
// what evaluating them one by one gives.
func TestChainsAgreeWithEachRule(t *testing.T) {
	s := Default()
	if s.chains == nil {
		t.Fatal("the default set was not compiled into chains")
	}
	e := s.NewEvaluator()
	for _, rt := range []rates{countyRates, flaggedRates} {
		pop := makePopulation(2000, rt).facts(date(2023, 6, 30))
		for i := range pop {
			f := &pop[i]
			chained := e.Evaluate(f, nil)
			each := e.evaluateEach(f, boxFacts(f), s.Rules, nil)
			if !slices.EqualFunc(chained, each, func(a, b Hit) bool { return a.Code == b.Code && a.Explanation == b.Explanation }) {
				t.Fatalf("household %d: chained %+v, one by one %+v", i, chained, each)
			}
		}
	}
	if n, err := e.Failures(); n > 0 {
		t.Fatalf("%d failures, first %v", n, err)
	}
}

func TestChainsOfLoanRules(t *testing.T) {
	src := rule("a", "Workers > 0", "a") + strings.Replace(rule("l", "true", "l"), "[[rule]]\n", "[[rule]]\nkind = \"loan\"\n", 1) +
		rule("b", "Workers > 1", "b")
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.chains), 3; got != want {
		t.Fatalf("%d chains, want %d", got, want)
	}
	tests := []struct {
		name  string
		facts Facts
		want  []string
	}{
		{"NoLoansSkipsLoanRules", Facts{Workers: 2}, []string{"a", "b"}},
		{"LoansRunLoanRules", Facts{Workers: 2, Loans: []LoanFacts{{}}}, []string{"a", "l", "b"}},
		{"NothingFires", Facts{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range s.Evaluate(&tt.facts, nil) {
				got = append(got, h.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("hits %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExampleParamsMerge(t *testing.T) {
	f, err := decodeExample(`{"Params": {"LoanCap": 100000}, "Workers": 2}`)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultParams()
	want.LoanCap = 100000
	if f.Params != want || f.Workers != 2 {
		t.Fatalf("facts %+v, want Params %+v", f, want)
	}
}

func TestChainsWithLet(t *testing.T) {
	src := rule("a", "let n = Workers; n > 1", "a {let n = Workers; n}") + rule("b", "let n = Dropouts; n > 0", "b")
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		facts Facts
		want  []string
	}{
		{"First", Facts{Workers: 2}, []string{"a"}},
		{"Second", Facts{Dropouts: 1}, []string{"b"}},
		{"Both", Facts{Workers: 2, Dropouts: 1}, []string{"a", "b"}},
		{"Neither", Facts{Workers: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range s.Evaluate(&tt.facts, nil) {
				got = append(got, h.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("hits %v, want %v (chains: %v)", got, tt.want, s.chains != nil)
			}
		})
	}
}

// TestNativeAgreesWithExpr: every rule of the default set compiles to Go,
// and on every household of two generated populations, on every rule
// example and on some households made to sit on the edges, each compiled
// condition answers what expr answers.
func TestNativeAgreesWithExpr(t *testing.T) {
	s := Default()
	if !s.native {
		for _, r := range s.Rules {
			if _, err := compileNative(r.When); err != nil {
				t.Errorf("rule %s does not compile to Go: %v", r.Code, err)
			}
		}
		t.Fatal("the default set is not compiled to Go")
	}
	var all []Facts
	for _, rt := range []rates{countyRates, flaggedRates} {
		all = append(all, makePopulation(3000, rt).facts(date(2023, 6, 30))...)
	}
	for _, r := range s.Rules {
		all = append(all, r.examples...)
	}
	// Edges: a line crossed exactly, an empty household, risks that match.
	edge := all[0]
	edge.Income = IncomeFacts{Has: true, PerCapita: edge.Line, Net: 0, MedicalOOP: 0}
	edge.Members = nil
	edge.Household.Risks = []string{"因病", "因务工就业不稳"}
	all = append(all, edge, Facts{})
	e := s.NewEvaluator()
	for i := range all {
		f := &all[i]
		env := boxFacts(f)
		for _, r := range s.Rules {
			want, err := e.fires(r, f, env)
			if err != nil {
				continue // expr failed: Evaluate skips the rule either way
			}
			if r.Kind == KindLoan && len(f.Loans) == 0 {
				continue // never asked: loan rules run only with loans
			}
			if got := r.native(f); got != want {
				t.Fatalf("household %d (%s), rule %s: Go says %v, expr %v", i, f.Household.Code, r.Code, got, want)
			}
		}
	}
}

// TestNativeRefusesOtherShapes: a condition beyond the compiled shapes is
// left to expr, and the set still evaluates it.
func TestNativeRefusesOtherShapes(t *testing.T) {
	for _, src := range []string{`Members[0].Age > 6`, `Household.Code matches "^5"`, `upper(Household.Code) == "A"`, `Workers % 2 == 0`} {
		if _, err := compileNative(src); err == nil {
			t.Errorf("%q compiled to Go", src)
		}
	}
	s, err := Parse([]byte(rule("odd", "Workers % 2 == 1", "odd") + rule("two", "Workers > 1", "two")))
	if err != nil {
		t.Fatal(err)
	}
	if s.native {
		t.Fatal("a set with a rule expr must run was taken for native")
	}
	var got []string
	for _, h := range s.Evaluate(&Facts{Workers: 3}, nil) {
		got = append(got, h.Code)
	}
	if !slices.Equal(got, []string{"odd", "two"}) {
		t.Fatalf("hits %v", got)
	}
}
