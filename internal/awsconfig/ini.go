package awsconfig

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError says where and why a file is not one Python's RawConfigParser (with
// botocore's sub-section rule) accepts. It never quotes the offending line: the
// credentials file holds secrets.
type ParseError struct {
	Line   int    // 1-based line number
	Reason string // e.g. `section "default" already exists`
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// defaultSection is RawConfigParser's default_section: its options are inherited by
// every other section and it is not itself a section.
const defaultSection = "DEFAULT"

// iniParser holds the state of one RawConfigParser._read pass.
type iniParser struct {
	sections []*Section
	byName   map[string]*Section
	defaults *Section

	cur *Section // section receiving options; nil before the first header

	// The option being read: its value grows with continuation lines.
	optOpen  bool
	optKey   string
	optVal   string
	optMulti bool // continuation or empty lines were appended: rstrip at the end
	optLine  int
	indent   int // RawConfigParser's indent_level

	defaultLines map[string]int // line of each [DEFAULT] option, for errors
}

// parseINI reads data the way Python 3's RawConfigParser() with default arguments
// reads a file, followed by botocore's raw_config_parse sub-section step. It
// returns the sections in file order with [DEFAULT] options already inherited.
func parseINI(data []byte) ([]*Section, error) {
	if !utf8.Valid(data) {
		// Python decodes the file as UTF-8 first; a UnicodeDecodeError is a parse
		// error for botocore. Find the line for the report.
		for i, line := 0, 1; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return nil, &ParseError{Line: line, Reason: "invalid UTF-8"}
			}
			if data[i] == '\n' || data[i] == '\r' && (i+1 >= len(data) || data[i+1] != '\n') {
				line++
			}
			i += size
		}
	}
	s := string(data) // one copy; every key, value and name below is a substring
	p := iniParser{byName: make(map[string]*Section, 8+len(s)/128)}
	lineno := 0
	for pos := 0; pos < len(s); {
		// Python reads text files with universal newlines: \n, \r\n and \r all end
		// a line.
		end := pos
		for end < len(s) && s[end] != '\n' && s[end] != '\r' {
			end++
		}
		line := s[pos:end]
		pos = end + 1
		if end < len(s) && s[end] == '\r' && pos < len(s) && s[pos] == '\n' {
			pos++
		}
		lineno++
		if err := p.line(line, lineno); err != nil {
			return nil, err
		}
	}
	if err := p.commit(); err != nil {
		return nil, err
	}
	if p.defaults != nil && len(p.defaults.Keys) > 0 && len(p.sections) > 0 {
		if err := p.nestDefaults(); err != nil {
			return nil, err
		}
		for _, sec := range p.sections {
			inherit(sec, p.defaults)
		}
	}
	return p.sections, nil
}

// line handles one line exactly like the body of RawConfigParser._read's loop.
func (p *iniParser) line(line string, lineno int) error {
	value := pyStrip(line)
	if value == "" {
		// An empty line inside a value is kept (empty_lines_in_values=True) and
		// trimmed again at the end if nothing follows it.
		if p.optOpen {
			p.optVal += "\n"
			p.optMulti = true
		}
		return nil
	}
	if value[0] == '#' || value[0] == ';' {
		// Whole-line comment, even when indented; inline comments are not
		// recognised (inline_comment_prefixes=None), so they stay in values.
		return nil
	}
	indent := leadingSpace(line)
	if p.cur != nil && p.optOpen && indent > p.indent {
		p.optVal += "\n" + value
		p.optMulti = true
		return nil
	}
	p.indent = indent
	if header, ok := sectionHeader(value); ok {
		if err := p.commit(); err != nil {
			return err
		}
		p.optOpen = false
		if header == defaultSection {
			if p.defaults == nil {
				p.defaults = newSection(header)
			}
			p.cur = p.defaults
			return nil
		}
		if _, dup := p.byName[header]; dup {
			return &ParseError{Line: lineno, Reason: fmt.Sprintf("section %q already exists", header)}
		}
		sec := newSection(header)
		p.byName[header] = sec
		p.sections = append(p.sections, sec)
		p.cur = sec
		return nil
	}
	if p.cur == nil {
		return &ParseError{Line: lineno, Reason: "option before the first section header"}
	}
	d := strings.IndexAny(value, "=:")
	if d < 0 {
		return &ParseError{Line: lineno, Reason: `line is not a section header, an option ("key = value") or a comment`}
	}
	if d == 0 {
		return &ParseError{Line: lineno, Reason: "option has no name"}
	}
	if err := p.commit(); err != nil {
		return err
	}
	key := pyLower(pyRstrip(value[:d]))
	if p.cur.has(key) {
		return &ParseError{Line: lineno, Reason: fmt.Sprintf("option %q in section %q already exists", key, p.cur.Name)}
	}
	p.optOpen, p.optKey, p.optVal, p.optMulti, p.optLine = true, key, pyStrip(value[d+1:]), false, lineno
	return nil
}

// commit stores the option being read into the current section. A value that
// starts with a newline is a botocore sub-section (`s3 =` then indented lines).
func (p *iniParser) commit() error {
	if !p.optOpen {
		return nil
	}
	p.optOpen = false
	val := p.optVal
	if p.optMulti {
		val = pyRstrip(val) // RawConfigParser._join_multiline_values
	}
	sec := p.cur
	sec.Keys = append(sec.Keys, p.optKey)
	if sec == p.defaults {
		// botocore only looks at [DEFAULT] values through the sections that
		// inherit them, so a bad sub-section there fails only if inherited.
		sec.Values[p.optKey] = val
		if p.defaultLines == nil {
			p.defaultLines = make(map[string]int)
		}
		p.defaultLines[p.optKey] = p.optLine
		return nil
	}
	if strings.HasPrefix(val, "\n") {
		sub, err := parseNested(val)
		if err != nil {
			return &ParseError{Line: p.optLine, Reason: fmt.Sprintf("sub-section %q: %v", p.optKey, err)}
		}
		if sec.Sub == nil {
			sec.Sub = make(map[string]map[string]string, 2)
		}
		sec.Sub[p.optKey] = sub
		return nil
	}
	sec.Values[p.optKey] = val
	return nil
}

// nestDefaults turns [DEFAULT] values that start with a newline into
// sub-sections, once there is a section to inherit them.
func (p *iniParser) nestDefaults() error {
	d := p.defaults
	for _, k := range d.Keys {
		val := d.Values[k]
		if !strings.HasPrefix(val, "\n") {
			continue
		}
		sub, err := parseNested(val)
		if err != nil {
			return &ParseError{Line: p.defaultLines[k], Reason: fmt.Sprintf("sub-section %q: %v", k, err)}
		}
		delete(d.Values, k)
		if d.Sub == nil {
			d.Sub = make(map[string]map[string]string, 2)
		}
		d.Sub[k] = sub
	}
	return nil
}

// parseNested is botocore's _parse_nested: every non-blank line of the value is
// "key = value", split on the first "="; keys keep their case.
func parseNested(val string) (map[string]string, error) {
	m := make(map[string]string, 4)
	for _, line := range pySplitLines(val) {
		line = pyStrip(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line without \"=\"")
		}
		m[pyStrip(k)] = pyStrip(v)
	}
	return m, nil
}

// inherit gives sec every [DEFAULT] option it does not set itself, after its own
// options (RawConfigParser.options order).
func inherit(sec, defaults *Section) {
	for _, k := range defaults.Keys {
		if sec.has(k) {
			continue
		}
		sec.Keys = append(sec.Keys, k)
		if sub, ok := defaults.Sub[k]; ok {
			if sec.Sub == nil {
				sec.Sub = make(map[string]map[string]string, 2)
			}
			sec.Sub[k] = sub
		} else {
			sec.Values[k] = defaults.Values[k]
		}
	}
}

// sectionHeader matches RawConfigParser's SECTCRE, `\[(?P<header>.+)\]`, against
// the start of a stripped line: the header runs to the last "]" and anything after
// that "]" is ignored.
func sectionHeader(value string) (string, bool) {
	if value[0] != '[' {
		return "", false
	}
	j := strings.LastIndexByte(value, ']')
	if j < 2 {
		return "", false
	}
	return value[1:j], true
}

// leadingSpace counts the characters before the first non-whitespace one, as
// RawConfigParser's NONSPACECRE does (characters, not bytes).
func leadingSpace(line string) int {
	n := 0
	for i := 0; i < len(line); {
		c := line[i]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				return n
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(line[i:])
			if !isPySpaceRune(r) {
				return n
			}
			i += size
		}
		n++
	}
	return n
}

// isASCIISpace is Python's str.isspace for one ASCII character: \t \n \v \f \r,
// the separators \x1c-\x1f and space.
func isASCIISpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r' || c >= 0x1c && c <= 0x1f
}

func isPySpaceRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIISpace(byte(r))
	}
	return unicode.IsSpace(r)
}

// pyStrip is Python's str.strip() with no arguments.
func pyStrip(s string) string {
	return pyRstrip(pyLstrip(s))
}

func pyLstrip(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				return s
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		if !isPySpaceRune(r) {
			return s
		}
		s = s[size:]
	}
	return s
}

func pyRstrip(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				return s
			}
			s = s[:len(s)-1]
			continue
		}
		r, size := utf8.DecodeLastRuneInString(s)
		if !isPySpaceRune(r) {
			return s
		}
		s = s[:len(s)-size]
	}
	return s
}

// pyLower is RawConfigParser's optionxform (str.lower); it allocates only when
// there is something to lower.
func pyLower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// pySplitLines is Python's str.splitlines(): it also breaks at \v, \f, \x1c-\x1e,
// \x85, U+2028 and U+2029.
func pySplitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, s[start:i])
			i += size
			start = i
		case '\r':
			out = append(out, s[start:i])
			i += size
			if i < len(s) && s[i] == '\n' {
				i++
			}
			start = i
		default:
			i += size
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// shlexSplit is Python's shlex.split(s) (POSIX mode, no comments): whitespace
// splits words, single quotes keep everything, double quotes allow \" and \\, a
// backslash outside quotes escapes the next character. An unclosed quote or a
// trailing backslash is an error, as in Python.
func shlexSplit(s string) ([]string, error) {
	var (
		words   []string
		tok     strings.Builder
		inWord  bool // a token has started (possibly empty, from "")
		quote   byte // 0, '\'' or '"'
		escaped bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			if quote == '"' && c != '"' && c != '\\' {
				tok.WriteByte('\\')
			}
			tok.WriteByte(c)
			escaped = false
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				tok.WriteByte(c)
			}
		case quote == '"':
			switch c {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				tok.WriteByte(c)
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if inWord {
				words = append(words, tok.String())
				tok.Reset()
				inWord = false
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\':
			escaped, inWord = true, true
		default:
			tok.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("no closing quotation")
	}
	if escaped {
		return nil, fmt.Errorf("no escaped character")
	}
	if inWord {
		words = append(words, tok.String())
	}
	return words, nil
}
