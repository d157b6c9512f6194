package ssocache

import (
	"iter"
	"time"
)

// objWriter writes the members of a top-level object in Python json.dumps form.
type objWriter struct {
	b []byte
	n int
}

func (w *objWriter) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ", "...)
	}
	w.n++
	w.b = AppendPyString(w.b, k)
	w.b = append(w.b, ": "...)
}

func (w *objWriter) str(k, v string) {
	if v != "" {
		w.key(k)
		w.b = AppendPyString(w.b, v)
	}
}

func (w *objWriter) time(k string, v time.Time) {
	if !v.IsZero() {
		w.key(k)
		w.b = appendTime(w.b, v)
	}
}

func (w *objWriter) list(k string, v []string) {
	if v != nil {
		w.key(k)
		w.b = AppendPyStrings(w.b, v)
	}
}

func (w *objWriter) extra(extra []member) {
	for _, m := range extra {
		w.key(m.key)
		w.b = append(w.b, m.value...)
	}
}

// parser reads the top-level object of a cache file. The first problem is kept in
// err (a *CorruptError) and ends the iteration, so the parse functions read as a
// plain switch over keys.
type parser struct {
	sc   scanner
	path string
	kind string
	err  error
}

func (p *parser) corrupt(reason string, invalidJSON bool) {
	if p.err == nil {
		p.err = &CorruptError{Path: p.path, Kind: p.kind, Reason: reason, InvalidJSON: invalidJSON}
	}
}

func (p *parser) syntax(err error) {
	if err != nil {
		p.corrupt("invalid JSON: "+err.Error(), true)
	}
}

// members yields the keys of the top-level object; the loop body must read the
// value with one of the opt* methods or unknown. After the last key it checks that
// nothing but whitespace follows.
func (p *parser) members() iter.Seq[string] {
	return func(yield func(string) bool) {
		if len(p.sc.s) == 0 {
			p.corrupt("empty file", true)
			return
		}
		if err := p.sc.beginObject(); err != nil {
			p.syntax(err)
			return
		}
		for first := true; ; {
			key, ok, err := p.sc.nextKey(&first)
			if err != nil {
				p.syntax(err)
				return
			}
			if !ok {
				break
			}
			if !yield(key) || p.err != nil {
				return
			}
		}
		p.syntax(p.sc.end())
	}
}

// optString reads a string value; null reads as "" (absent).
func (p *parser) optString(key string) string {
	if p.sc.isNull() {
		return ""
	}
	if p.sc.pos < len(p.sc.s) && p.sc.s[p.sc.pos] != '"' {
		p.skipMistyped(key, "a string")
		return ""
	}
	s, err := p.sc.str()
	p.syntax(err)
	return s
}

// optTime reads a date string; null reads as the zero time (absent).
func (p *parser) optTime(key string) time.Time {
	s := p.optString(key)
	if s == "" || p.err != nil {
		return time.Time{}
	}
	t, ok := parseTime(s)
	if !ok {
		p.corrupt(key+" is not a date", false)
	}
	return t
}

// optList reads a list of strings; null reads as nil (absent).
func (p *parser) optList(key string) []string {
	if p.sc.isNull() {
		return nil
	}
	if p.sc.pos < len(p.sc.s) && p.sc.s[p.sc.pos] != '[' {
		p.skipMistyped(key, "a list of strings")
		return nil
	}
	start := p.sc.pos
	list, err := p.sc.strList()
	if err != nil {
		// Either a syntax error or an array holding something else than strings:
		// tell the two apart by reading it again as any value.
		p.sc.pos = start
		if _, err := p.sc.value(nil, false, 0); err != nil {
			p.syntax(err)
		} else {
			p.corrupt(key+" is not a list of strings", false)
		}
	}
	return list
}

// skipMistyped reads a value of the wrong type, reporting a syntax error if it is
// not even JSON, else that key has the wrong type.
func (p *parser) skipMistyped(key, want string) {
	if _, err := p.sc.value(nil, false, 0); err != nil {
		p.syntax(err)
		return
	}
	p.corrupt(key+" is not "+want, false)
}

// unknown reads the value of a key we do not know and keeps it, re-encoded the way
// Python would write it back. A repeated key keeps its first position and takes
// the last value, as json.loads builds a dict.
func (p *parser) unknown(extra []member, key string) []member {
	v, err := p.sc.value(nil, true, 0)
	if err != nil {
		p.syntax(err)
		return extra
	}
	return setMember(extra, key, v)
}
