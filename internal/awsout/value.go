package awsout

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// pyStr is Python's str() of a value, which the text and table formats
// print: True/False, None, integers in decimal and floats as repr does.
// A float64 that holds an integer below 2^53 prints as one: JMESPath (here
// and in github.com/jmespath-community/go-jmespath) has only float64, and
// its integers (length(), sum() of integers, a member picked from an
// integer field) are Python ints in the AWS CLI.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return pyFloat(x, false)
	}
	return pyRepr(v)
}

// pyRepr is Python's repr() of a list or dict, which str() of one gives
// (text and table print it for a member that is a scalar in one object of
// a list and not in another).
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		q := "'"
		if strings.Contains(x, "'") && !strings.Contains(x, `"`) {
			q = `"`
		}
		r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`, q, `\`+q)
		return q + r.Replace(x) + q
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if m, ok := fields(v); ok {
		parts := make([]string, len(m))
		for i, f := range m {
			parts[i] = pyRepr(f.Key) + ": " + pyRepr(f.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return pyStr(v)
}

// pyFloat is Python's repr() of a float (json=true: json.dumps's spelling of
// the non-finite ones). Python writes the shortest digits that read back as
// the same float, in positional notation when the decimal exponent is
// within -4 <= e < 16 and with an ".0" when integral; otherwise as
// d.ddde+XX (floatobject.c, format_float_short).
func pyFloat(f float64, json bool) string {
	switch {
	case math.IsNaN(f):
		if json {
			return "NaN"
		}
		return "nan"
	case math.IsInf(f, 1):
		if json {
			return "Infinity"
		}
		return "inf"
	case math.IsInf(f, -1):
		if json {
			return "-Infinity"
		}
		return "-inf"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	digits := strings.Replace(mant, ".", "", 1)
	if x < -4 || x >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if x < 0 {
			es, x = "-", -x
		}
		return sign + m + "e" + es + leftPad(strconv.Itoa(x), 2)
	}
	point := x + 1 // digits before the decimal point
	var s string
	switch {
	case point <= 0:
		s = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		s = digits + strings.Repeat("0", point-len(digits)) + ".0"
	default:
		s = digits[:point] + "." + digits[point:]
	}
	return sign + s
}

func leftPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// isScalar is the formatters' "not a list or a dict".
func isScalar(v any) bool {
	switch v.(type) {
	case []any, Map, map[string]any:
		return false
	}
	return true
}

// fields returns the members of an object in their order (a map's sorted)
// and whether v is an object.
func fields(v any) (Map, bool) {
	switch m := v.(type) {
	case Map:
		return m, true
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make(Map, len(keys))
		for i, k := range keys {
			out[i] = Field{k, m[k]}
		}
		return out, true
	}
	return nil, false
}

// sortedKeys is Python's sorted() of str keys: by code point, which is
// the byte order of UTF-8.
func sortedKeys(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}
