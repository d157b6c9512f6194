package awsout

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/ssocli/ssocli/internal/termtext"
)

// writeJSON writes v as the AWS CLI's JSON formatter does: Python's
// json.dump(v, indent=4, ensure_ascii=False) and a newline. It is written
// here because encoding/json differs in bytes that scripts see (it escapes
// <, >, &, U+2028 and U+2029, and prints floats and empty containers its
// own way); the result then goes through termtext.JSON, which escapes DEL
// and the C1 controls (that Python writes raw) without changing a value.
func writeJSON(buf *bytes.Buffer, v any) {
	var b bytes.Buffer
	encodeJSON(&b, v, 0)
	b.WriteByte('\n')
	buf.Write(termtext.JSON(b.Bytes()))
}

func encodeJSON(b *bytes.Buffer, v any, level int) {
	newline := func(l int) {
		b.WriteByte('\n')
		for range l * 4 {
			b.WriteByte(' ')
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		jsonString(b, x)
	case float64:
		b.WriteString(pyFloat(x, true))
	case int, int32, int64:
		b.WriteString(pyStr(x))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(level + 1)
			encodeJSON(b, e, level+1)
		}
		newline(level)
		b.WriteByte(']')
	default:
		m, ok := fields(v)
		if !ok {
			b.WriteString("null")
			return
		}
		if len(m) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, f := range m {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(level + 1)
			jsonString(b, f.Key)
			b.WriteString(": ")
			encodeJSON(b, f.Value, level+1)
		}
		newline(level)
		b.WriteByte('}')
	}
}

// jsonString is json.encoder's py_encode_basestring: ", \ and the C0
// controls escaped (\n, \r, \t, \b, \f by name), everything else as it is.
// Bytes that are not UTF-8 become U+FFFD (Python's strings cannot hold them).
func jsonString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			b.WriteString(`\u00`)
			h := strconv.FormatInt(int64(r), 16)
			if len(h) < 2 {
				b.WriteByte('0')
			}
			b.WriteString(h)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
