package rules

import (
	"fmt"
	"math"
	"strconv"

	"github.com/expr-lang/expr"
)

// exprOptions is the one environment every expression compiles against: the
// typed Facts (so an unknown name is refused at compile time) and the helper
// functions.
func exprOptions() []expr.Option {
	return []expr.Option{
		expr.Env(Facts{}),
		expr.Function("yuan", func(params ...any) (any, error) {
			return formatYuan(toFloat(params[0])), nil
		}, new(func(float64) string), new(func(int) string)),
		expr.Function("pct", func(params ...any) (any, error) {
			return formatPct(toFloat(params[0])), nil
		}, new(func(float64) string), new(func(int) string)),
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return math.NaN()
}

// formatYuan writes an amount as people read it on a ledger: thousands
// separated, fen shown only when there are any (5230 → "5,230",
// 5230.5 → "5,230.50").
func formatYuan(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	fen := int64(math.Round(v * 100))
	b := make([]byte, 0, 24)
	if neg && fen != 0 {
		b = append(b, '-')
	}
	whole := strconv.FormatInt(fen/100, 10)
	for i := 0; i < len(whole); i++ {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, whole[i])
	}
	if f := fen % 100; f != 0 {
		b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
	}
	return string(b)
}

// formatPct writes a share as a percentage with at most one decimal
// (0.5 → "50%", 0.333 → "33.3%").
func formatPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%"
}

// appendValue renders a placeholder's value: strings as they are, numbers
// without exponent, booleans as 是/否, anything else with fmt's %v.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	case bool:
		if x {
			return append(b, "是"...)
		}
		return append(b, "否"...)
	case nil:
		return b
	}
	return fmt.Appendf(b, "%v", v)
}
