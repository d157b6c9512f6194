package awsout

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/jmespath-community/go-jmespath"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// Query is a compiled --query expression.
type Query struct {
	src string
	// hashKeys are the key lists of the expression's multi-select hashes
	// ({a: x, b: y}), in the expression's order: Python's JMESPath builds
	// those objects in that order, Go's as maps.
	hashKeys [][]string
}

// CompileQuery compiles a JMESPath expression.
func CompileQuery(expr string) (*Query, error) {
	ast, err := parsing.NewParser().Parse(expr)
	if err != nil {
		return nil, pySyntaxError(expr, err)
	}
	q := &Query{src: expr}
	q.collectHashKeys(ast)
	return q, nil
}

func (q *Query) collectHashKeys(n parsing.ASTNode) {
	if n.NodeType == parsing.ASTMultiSelectHash {
		var keys []string
		for _, c := range n.Children {
			if k, ok := c.Value.(string); ok {
				keys = append(keys, k)
			}
		}
		q.hashKeys = append(q.hashKeys, keys)
	}
	for _, c := range n.Children {
		q.collectHashKeys(c)
	}
}

// Search applies the query to v and returns the result in Write's terms.
// JMESPath runs on plain maps, slices and float64 numbers; the key order of
// each object of v the result holds is restored from v, and that of an
// object the expression built from the expression's multi-select hash.
func (q *Query) Search(v any) (any, error) {
	orders := map[uintptr][]string{}
	in := toPlain(v, orders)
	expr, err := jmespath.Compile(q.src, orderedFuncs(orders)...)
	if err != nil {
		return nil, err
	}
	out, err := expr.Search(in)
	if err != nil {
		return nil, pySearchError(err)
	}
	return q.fromPlain(out, orders), nil
}

func toPlain(v any, orders map[uintptr][]string) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toPlain(e, orders)
		}
		return out
	case Map:
		out := make(map[string]any, len(x))
		keys := make([]string, len(x))
		for i, f := range x {
			keys[i] = f.Key
			out[f.Key] = toPlain(f.Value, orders)
		}
		orders[reflect.ValueOf(out).Pointer()] = keys
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toPlain(e, orders)
		}
		return out
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

func (q *Query) fromPlain(v any, orders map[uintptr][]string) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = q.fromPlain(e, orders)
		}
		return out
	case map[string]any:
		keys, ok := orders[reflect.ValueOf(x).Pointer()]
		if !ok {
			keys = q.hashOrder(x)
		}
		out := make(Map, 0, len(x))
		for _, k := range keys {
			if e, ok := x[k]; ok {
				out = append(out, Field{k, q.fromPlain(e, orders)})
			}
		}
		return out
	}
	return v
}

// hashOrder is the order of the keys of an object the query built: that of
// the multi-select hash with the same keys, else sorted.
func (q *Query) hashOrder(m map[string]any) []string {
	for _, keys := range q.hashKeys {
		if len(keys) != len(m) {
			continue
		}
		all := true
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				all = false
				break
			}
		}
		if all {
			return keys
		}
	}
	return slices.Sorted(maps.Keys(m))
}

// orderedFuncs replace JMESPath's keys() and values(), which list a Go map
// in random order, with ones that list an object of the response in its
// order, as Python's dicts do (and a built one sorted).
func orderedFuncs(orders map[uintptr][]string) []jmespath.FunctionEntry {
	order := func(m map[string]any) []string {
		if keys, ok := orders[reflect.ValueOf(m).Pointer()]; ok {
			return keys
		}
		return slices.Sorted(maps.Keys(m))
	}
	object := []jmespath.ArgSpec{{Types: []jmespath.JpType{jmespath.JpObject}}}
	return []jmespath.FunctionEntry{{
		Name:      "keys",
		Arguments: object,
		Handler: func(args []any) (any, error) {
			m := args[0].(map[string]any)
			out := []any{}
			for _, k := range order(m) {
				out = append(out, k)
			}
			return out, nil
		},
	}, {
		Name:      "values",
		Arguments: object,
		Handler: func(args []any) (any, error) {
			m := args[0].(map[string]any)
			out := []any{}
			for _, k := range order(m) {
				out = append(out, m[k])
			}
			return out, nil
		},
	}}
}

// Python's jmespath (the AWS CLI's) words its errors differently from the Go
// library's. The common ones are mapped to its words (jmespath/exceptions.py);
// the rest keep the Go library's (README.md, "--query").

// pySyntaxError is the Python wording of a syntax error the Go parser
// reports: an unclosed quote (LexerError, the caret under the opening quote)
// and an expression that ends too early (IncompleteExpressionError, the
// caret after its end).
func pySyntaxError(expr string, err error) error {
	var se parsing.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	msg := strings.TrimPrefix(se.Error(), "SyntaxError: ")
	if d, ok := strings.CutPrefix(msg, "Unclosed delimiter: "); ok && len(d) == 1 {
		return fmt.Errorf("Bad jmespath expression: Unclosed %s delimiter:\n%s\n%s^", d, expr, strings.Repeat(" ", unclosedAt(expr)))
	}
	if msg == "Incomplete expression" || strings.HasSuffix(msg, "received: TOKEOF") {
		return fmt.Errorf("Invalid jmespath expression: Incomplete expression:\n\"%s\"\n%s^", expr, strings.Repeat(" ", len(expr)+1))
	}
	return err
}

// unclosedAt is the offset of the quote (', " or `) that expr never
// closes, where Python's lexer puts its caret (the Go one points at the
// end): the first one whose closing quote, backslash escapes skipped, is
// missing.
func unclosedAt(expr string) int {
	for i := 0; i < len(expr); i++ {
		q := expr[i]
		if q != '\'' && q != '"' && q != '`' {
			continue
		}
		j := i + 1
		for j < len(expr) && expr[j] != q {
			if expr[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(expr) {
			return i
		}
		i = j
	}
	return len(expr)
}

// pySearchError is the Python wording of an error of the search: an
// unknown function (UnknownFunctionError).
func pySearchError(err error) error {
	if name, ok := strings.CutPrefix(err.Error(), "unknown function: "); ok {
		return fmt.Errorf("Unknown function: %s()", name)
	}
	return err
}
