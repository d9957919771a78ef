package rules

import (
	"fmt"

	"github.com/expr-lang/expr/vm"
)

// Hit is a rule that fired for a household.
type Hit struct {
	Code, Name, Risk, Severity string
	Kind                       string // KindRisk, KindQuality or KindLoan
	Explanation                string // the rendered explain template
	// Values holds each placeholder's value, keyed by its expression source
	// (e.g. "yuan(Income.PerCapita)"); nil unless the Evaluator's
	// KeepValues is set. A slice value (Members, say) shares memory with
	// the Facts it came from.
	Values map[string]any
}

// RuntimeError is a rule that failed while running on a household (an index
// out of range, say). Typed compilation rules out most such failures.
type RuntimeError struct {
	Rule      string // rule code
	Household string // household code
	Field     string // when or explain
	Err       error
}

// Error names the rule, the household and what failed, in Chinese.
func (e *RuntimeError) Error() string {
	return fmt.Sprintf("规则 %s 在户 %s 上运行出错（%s）：%v", e.Rule, e.Household, e.Field, e.Err)
}

// Unwrap returns expr's error, which carries the position in the rule.
func (e *RuntimeError) Unwrap() error { return e.Err }

// Evaluator runs a Set's rules, reusing one expression VM. It is not safe
// for concurrent use: make one per goroutine with Set.NewEvaluator.
type Evaluator struct {
	// KeepValues makes hits carry their placeholder values (Hit.Values),
	// at the cost of a map per hit.
	KeepValues bool

	set    *Set
	vm     vm.VM
	buf    []byte
	failed int
	first  error
	last   error
}

// NewEvaluator returns an Evaluator for s, for use by one goroutine.
func (s *Set) NewEvaluator() *Evaluator { return &Evaluator{set: s} }

// Evaluate appends to hits the rules of s that fire on f, in file order. It
// borrows a pooled Evaluator, so it is safe for concurrent use; a rule that
// fails at run time is skipped (use an Evaluator to see such failures).
func (s *Set) Evaluate(f *Facts, hits []Hit) []Hit {
	e, _ := s.pool.Get().(*Evaluator)
	if e == nil {
		e = s.NewEvaluator()
	}
	hits = e.Evaluate(f, hits)
	e.failed, e.first, e.last = 0, nil, nil
	s.pool.Put(e)
	return hits
}

// Evaluate appends to hits the rules that fire on f, in file order, each
// with its explanation rendered. Loan rules run only when f has loans. A
// rule that fails at run time does not fire; see Failures.
func (e *Evaluator) Evaluate(f *Facts, hits []Hit) []Hit {
	if e.set.native {
		var env any // boxed only for a household that fires a rule
		for _, r := range e.set.Rules {
			if r.Kind == KindLoan && len(f.Loans) == 0 || !r.native(f) {
				continue
			}
			if env == nil {
				env = boxFacts(f)
			}
			hits = append(hits, e.hit(r, f, env))
		}
		return hits
	}
	env := boxFacts(f)
	if e.set.chains == nil {
		return e.evaluateEach(f, env, e.set.Rules, hits)
	}
	rules := e.set.Rules
	for _, c := range e.set.chains {
		if c.loans && len(f.Loans) == 0 {
			continue
		}
		for j := 0; j < len(c.progs); {
			out, err := e.vm.Run(c.progs[j], env)
			if err != nil {
				// Run the rest of the chain rule by rule, to name the rule
				// that failed.
				hits = e.evaluateEach(f, env, rules[c.start+j:c.start+len(c.progs)], hits)
				break
			}
			i, _ := out.(int)
			if i < 0 {
				break
			}
			hits = append(hits, e.hit(rules[i], f, env))
			j = i - c.start + 1
		}
	}
	return hits
}

// evaluateEach runs rules one VM call each.
func (e *Evaluator) evaluateEach(f *Facts, env any, rules []*CompiledRule, hits []Hit) []Hit {
	for _, r := range rules {
		fired, err := e.fires(r, f, env)
		if err != nil {
			e.fail(&RuntimeError{Rule: r.Code, Household: f.Household.Code, Field: "when", Err: err})
			continue
		}
		if fired {
			hits = append(hits, e.hit(r, f, env))
		}
	}
	return hits
}

// Failures returns how many rule runs failed since the Evaluator was made,
// and the first failure (a *RuntimeError), nil when none failed.
func (e *Evaluator) Failures() (n int, first error) { return e.failed, e.first }

func (e *Evaluator) fail(err error) {
	if e.failed == 0 {
		e.first = err
	}
	e.last = err
	e.failed++
}

// boxFacts copies f into an interface once per household. The VM reads
// fields by reflection, and a field read through a pointer must be copied to
// the heap (reflect cannot hand out a pointer into addressable memory),
// whereas a field of an already boxed, unaddressable copy is returned in
// place: one allocation per household instead of one per field read.
func boxFacts(f *Facts) any { return *f }

func (e *Evaluator) fires(r *CompiledRule, f *Facts, env any) (bool, error) {
	if r.Kind == KindLoan && len(f.Loans) == 0 {
		return false, nil
	}
	out, err := e.vm.Run(r.when, env)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool)
	return b, nil
}

func (e *Evaluator) hit(r *CompiledRule, f *Facts, env any) Hit {
	h := Hit{Code: r.Code, Name: r.Name, Risk: r.Risk, Severity: r.Severity, Kind: r.Kind}
	b := e.buf[:0]
	for _, s := range r.explain {
		if s.prog == nil {
			b = append(b, s.text...)
			continue
		}
		v, err := e.vm.Run(s.prog, env)
		if err != nil {
			e.fail(&RuntimeError{Rule: r.Code, Household: f.Household.Code, Field: "explain", Err: err})
			b = append(b, "？"...)
			continue
		}
		if e.KeepValues {
			if h.Values == nil {
				h.Values = make(map[string]any, len(r.explain))
			}
			h.Values[s.text] = v
		}
		b = appendValue(b, v)
	}
	h.Explanation = string(b)
	e.buf = b
	return h
}

// Rule returns the rule with the given code, nil when there is none.
func (s *Set) Rule(code string) *CompiledRule {
	for _, r := range s.Rules {
		if r.Code == code {
			return r
		}
	}
	return nil
}

// RunExamples runs every rule on each of its examples, as Evaluate would,
// and returns one error for each example that does not behave as declared
// (or whose explanation fails to render), naming the rule and the example.
func (s *Set) RunExamples() []error {
	var errs []error
	e := s.NewEvaluator()
	for _, r := range s.Rules {
		for i := range r.examples {
			ex := r.Examples[i]
			f := &r.examples[i]
			env := boxFacts(f)
			fired, err := e.fires(r, f, env)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("规则 %s 的示例“%s”运行出错：%v", r.Code, ex.Name, err))
				continue
			case fired && !ex.Fires:
				errs = append(errs, fmt.Errorf("规则 %s 的示例“%s”不应触发，但触发了", r.Code, ex.Name))
				continue
			case !fired && ex.Fires:
				errs = append(errs, fmt.Errorf("规则 %s 的示例“%s”应触发，但没有触发", r.Code, ex.Name))
				continue
			}
			if fired {
				before, _ := e.Failures()
				e.hit(r, f, env)
				if n, _ := e.Failures(); n > before {
					errs = append(errs, fmt.Errorf("规则 %s 的示例“%s”触发了，但说明无法生成：%v", r.Code, ex.Name, e.last))
				}
			}
		}
	}
	return errs
}
