// Package rules is the rule engine of dynamic monitoring (防止返贫动态监测):
// rules are data — a TOML file an administrator can read and edit — each a
// boolean expression over a household's Facts as of a date, with a Chinese
// explanation that cites the values that made it fire and examples that the
// test suite runs. Expressions are compiled once (expr-lang/expr, typed
// against Facts) and evaluated many times by an Evaluator.
//
// The package knows nothing of SQL or HTTP: the store loads households,
// BuildFacts turns one into Facts, an Evaluator says which rules fire.
package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/shouwang/shouwang/monitor"
)

// Rule kinds.
const (
	KindRisk    = "risk"    // a risk of falling (back) into poverty
	KindQuality = "quality" // a data-quality check on the registry
	KindLoan    = "loan"    // a micro-loan check; skipped for households with no loans
)

// Severities, as staff say them.
var severities = []string{"高", "中", "低"}

// Rule is one rule as written in the rule file.
type Rule struct {
	Code     string    `toml:"code"`     // stable identifier, lower case: income_below_line
	Name     string    `toml:"name"`     // short Chinese name
	Risk     string    `toml:"risk"`     // risk type: 收入, 因病, 数据质量, 小额信贷…
	Severity string    `toml:"severity"` // 高, 中 or 低
	When     string    `toml:"when"`     // boolean expression over Facts
	Explain  string    `toml:"explain"`  // Chinese text with {expression} placeholders
	Examples []Example `toml:"example"`
	Kind     string    `toml:"kind"` // KindRisk (the default), KindQuality or KindLoan
}

// Example is a household, written as the JSON of a Facts (Go field names),
// on which a rule must fire or not. The JSON is merged onto a zero Facts
// whose Params are DefaultParams() (a Params written in part keeps the other
// defaults); counts such as Workers are written out, not derived from
// Members.
type Example struct {
	Name  string `toml:"name"`
	Facts string `toml:"facts"`
	Fires bool   `toml:"fires"`
}

// CompiledRule is a Rule with its expressions compiled.
type CompiledRule struct {
	Rule
	when     *vm.Program
	native   func(*Facts) bool // when, compiled to Go (native.go); nil when its shape is not supported
	explain  []segment
	examples []Facts // decoded Examples, same order
}

// segment is a piece of an explanation: literal text, or a placeholder.
type segment struct {
	text string      // literal text, or the placeholder's source
	prog *vm.Program // nil for literal text
}

// Set is a compiled rule file. It is read-only once built (Rules must not be
// reordered or changed) and safe to share between goroutines; evaluation
// state lives in an Evaluator.
type Set struct {
	Version string
	Rules   []*CompiledRule

	chains []chain   // Rules compiled in runs, see chain
	native bool      // every rule's when compiled to Go: no VM, no chains
	pool   sync.Pool // of *Evaluator, for Set.Evaluate
}

// Problem is one thing wrong with a rule file, for the administrator who
// wrote it.
type Problem struct {
	Rule    string // rule code; "" for the file as a whole
	Field   string // toml, code, name, kind, severity, when, explain, example
	Line    int    // 1-based line inside the expression (or the file, for toml); 0 when unknown
	Column  int    // 1-based column, likewise
	Message string // complete Chinese sentence naming the rule and the field
}

// ParseError lists every problem found in a rule file. It unwraps to a
// *monitor.Error with code EINVALID carrying the same text, so the web layer
// shows it as is.
type ParseError struct {
	Problems []Problem
}

// Error returns the problems' messages, one a line.
func (e *ParseError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the problems as a domain error.
func (e *ParseError) Unwrap() error {
	return &monitor.Error{Code: monitor.EINVALID, Message: e.Error()}
}

// ruleFile is the shape of the TOML document.
type ruleFile struct {
	Version string `toml:"version"`
	Rules   []Rule `toml:"rule"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Parse reads and compiles a rule file: [[rule]] tables, each with
// [[rule.example]] tables. Every `when` and every {…} placeholder of every
// `explain` is compiled; every example's facts are decoded. All problems are
// reported together in a *ParseError.
func Parse(src []byte) (*Set, error) {
	var rf ruleFile
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(&rf)
	if err != nil {
		return nil, &ParseError{Problems: []Problem{tomlProblem(err)}}
	}
	var probs []Problem
	if keys := md.Undecoded(); len(keys) > 0 {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		probs = append(probs, Problem{Field: "toml", Message: "规则文件中有无法识别的项：" +
			strings.Join(names, "、") + "（请检查拼写；可用的项为 code、name、kind、risk、severity、when、explain、example）"})
	}
	lines := ruleLines(src)
	set := &Set{Version: rf.Version}
	seen := map[string]int{}
	for i := range rf.Rules {
		r := rf.Rules[i]
		where := fmt.Sprintf("第%d条规则", i+1)
		if i < len(lines) {
			where += fmt.Sprintf("（文件第%d行）", lines[i])
		}
		if strings.TrimSpace(r.Code) == "" {
			probs = append(probs, Problem{Field: "code", Message: where + "缺少编号（code）"})
			continue
		}
		if !codePattern.MatchString(r.Code) {
			probs = append(probs, Problem{Rule: r.Code, Field: "code", Message: fmt.Sprintf(
				"%s的编号“%s”无效：编号只能用小写英文字母、数字和下划线，并以字母开头", where, r.Code)})
			continue
		}
		if j, dup := seen[r.Code]; dup {
			probs = append(probs, Problem{Rule: r.Code, Field: "code", Message: fmt.Sprintf(
				"规则编号 %s 重复：第%d条和第%d条规则用了同一个编号", r.Code, j+1, i+1)})
			continue
		}
		seen[r.Code] = i
		cr, ps := compileRule(r)
		probs = append(probs, ps...)
		if len(ps) == 0 {
			set.Rules = append(set.Rules, cr)
		}
	}
	if len(probs) > 0 {
		return nil, &ParseError{Problems: probs}
	}
	set.chains = buildChains(set.Rules)
	set.native = true
	for _, r := range set.Rules {
		set.native = set.native && r.native != nil
	}
	return set, nil
}

// ruleLines returns the file line of each [[rule]] header, in order.
func ruleLines(src []byte) []int {
	var lines []int
	for i, l := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[[") && strings.ReplaceAll(strings.TrimSpace(strings.SplitN(t, "#", 2)[0]), " ", "") == "[[rule]]" {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func tomlProblem(err error) Problem {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return Problem{Field: "toml", Line: pe.Position.Line, Column: pe.Position.Col, Message: fmt.Sprintf(
			"规则文件格式错误：第%d行第%d列：%s", pe.Position.Line, pe.Position.Col, pe.Message)}
	}
	// Type mismatches (fires = "yes") come as plain errors naming the line.
	if m := tomlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Field: "toml", Line: line, Message: fmt.Sprintf("规则文件格式错误：第%d行（%s）：%s", line, m[2], m[3])}
	}
	return Problem{Field: "toml", Message: "规则文件格式错误：" + err.Error()}
}

var tomlLine = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

func compileRule(r Rule) (*CompiledRule, []Problem) {
	var probs []Problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{Rule: r.Code, Field: field,
			Message: fmt.Sprintf("规则 %s 的", r.Code) + fmt.Sprintf(format, args...)})
	}
	if r.Kind == "" {
		r.Kind = KindRisk
	}
	if strings.TrimSpace(r.Name) == "" {
		bad("name", "名称（name）不能为空")
	}
	switch r.Kind {
	case KindRisk, KindQuality, KindLoan:
	default:
		bad("kind", "类别（kind）“%s”无效：应为 risk（风险）、quality（数据质量）或 loan（小额信贷）", r.Kind)
	}
	if !contains(severities, r.Severity) {
		bad("severity", "严重程度（severity）“%s”无效：应为 高、中 或 低", r.Severity)
	}
	cr := &CompiledRule{Rule: r}
	if strings.TrimSpace(r.When) == "" {
		bad("when", "条件（when）不能为空")
	} else if prog, p := compileWhen(r.Code, r.When); p != nil {
		probs = append(probs, *p)
	} else {
		cr.when = prog
		cr.native, _ = compileNative(r.When)
	}
	segs, ps := compileExplain(r.Code, r.Explain)
	probs = append(probs, ps...)
	cr.explain = segs
	for i, ex := range r.Examples {
		name := ex.Name
		if name == "" {
			name = fmt.Sprintf("示例%d", i+1)
			cr.Examples[i].Name = name
		}
		f, err := decodeExample(ex.Facts)
		if err != nil {
			bad("example", "示例“%s”的 facts 无法读取：%v", name, err)
		}
		cr.examples = append(cr.examples, f)
	}
	return cr, probs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compileWhen compiles a condition, which must be a boolean.
func compileWhen(code, src string) (*vm.Program, *Problem) {
	prog, err := expr.Compile(src, append(exprOptions(), expr.AsBool())...)
	if err == nil {
		return prog, nil
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		p := exprProblem(code, "when", "条件无法编译", fe)
		return nil, &p
	}
	// Everything else type-checks: the result is not a boolean.
	got := "非布尔值"
	if p, err := expr.Compile(src, exprOptions()...); err == nil && p.Node().Type() != nil {
		got = p.Node().Type().String()
	}
	return nil, &Problem{Rule: code, Field: "when", Message: fmt.Sprintf(
		"规则 %s 的条件（when）结果必须是真或假（bool），现在是 %s", code, got)}
}

func exprProblem(code, field, what string, fe *file.Error) Problem {
	return Problem{Rule: code, Field: field, Line: fe.Line, Column: fe.Column + 1, Message: fmt.Sprintf(
		"规则 %s 的%s：第%d行第%d列：%s", code, what, fe.Line, fe.Column+1, fe.Message)}
}

// compileExplain splits an explanation into text and {expression}
// placeholders. "{{" and "}}" stand for literal braces. A placeholder may
// itself hold braces (closures such as {count(Members, {.CanWork})}) and
// quoted strings.
func compileExplain(code, src string) ([]segment, []Problem) {
	var segs []segment
	var probs []Problem
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			segs = append(segs, segment{text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '{' && i+1 < len(src) && src[i+1] == '{':
			text.WriteByte('{')
			i++
		case c == '}' && i+1 < len(src) && src[i+1] == '}':
			text.WriteByte('}')
			i++
		case c == '}':
			probs = append(probs, Problem{Rule: code, Field: "explain", Message: fmt.Sprintf(
				"规则 %s 的说明（explain）中第%d个字符处有多余的 }（要写 } 本身请写 }}）", code, runeIndex(src, i))})
		case c == '{':
			end := matchBrace(src, i)
			if end < 0 {
				probs = append(probs, Problem{Rule: code, Field: "explain", Message: fmt.Sprintf(
					"规则 %s 的说明（explain）中第%d个字符处的 { 没有对应的 }（要写 { 本身请写 {{）", code, runeIndex(src, i))})
				return segs, probs
			}
			inner := src[i+1 : end]
			flush()
			prog, err := expr.Compile(inner, exprOptions()...)
			switch {
			case strings.TrimSpace(inner) == "":
				probs = append(probs, Problem{Rule: code, Field: "explain", Message: fmt.Sprintf(
					"规则 %s 的说明（explain）中有空的占位符 {}", code)})
			case err != nil:
				var fe *file.Error
				if errors.As(err, &fe) {
					probs = append(probs, exprProblem(code, "explain", "说明中的占位符 {"+inner+"} 无法编译", fe))
				} else {
					probs = append(probs, Problem{Rule: code, Field: "explain", Message: fmt.Sprintf(
						"规则 %s 的说明中的占位符 {%s} 无法编译：%v", code, inner, err)})
				}
			default:
				segs = append(segs, segment{text: inner, prog: prog})
			}
			i = end
		default:
			text.WriteByte(c)
		}
	}
	flush()
	return segs, probs
}

// matchBrace returns the index of the } closing the { at open, skipping
// quoted strings; -1 when there is none.
func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' && c != '`' {
					i++
				}
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func runeIndex(s string, byteIndex int) int { return len([]rune(s[:byteIndex])) + 1 }

// decodeExample reads an example's JSON onto a zero Facts with
// DefaultParams. Unknown field names are refused: a misspelt fact would
// otherwise make the example pass for the wrong reason.
func decodeExample(src string) (Facts, error) {
	f := Facts{Params: DefaultParams()}
	if strings.TrimSpace(src) == "" {
		return f, nil
	}
	dec := json.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, err
	}
	if dec.More() {
		return f, errors.New("JSON 之后还有多余内容")
	}
	return f, nil
}

//go:embed default.toml
var defaultSource []byte

var defaultSet = sync.OnceValue(func() *Set {
	s, err := Parse(defaultSource)
	if err != nil {
		panic("rules: the embedded default.toml is broken: " + err.Error())
	}
	return s
})

// Default returns the embedded default rule set, compiled once. It panics if
// the shipped file is broken; a test makes sure it is not.
func Default() *Set { return defaultSet() }

// DefaultSource returns a copy of the embedded default.toml, for an
// administrator to start from.
func DefaultSource() []byte { return bytes.Clone(defaultSource) }
