package awsconfig

import (
	"bytes"
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

// pair is one option as read: a plain value, or a sub-section when sub is not nil.
type pair struct {
	key, val string
	sub      map[string]string
	line     int
}

// rawSection is a section as RawConfigParser holds it. Turning it into a Section
// (maps) is left until someone asks for it: a command needs one or two of the
// possibly thousands of profiles in the file.
type rawSection struct {
	header string
	pairs  []pair
}

func (r *rawSection) find(key string) int {
	for i := range r.pairs {
		if r.pairs[i].key == key {
			return i
		}
	}
	return -1
}

// rawFile is one parsed file: its sections in order, and its [DEFAULT] section
// (nil if absent), whose options every section inherits.
type rawFile struct {
	sections []*rawSection
	defaults *rawSection
}

// iniParser holds the state of one RawConfigParser._read pass.
type iniParser struct {
	file   rawFile
	byName map[string]bool
	// Sections and their options are carved out of these arenas: one allocation
	// per growth step instead of one per section.
	secArena  []rawSection
	pairArena []pair
	pairStart int // where the current section's pairs begin in pairArena
	curKeys   map[string]bool

	cur *rawSection // section receiving options; nil before the first header

	// The option being read: its value grows with continuation lines.
	optOpen  bool
	optKey   string
	optVal   string   // the first line's value
	optMore  []string // continuation lines, "" for a kept empty line (reused)
	optBlank int      // empty lines seen since the last non-empty one
	optLine  int
	indent   int // RawConfigParser's indent_level
}

// parseINI reads data the way Python 3's RawConfigParser() with default arguments
// reads a file, and checks botocore's sub-sections (raw_config_parse).
func parseINI(data []byte) (*rawFile, error) {
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
	s := string(data)                          // one copy; every key, value and name below is a substring
	nsec := bytes.Count(data, []byte("[")) + 1 // an upper bound on sections
	p := iniParser{
		byName:    make(map[string]bool, nsec),
		secArena:  make([]rawSection, 0, nsec),
		pairArena: make([]pair, 0, bytes.Count(data, []byte("\n"))*3/4+1),
	}
	p.file.sections = make([]*rawSection, 0, nsec)
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
	if err := p.endSection(); err != nil {
		return nil, err
	}
	if d := p.file.defaults; d != nil && len(p.file.sections) > 0 {
		// botocore only looks at [DEFAULT] values through the sections that
		// inherit them, so a bad sub-section there fails only if inherited.
		for i := range d.pairs {
			if err := nest(&d.pairs[i]); err != nil {
				return nil, err
			}
		}
	}
	return &p.file, nil
}

// line handles one line exactly like the body of RawConfigParser._read's loop.
func (p *iniParser) line(line string, lineno int) error {
	value := pyStrip(line)
	if value == "" {
		// An empty line inside a value is kept (empty_lines_in_values=True) and
		// trimmed again at the end if nothing follows it.
		// Counted, not stored: empty lines at the end of a value are dropped.
		if p.optOpen {
			p.optBlank++
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
		for ; p.optBlank > 0; p.optBlank-- {
			p.optMore = append(p.optMore, "")
		}
		p.optMore = append(p.optMore, value)
		return nil
	}
	p.indent = indent
	if header, ok := sectionHeader(value); ok {
		if err := p.endSection(); err != nil {
			return err
		}
		if header == defaultSection {
			// [DEFAULT] may appear several times; its options accumulate.
			if p.file.defaults == nil {
				p.file.defaults = &rawSection{header: header}
			}
			p.cur = p.file.defaults
			p.pairArena = append(p.pairArena, p.cur.pairs...)
			p.pairStart = len(p.pairArena) - len(p.cur.pairs)
			return nil
		}
		if p.byName[header] {
			return &ParseError{Line: lineno, Reason: fmt.Sprintf("section %q already exists", header)}
		}
		p.byName[header] = true
		p.secArena = append(p.secArena, rawSection{header: header})
		p.cur = &p.secArena[len(p.secArena)-1]
		p.file.sections = append(p.file.sections, p.cur)
		p.pairStart = len(p.pairArena)
		return nil
	}
	if p.cur == nil {
		return &ParseError{Line: lineno, Reason: "option before the first section header"}
	}
	d := indexDelim(value)
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
	if p.hasKey(key) {
		return &ParseError{Line: lineno, Reason: fmt.Sprintf("option %q in section %q already exists", key, p.cur.header)}
	}
	p.optOpen, p.optKey, p.optVal, p.optMore, p.optBlank, p.optLine = true, key, pyStrip(value[d+1:]), p.optMore[:0], 0, lineno
	return nil
}

// hasKey reports whether the current section already has key. Sections are
// small, so a scan is cheaper than a map until they are not.
func (p *iniParser) hasKey(key string) bool {
	pairs := p.pairArena[p.pairStart:]
	if len(pairs) < 32 {
		for i := range pairs {
			if pairs[i].key == key {
				return true
			}
		}
		return false
	}
	if p.curKeys == nil {
		p.curKeys = make(map[string]bool, 2*len(pairs))
		for i := range pairs {
			p.curKeys[pairs[i].key] = true
		}
	}
	return p.curKeys[key]
}

// commit stores the option being read into the current section.
func (p *iniParser) commit() error {
	if !p.optOpen {
		return nil
	}
	p.optOpen = false
	val := p.optVal
	if len(p.optMore) > 0 {
		// RawConfigParser._join_multiline_values: "\n".join(lines).rstrip().
		n := len(val)
		for _, l := range p.optMore {
			n += 1 + len(l)
		}
		var b strings.Builder
		b.Grow(n)
		b.WriteString(val)
		for _, l := range p.optMore {
			b.WriteByte('\n')
			b.WriteString(l)
		}
		val = pyRstrip(b.String())
	}
	p.pairArena = append(p.pairArena, pair{key: p.optKey, val: val, line: p.optLine})
	if p.curKeys != nil {
		p.curKeys[p.optKey] = true
	}
	if p.cur == p.file.defaults {
		return nil // nested later, see parseINI
	}
	return nest(&p.pairArena[len(p.pairArena)-1])
}

// endSection closes the current section: its options become a slice of the arena.
func (p *iniParser) endSection() error {
	if err := p.commit(); err != nil {
		return err
	}
	if p.cur != nil {
		p.cur.pairs = p.pairArena[p.pairStart:len(p.pairArena):len(p.pairArena)]
	}
	p.optOpen = false
	p.curKeys = nil
	return nil
}

// indexDelim returns the index of the first "=" or ":" (RawConfigParser's
// delimiters), or -1.
func indexDelim(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' || s[i] == ':' {
			return i
		}
	}
	return -1
}

// nest turns a value that starts with a newline into a botocore sub-section
// (`s3 =` followed by indented lines).
func nest(pr *pair) error {
	if pr.sub != nil || !strings.HasPrefix(pr.val, "\n") {
		return nil
	}
	sub, err := parseNested(pr.val)
	if err != nil {
		return &ParseError{Line: pr.line, Reason: fmt.Sprintf("sub-section %q: %v", pr.key, err)}
	}
	pr.sub, pr.val = sub, ""
	return nil
}

// parseNested is botocore's _parse_nested: every non-blank line of the value is
// "key = value", split on the first "="; keys keep their case.
func parseNested(val string) (map[string]string, error) {
	m := make(map[string]string, 4)
	for rest := val; rest != ""; {
		var line string
		line, rest = cutLine(rest)
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

// cutLine splits off the first line the way Python's str.splitlines() breaks
// lines: also at \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029.
func cutLine(s string) (line, rest string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == 0x85 || r == 0x2028 || r == 0x2029 {
				return s[:i], s[i+size:]
			}
			i += size
			continue
		}
		switch c {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e:
			return s[:i], s[i+1:]
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return s[:i], s[i+2:]
			}
			return s[:i], s[i+1:]
		}
		i++
	}
	return s, ""
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
