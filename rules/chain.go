package rules

import (
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// chainSize bounds a chain: programs per chain grow with its length, and
// their total size with its square.
const chainSize = 16

// A chain evaluates a run of consecutive rules in one VM call instead of one
// call per rule, which matters when nearly every household fires nothing.
// progs[j] is the expression
//
//	(when of rule start+j) ? start+j : (when of rule start+j+1) ? start+j+1 : … : -1
//
// so one run returns the index of the next rule that fires, and evaluation
// resumes after it. A chain holds rules of one kind of need: loan rules
// form chains of their own, skipped whole for households without loans.
type chain struct {
	start int
	loans bool
	progs []*vm.Program
}

// buildChains compiles the chains of rules; nil when any chain fails to
// compile (the rules are then evaluated one by one, which gives the same
// result).
func buildChains(rules []*CompiledRule) []chain {
	var chains []chain
	for start := 0; start < len(rules); {
		loans := rules[start].Kind == KindLoan
		end := start + 1
		for end < len(rules) && end-start < chainSize && (rules[end].Kind == KindLoan) == loans {
			end++
		}
		c := chain{start: start, loans: loans}
		for j := start; j < end; j++ {
			var b strings.Builder
			for k := j; k < end; k++ {
				b.WriteString("(")
				b.WriteString(rules[k].When)
				b.WriteString("\n) ? ")
				b.WriteString(strconv.Itoa(k))
				b.WriteString(" : ")
			}
			b.WriteString("-1")
			prog, err := expr.Compile(b.String(), append(exprOptions(), expr.AsInt())...)
			if err != nil {
				return nil
			}
			c.progs = append(c.progs, prog)
		}
		chains = append(chains, c)
		start = end
	}
	return chains
}
