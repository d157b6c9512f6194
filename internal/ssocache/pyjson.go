package ssocache

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON reader and a writer that reproduces Python's
// json.dumps output, which is what the AWS CLI writes. encoding/json cannot be used
// for the writing side: it escapes <, > and & as \u003c..., keeps non-ASCII as UTF-8
// and sorts map keys, while Python escapes every non-ASCII character (ensure_ascii)
// and keeps dict order. The reader works on a string so that values without escapes
// are substrings of the file, with no allocation each (ReadRoleCredentials is on the
// credential hot path).

const hexDigits = "0123456789abcdef"

// AppendPyString appends s as Python's json.dumps(s) with ensure_ascii=True (its
// default) writes it, which is what the AWS CLI writes in its cache files and in
// `configure export-credentials --format process`: `"`
// and `\` escaped, \b \f \n \r \t in short form, every other byte outside ' '..'~'
// as \u00XX, and non-ASCII runes as \uXXXX (lowercase hex), astral runes as a
// UTF-16 surrogate pair. Invalid UTF-8 is written as U+FFFD. '/' is not escaped.
func AppendPyString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = appendU4(b, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			b = appendU4(appendU4(b, r1), r2)
		} else {
			b = appendU4(b, r) // includes U+FFFD for invalid UTF-8
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// AppendPyStrings appends a list of strings as json.dumps writes it: ["a", "b"].
func AppendPyStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = AppendPyString(b, s)
	}
	return append(b, ']')
}

// appendTime appends t as the quoted %Y-%m-%dT%H:%M:%SZ the AWS CLI writes: UTC,
// whole seconds (the fraction is dropped, as strftime drops it).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, timeLayout)
	return append(b, '"')
}

// syntaxError reports where a file stops being JSON. It names an offset only,
// never the bytes, because cache files hold secrets.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return e.msg + " at byte " + strconv.Itoa(e.offset) }

// maxDepth bounds nesting of values we do not know, like encoding/json does.
const maxDepth = 10000

// scanner reads JSON from a string. Methods leave pos after what they read;
// callers skip whitespace with ws before each token.
type scanner struct {
	s   string
	pos int
}

func (sc *scanner) fail(msg string) error { return &syntaxError{offset: sc.pos, msg: msg} }

func (sc *scanner) ws() {
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

// end checks that only whitespace follows the top-level value. Two AWS CLI
// processes writing at once can leave a whole object followed by garbage
// (botocore#3213); Python rejects that ("Extra data") and so do we.
func (sc *scanner) end() error {
	sc.ws()
	if sc.pos != len(sc.s) {
		return sc.fail("extra data after the JSON value")
	}
	return nil
}

// beginObject reads '{'.
func (sc *scanner) beginObject() error {
	sc.ws()
	if sc.pos >= len(sc.s) {
		return sc.fail("unexpected end of data")
	}
	if sc.s[sc.pos] != '{' {
		return sc.fail("expected a JSON object")
	}
	sc.pos++
	return nil
}

// nextKey reads the next member's key and the ':' after it, leaving pos at the
// value, or reads the closing '}' and reports ok == false. first must point at a
// true bool before the first call for an object.
func (sc *scanner) nextKey(first *bool) (key string, ok bool, err error) {
	sc.ws()
	if sc.pos >= len(sc.s) {
		return "", false, sc.fail("unexpected end of data")
	}
	switch c := sc.s[sc.pos]; {
	case c == '}' && *first:
		sc.pos++
		return "", false, nil
	case *first:
	case c == '}':
		sc.pos++
		return "", false, nil
	case c == ',':
		sc.pos++
		sc.ws()
	default:
		return "", false, sc.fail("expected ',' or '}'")
	}
	*first = false
	key, err = sc.str()
	if err != nil {
		return "", false, err
	}
	sc.ws()
	if sc.pos >= len(sc.s) || sc.s[sc.pos] != ':' {
		return "", false, sc.fail("expected ':'")
	}
	sc.pos++
	sc.ws()
	return key, true, nil
}

// str reads a JSON string and returns its value. Without escapes the value is a
// substring of the input.
func (sc *scanner) str() (string, error) {
	if sc.pos >= len(sc.s) || sc.s[sc.pos] != '"' {
		return "", sc.fail("expected a string")
	}
	start := sc.pos + 1
	for i := start; i < len(sc.s); i++ {
		switch c := sc.s[i]; {
		case c == '"':
			sc.pos = i + 1
			return sc.s[start:i], nil
		case c == '\\':
			return sc.strEscaped(start, i)
		case c < 0x20:
			sc.pos = i
			return "", sc.fail("control character in string")
		}
	}
	sc.pos = len(sc.s)
	return "", sc.fail("unterminated string")
}

// strEscaped finishes str for a string with escapes; i is at the first '\'.
// A lone UTF-16 surrogate decodes to U+FFFD (Python would keep it; Go strings
// cannot hold one).
func (sc *scanner) strEscaped(start, i int) (string, error) {
	b := make([]byte, 0, i-start+16)
	b = append(b, sc.s[start:i]...)
	for i < len(sc.s) {
		c := sc.s[i]
		switch {
		case c == '"':
			sc.pos = i + 1
			return string(b), nil
		case c < 0x20:
			sc.pos = i
			return "", sc.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(sc.s) {
			break
		}
		switch e := sc.s[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(sc.s, i+2)
			if !ok {
				sc.pos = i
				return "", sc.fail("invalid \\u escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(-1), false
				if i+1 < len(sc.s) && sc.s[i] == '\\' && sc.s[i+1] == 'u' {
					r2, ok = hex4(sc.s, i+2)
				}
				if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			sc.pos = i
			return "", sc.fail("invalid escape")
		}
		i += 2
	}
	sc.pos = len(sc.s)
	return "", sc.fail("unterminated string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// isNull reads a null literal if one is next.
func (sc *scanner) isNull() bool {
	if len(sc.s)-sc.pos >= 4 && sc.s[sc.pos:sc.pos+4] == "null" {
		sc.pos += 4
		return true
	}
	return false
}

// strList reads an array of strings.
func (sc *scanner) strList() ([]string, error) {
	if sc.pos >= len(sc.s) || sc.s[sc.pos] != '[' {
		return nil, sc.fail("expected an array")
	}
	sc.pos++
	list := []string{}
	for first := true; ; first = false {
		sc.ws()
		if sc.pos >= len(sc.s) {
			return nil, sc.fail("unexpected end of data")
		}
		if c := sc.s[sc.pos]; c == ']' {
			sc.pos++
			return list, nil
		} else if !first {
			if c != ',' {
				return nil, sc.fail("expected ',' or ']'")
			}
			sc.pos++
			sc.ws()
		}
		s, err := sc.str()
		if err != nil {
			return nil, err
		}
		list = append(list, s)
	}
}

// value reads any JSON value. With emit it appends the value to b the way Python's
// json.dumps writes what json.loads read: ", " and ": " separators, strings
// re-escaped with ensure_ascii, numbers as written, and for an object with a
// repeated key the first position and the last value (dict semantics).
func (sc *scanner) value(b []byte, emit bool, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, sc.fail("nested too deeply")
	}
	sc.ws()
	if sc.pos >= len(sc.s) {
		return nil, sc.fail("unexpected end of data")
	}
	switch c := sc.s[sc.pos]; {
	case c == '"':
		s, err := sc.str()
		if err != nil {
			return nil, err
		}
		if emit {
			b = AppendPyString(b, s)
		}
		return b, nil
	case c == '{':
		return sc.object(b, emit, depth)
	case c == '[':
		sc.pos++
		if emit {
			b = append(b, '[')
		}
		for first := true; ; first = false {
			sc.ws()
			if sc.pos >= len(sc.s) {
				return nil, sc.fail("unexpected end of data")
			}
			if c := sc.s[sc.pos]; c == ']' {
				sc.pos++
				if emit {
					b = append(b, ']')
				}
				return b, nil
			} else if !first {
				if c != ',' {
					return nil, sc.fail("expected ',' or ']'")
				}
				sc.pos++
				if emit {
					b = append(b, ", "...)
				}
			}
			var err error
			if b, err = sc.value(b, emit, depth+1); err != nil {
				return nil, err
			}
		}
	case c == '-' || '0' <= c && c <= '9':
		start := sc.pos
		if err := sc.number(); err != nil {
			return nil, err
		}
		if emit {
			b = append(b, sc.s[start:sc.pos]...)
		}
		return b, nil
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(sc.s)-sc.pos >= len(lit) && sc.s[sc.pos:sc.pos+len(lit)] == lit {
				sc.pos += len(lit)
				if emit {
					b = append(b, lit...)
				}
				return b, nil
			}
		}
		return nil, sc.fail("invalid character")
	}
}

type member struct {
	key   string
	value []byte // Python json.dumps form
}

func (sc *scanner) object(b []byte, emit bool, depth int) ([]byte, error) {
	if err := sc.beginObject(); err != nil {
		return nil, err
	}
	var members []member
	for first := true; ; {
		key, ok, err := sc.nextKey(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		v, err := sc.value(nil, emit, depth+1)
		if err != nil {
			return nil, err
		}
		if emit {
			members = setMember(members, key, v)
		}
	}
	if emit {
		b = appendMembers(append(b, '{'), members)
		b = append(b, '}')
	}
	return b, nil
}

// setMember sets key to v, keeping the key's first position as a Python dict does.
func setMember(members []member, key string, v []byte) []member {
	for i := range members {
		if members[i].key == key {
			members[i].value = v
			return members
		}
	}
	return append(members, member{key: key, value: v})
}

// appendMembers appends `"k": v, ...` (no braces).
func appendMembers(b []byte, members []member) []byte {
	for i, m := range members {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = AppendPyString(b, m.key)
		b = append(b, ": "...)
		b = append(b, m.value...)
	}
	return b
}

// number reads a JSON number (RFC 8259 §6). Python also reads NaN and Infinity;
// no cache file holds them, and we treat them as invalid. A number is kept as
// written: Python would read 1E1000 as inf and write it back as Infinity,
// which is not JSON; keeping the text keeps the file valid JSON that the AWS
// CLI reads to the same value.
func (sc *scanner) number() error {
	s, i := sc.s, sc.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		sc.pos = i
		return sc.fail("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			sc.pos = i
			return sc.fail("invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			sc.pos = i
			return sc.fail("invalid number")
		}
	}
	sc.pos = i
	return nil
}
