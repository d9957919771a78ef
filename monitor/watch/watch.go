// Package watch is dynamic monitoring (动态监测): it loads the rules and
// parameters in force, evaluates households through the store, and keeps
// the versions of both. It joins rules (no SQL) and store (no rules).
package watch

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/rules"
)

// Loaded is the rule set and the parameters of one saved version.
type Loaded struct {
	Version int64
	Source  string // the rule file (TOML)
	Set     *rules.Set
	Config  rules.Config
}

// Load returns the version in force, saving the shipped defaults as the
// first version when the database has none.
func Load(ctx context.Context, db *store.DB) (*Loaded, error) {
	cv, err := db.CurrentConfig(ctx)
	if monitor.ErrorCode(err) == monitor.ENOTFOUND {
		params, _ := json.Marshal(rules.DefaultConfig())
		if cv, err = db.SaveConfig(ctx, string(rules.DefaultSource()), string(params), "系统", "内置默认规则和参数"); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return compile(cv)
}

// InForce returns the version in force without writing anything: the
// shipped defaults (Version 0) when none was saved yet. Pages and listings
// that only read use it; Load saves the defaults as version 1.
func InForce(ctx context.Context, db *store.DB) (*Loaded, error) {
	cv, err := db.CurrentConfig(ctx)
	if monitor.ErrorCode(err) == monitor.ENOTFOUND {
		return &Loaded{Source: string(rules.DefaultSource()), Set: rules.Default(), Config: rules.DefaultConfig()}, nil
	} else if err != nil {
		return nil, err
	}
	return compile(cv)
}

// compiled caches rule sets by the hash of their source: a version's rules
// never change, and compiling them costs milliseconds on every page.
var compiled sync.Map

func compile(cv *monitor.ConfigVersion) (*Loaded, error) {
	cfg, err := rules.ParseConfig([]byte(cv.Params))
	if err != nil {
		return nil, fmt.Errorf("版本 %d 的参数：%w", cv.ID, err)
	}
	key := sha256.Sum256([]byte(cv.Rules))
	if set, ok := compiled.Load(key); ok {
		return &Loaded{Version: cv.ID, Source: cv.Rules, Set: set.(*rules.Set), Config: cfg}, nil
	}
	set, err := rules.Parse([]byte(cv.Rules))
	if err != nil {
		return nil, fmt.Errorf("版本 %d 的规则：%w", cv.ID, err)
	}
	compiled.Store(key, set)
	return &Loaded{Version: cv.ID, Source: cv.Rules, Set: set, Config: cfg}, nil
}

// CheckRules compiles a rule file and runs every rule's examples; a rule
// set whose examples fail is not saved.
func CheckRules(src []byte) (*rules.Set, error) {
	set, err := rules.Parse(src)
	if err != nil {
		return nil, err
	}
	if errs := set.RunExamples(); len(errs) > 0 {
		msg := ""
		for i, e := range errs {
			if i > 0 {
				msg += "；"
			}
			msg += e.Error()
		}
		return nil, monitor.Errorf(monitor.EINVALID, "规则示例未通过：%s", msg)
	}
	return set, nil
}

// SaveRules saves a new version with these rules and the current parameters.
func SaveRules(ctx context.Context, db *store.DB, src []byte, actor, note string) (*Loaded, error) {
	if _, err := CheckRules(src); err != nil {
		return nil, err
	}
	cur, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	params, _ := json.Marshal(cur.Config)
	cv, err := db.SaveConfig(ctx, string(src), string(params), actor, note)
	if err != nil {
		return nil, err
	}
	return compile(cv)
}

// SaveConfig saves a new version with these parameters and the current rules.
func SaveConfig(ctx context.Context, db *store.DB, cfg rules.Config, actor, note string) (*Loaded, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.SortLines()
	cur, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	params, _ := json.Marshal(cfg)
	cv, err := db.SaveConfig(ctx, cur.Source, string(params), actor, note)
	if err != nil {
		return nil, err
	}
	return compile(cv)
}

// Evaluator returns the store's evaluation callback for a rule set and
// parameters as of asOf. It is not safe for concurrent use.
func Evaluator(set *rules.Set, cfg rules.Config, asOf monitor.Date) store.Evaluator {
	ev := set.NewEvaluator()
	var facts rules.Facts
	var hits []rules.Hit
	var out []monitor.Hit
	var loans []rules.LoanFacts
	return func(d *store.HouseholdData) []monitor.Hit {
		h := d.Household
		loans = loans[:0]
		for i := range d.Loans {
			loans = append(loans, rules.LoanFactsOf(&d.Loans[i], asOf))
		}
		in := rules.Inputs{
			Line:     cfg.LineFor(h.Code, rules.IncomeYear(h, asOf)),
			Params:   cfg.Params,
			Measures: d.Measures,
			Loans:    loans,
			Dept:     d.Dept,
		}
		rules.BuildFacts(&facts, h, asOf, in)
		hits = ev.Evaluate(&facts, hits[:0])
		out = out[:0]
		for _, x := range hits {
			out = append(out, monitor.Hit{RuleCode: x.Code, RuleName: x.Name, RiskType: x.Risk, Severity: x.Severity, Kind: x.Kind, Explanation: x.Explanation})
		}
		return out
	}
}

// Evaluate evaluates the households in scope with the version in force and
// reconciles their flags, waiting up to store.DefaultEvalWait for an
// evaluation already running to end (one at a time, so flags are never
// opened twice).
func Evaluate(ctx context.Context, db *store.DB, asOf monitor.Date, scope store.EvalScope) (*monitor.EvaluationCounts, error) {
	return EvaluateWaiting(ctx, db, asOf, scope, store.DefaultEvalWait)
}

// EvaluateWaiting is Evaluate waiting at most wait for another evaluation
// to end; past it, ECONFLICT says since when the other runs.
func EvaluateWaiting(ctx context.Context, db *store.DB, asOf monitor.Date, scope store.EvalScope, wait time.Duration) (*monitor.EvaluationCounts, error) {
	l, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	return db.EvaluateWaiting(ctx, wait, asOf, l.Version, scope, func() store.Evaluator { return Evaluator(l.Set, l.Config, asOf) })
}

// PreviewResult says what a changed rule set would flag, before it is saved.
type PreviewResult struct {
	Households int            `json:"households_evaluated"`
	Flagged    int            `json:"households_flagged"`
	ByRule     map[string]int `json:"by_rule"`
	// Examples lists up to 50 flagged household codes per rule.
	Examples map[string][]string `json:"examples"`
}

// Preview evaluates a candidate rule file over every household without
// writing anything: how many households each rule would flag, and which.
// It needs the file to compile, not its examples to pass (those are
// checked when it is saved), so an admin can try a change first.
func Preview(ctx context.Context, db *store.DB, src []byte, asOf monitor.Date, scope store.EvalScope) (*PreviewResult, error) {
	set, err := rules.Parse(src)
	if err != nil {
		return nil, err
	}
	l, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	eval := Evaluator(set, l.Config, asOf)
	res := &PreviewResult{ByRule: map[string]int{}, Examples: map[string][]string{}}
	err = db.ForEachData(ctx, scope, func(d *store.HouseholdData) error {
		res.Households++
		hits := eval(d)
		if len(hits) > 0 {
			res.Flagged++
		}
		for _, h := range hits {
			res.ByRule[h.RuleCode]++
			if len(res.Examples[h.RuleCode]) < 50 {
				res.Examples[h.RuleCode] = append(res.Examples[h.RuleCode], d.Household.Code)
			}
		}
		return nil
	})
	for _, ex := range res.Examples {
		sort.Strings(ex)
	}
	return res, err
}
