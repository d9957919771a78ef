package rules

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// A rule's condition usually has a simple shape — fields of the facts,
// numbers, comparisons, && and ||, len, "in" over the risks, any() over the
// loans — and for those it is compiled here to Go closures that read each
// field at an offset fixed at compile time. expr's VM reads a field by
// reflection and dispatches every operation; the closures do neither. A
// condition of any other shape keeps expr (compileNative reports it), and
// TestNativeAgreesWithExpr holds the two to the same answers.

// native is a compiled condition, or one of its values: exactly one of the
// functions is set, by the value's kind. elem is the element an any()
// closure is looking at (nil outside one).
type native struct {
	b   func(f *Facts, elem unsafe.Pointer) bool
	n   func(f *Facts, elem unsafe.Pointer) float64 // ints widened: expr compares and adds them as numbers too
	s   func(f *Facts, elem unsafe.Pointer) string
	ptr func(f *Facts, elem unsafe.Pointer) unsafe.Pointer // a slice header
	typ reflect.Type                                       // the slice's type, with ptr
}

var factsType = reflect.TypeFor[Facts]()

// compileNative compiles a when expression, or says why it cannot.
func compileNative(src string) (func(*Facts) bool, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	c, err := nativeNode(tree.Node, nil)
	if err != nil {
		return nil, err
	}
	if c.b == nil {
		return nil, fmt.Errorf("not a condition")
	}
	b := c.b
	return func(f *Facts) bool { return b(f, nil) }, nil
}

// field finds a field path: the offset from the facts (or from the element
// of elemType when fromElem) and its type.
func field(n ast.Node, elemType reflect.Type) (fromElem bool, off uintptr, t reflect.Type, err error) {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		sf, ok := factsType.FieldByName(n.Value)
		if !ok || len(sf.Index) != 1 {
			return false, 0, nil, fmt.Errorf("unknown %s", n.Value)
		}
		return false, sf.Offset, sf.Type, nil
	case *ast.MemberNode:
		p, ok := n.Property.(*ast.StringNode)
		if !ok || n.Optional || n.Method {
			return false, 0, nil, fmt.Errorf("member shape")
		}
		var base reflect.Type
		if _, ok := n.Node.(*ast.PointerNode); ok {
			if elemType == nil {
				return false, 0, nil, fmt.Errorf("pointer outside a closure")
			}
			fromElem, base = true, elemType
		} else {
			fromElem, off, base, err = field(n.Node, elemType)
			if err != nil {
				return false, 0, nil, err
			}
		}
		if base.Kind() != reflect.Struct {
			return false, 0, nil, fmt.Errorf("member of %s", base)
		}
		sf, ok := base.FieldByName(p.Value)
		if !ok || len(sf.Index) != 1 || !sf.IsExported() {
			return false, 0, nil, fmt.Errorf("unknown field %s", p.Value)
		}
		return fromElem, off + sf.Offset, sf.Type, nil
	}
	return false, 0, nil, fmt.Errorf("not a field")
}

func nativeField(n ast.Node, elemType reflect.Type) (native, error) {
	fromElem, off, t, err := field(n, elemType)
	if err != nil {
		return native{}, err
	}
	var at func(f *Facts, elem unsafe.Pointer) unsafe.Pointer
	if fromElem {
		at = func(_ *Facts, elem unsafe.Pointer) unsafe.Pointer { return unsafe.Add(elem, off) }
	} else {
		at = func(f *Facts, _ unsafe.Pointer) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(f), off) }
	}
	switch t.Kind() {
	case reflect.Bool:
		return native{b: func(f *Facts, e unsafe.Pointer) bool { return *(*bool)(at(f, e)) }}, nil
	case reflect.Int:
		return native{n: func(f *Facts, e unsafe.Pointer) float64 { return float64(*(*int)(at(f, e))) }}, nil
	case reflect.Float64:
		return native{n: func(f *Facts, e unsafe.Pointer) float64 { return *(*float64)(at(f, e)) }}, nil
	case reflect.String:
		return native{s: func(f *Facts, e unsafe.Pointer) string { return *(*string)(at(f, e)) }}, nil
	case reflect.Slice:
		return native{ptr: at, typ: t}, nil
	}
	return native{}, fmt.Errorf("field of kind %s", t.Kind())
}

func nativeNode(n ast.Node, elemType reflect.Type) (native, error) {
	switch n := n.(type) {
	case *ast.BoolNode:
		v := n.Value
		return native{b: func(*Facts, unsafe.Pointer) bool { return v }}, nil
	case *ast.IntegerNode:
		v := float64(n.Value)
		return native{n: func(*Facts, unsafe.Pointer) float64 { return v }}, nil
	case *ast.FloatNode:
		v := n.Value
		return native{n: func(*Facts, unsafe.Pointer) float64 { return v }}, nil
	case *ast.StringNode:
		v := n.Value
		return native{s: func(*Facts, unsafe.Pointer) string { return v }}, nil
	case *ast.IdentifierNode, *ast.MemberNode:
		return nativeField(n, elemType)
	case *ast.UnaryNode:
		x, err := nativeNode(n.Node, elemType)
		if err != nil {
			return native{}, err
		}
		switch {
		case (n.Operator == "!" || n.Operator == "not") && x.b != nil:
			b := x.b
			return native{b: func(f *Facts, e unsafe.Pointer) bool { return !b(f, e) }}, nil
		case n.Operator == "-" && x.n != nil:
			v := x.n
			return native{n: func(f *Facts, e unsafe.Pointer) float64 { return -v(f, e) }}, nil
		}
		return native{}, fmt.Errorf("unary %s", n.Operator)
	case *ast.ConditionalNode:
		c, err := nativeNode(n.Cond, elemType)
		if err != nil || c.b == nil {
			return native{}, fmt.Errorf("condition shape")
		}
		a, err := nativeNode(n.Exp1, elemType)
		if err != nil {
			return native{}, err
		}
		b, err := nativeNode(n.Exp2, elemType)
		if err != nil {
			return native{}, err
		}
		cond := c.b
		switch {
		case a.n != nil && b.n != nil:
			x, y := a.n, b.n
			return native{n: func(f *Facts, e unsafe.Pointer) float64 {
				if cond(f, e) {
					return x(f, e)
				}
				return y(f, e)
			}}, nil
		case a.b != nil && b.b != nil:
			x, y := a.b, b.b
			return native{b: func(f *Facts, e unsafe.Pointer) bool {
				if cond(f, e) {
					return x(f, e)
				}
				return y(f, e)
			}}, nil
		}
		return native{}, fmt.Errorf("conditional of mixed kinds")
	case *ast.BinaryNode:
		return nativeBinary(n, elemType)
	case *ast.BuiltinNode:
		return nativeBuiltin(n, elemType)
	}
	return native{}, fmt.Errorf("node %T", n)
}

func nativeBinary(n *ast.BinaryNode, elemType reflect.Type) (native, error) {
	l, err := nativeNode(n.Left, elemType)
	if err != nil {
		return native{}, err
	}
	r, err := nativeNode(n.Right, elemType)
	if err != nil {
		return native{}, err
	}
	op := n.Operator
	switch {
	case (op == "&&" || op == "and") && l.b != nil && r.b != nil:
		x, y := l.b, r.b
		return native{b: func(f *Facts, e unsafe.Pointer) bool { return x(f, e) && y(f, e) }}, nil
	case (op == "||" || op == "or") && l.b != nil && r.b != nil:
		x, y := l.b, r.b
		return native{b: func(f *Facts, e unsafe.Pointer) bool { return x(f, e) || y(f, e) }}, nil
	case l.n != nil && r.n != nil:
		x, y := l.n, r.n
		var cmp func(a, b float64) bool
		switch op {
		case "<":
			cmp = func(a, b float64) bool { return a < b }
		case "<=":
			cmp = func(a, b float64) bool { return a <= b }
		case ">":
			cmp = func(a, b float64) bool { return a > b }
		case ">=":
			cmp = func(a, b float64) bool { return a >= b }
		case "==":
			cmp = func(a, b float64) bool { return a == b }
		case "!=":
			cmp = func(a, b float64) bool { return a != b }
		}
		if cmp != nil {
			return native{b: func(f *Facts, e unsafe.Pointer) bool { return cmp(x(f, e), y(f, e)) }}, nil
		}
		switch op {
		case "+":
			return native{n: func(f *Facts, e unsafe.Pointer) float64 { return x(f, e) + y(f, e) }}, nil
		case "-":
			return native{n: func(f *Facts, e unsafe.Pointer) float64 { return x(f, e) - y(f, e) }}, nil
		case "*":
			return native{n: func(f *Facts, e unsafe.Pointer) float64 { return x(f, e) * y(f, e) }}, nil
		case "/":
			return native{n: func(f *Facts, e unsafe.Pointer) float64 { return x(f, e) / y(f, e) }}, nil
		}
	case l.s != nil && r.s != nil && (op == "==" || op == "!="):
		x, y, eq := l.s, r.s, op == "=="
		return native{b: func(f *Facts, e unsafe.Pointer) bool { return (x(f, e) == y(f, e)) == eq }}, nil
	case l.b != nil && r.b != nil && (op == "==" || op == "!="):
		x, y, eq := l.b, r.b, op == "=="
		return native{b: func(f *Facts, e unsafe.Pointer) bool { return (x(f, e) == y(f, e)) == eq }}, nil
	case op == "in" && l.s != nil && r.ptr != nil && r.typ == reflect.TypeFor[[]string]():
		x, y := l.s, r.ptr
		return native{b: func(f *Facts, e unsafe.Pointer) bool {
			v := x(f, e)
			for _, s := range *(*[]string)(y(f, e)) {
				if s == v {
					return true
				}
			}
			return false
		}}, nil
	}
	return native{}, fmt.Errorf("binary %s", op)
}

func nativeBuiltin(n *ast.BuiltinNode, elemType reflect.Type) (native, error) {
	switch {
	case n.Name == "len" && len(n.Arguments) == 1:
		a, err := nativeNode(n.Arguments[0], elemType)
		if err != nil {
			return native{}, err
		}
		switch {
		case a.ptr != nil:
			p := a.ptr
			// Every slice header begins with its data pointer, then its length.
			return native{n: func(f *Facts, e unsafe.Pointer) float64 {
				return float64((*struct {
					data unsafe.Pointer
					len  int
				})(p(f, e)).len)
			}}, nil
		case a.s != nil:
			s := a.s
			return native{n: func(f *Facts, e unsafe.Pointer) float64 { return float64(len(s(f, e))) }}, nil
		}
	case n.Name == "any" && len(n.Arguments) == 2 && elemType == nil:
		a, err := nativeNode(n.Arguments[0], nil)
		if err != nil || a.ptr == nil || a.typ.Elem().Kind() != reflect.Struct {
			return native{}, fmt.Errorf("any over %v", n.Arguments[0])
		}
		cl, ok := n.Arguments[1].(*ast.PredicateNode)
		if !ok {
			return native{}, fmt.Errorf("any without a closure")
		}
		pred, err := nativeNode(cl.Node, a.typ.Elem())
		if err != nil || pred.b == nil {
			return native{}, fmt.Errorf("any predicate: %v", err)
		}
		slice, size, p := a.ptr, a.typ.Elem().Size(), pred.b
		return native{b: func(f *Facts, _ unsafe.Pointer) bool {
			h := (*struct {
				data unsafe.Pointer
				len  int
			})(slice(f, nil))
			for i := 0; i < h.len; i++ {
				if p(f, unsafe.Add(h.data, uintptr(i)*size)) {
					return true
				}
			}
			return false
		}}, nil
	}
	return native{}, fmt.Errorf("builtin %s", n.Name)
}
