package awsconfig

import (
	"fmt"
	"math/bits"
	"strings"
	"sync/atomic"
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

// rawSection is a section as RawConfigParser holds it. Its options are read
// when someone asks for them (getPairs): a command needs one or two of the
// possibly thousands of profiles in the file, so parseINI only checks the
// other sections' lines (exactly as strictly) and keeps their text.
//
// There is one per section of a file of maybe 10,000, so it is small (48
// bytes): its options are behind a pointer, set once they are read.
type rawSection struct {
	header string
	body   string                 // the lines after the header, up to the next header
	pairs  atomic.Pointer[[]pair] // nil until the options are read
	line   int32                  // the header's line number
}

// getPairs returns the section's options, reading them from its text on
// first use. The text was checked by parseINI, so this cannot fail. Two
// goroutines may both read them; the options are the same.
func (r *rawSection) getPairs() []pair {
	if ps := r.pairs.Load(); ps != nil {
		return *ps
	}
	tmp := &rawSection{header: r.header, line: r.line}
	p := iniParser{cur: tmp}
	if err := p.run(r.body, int(r.line)); err != nil {
		panic("awsconfig: a section parseINI accepted fails to parse: " + err.Error())
	}
	ps := tmp.pairs.Load()
	if ps == nil || len(*ps) == 0 {
		ps = new([]pair)
	}
	r.pairs.CompareAndSwap(nil, ps)
	return *r.pairs.Load()
}

// setPairs stores the options of a section read as a whole.
func (r *rawSection) setPairs(ps []pair) { r.pairs.Store(&ps) }

// storedPairs is the options stored so far (nil if none).
func (r *rawSection) storedPairs() []pair {
	if ps := r.pairs.Load(); ps != nil {
		return *ps
	}
	return nil
}

func headerOf(r *rawSection) string { return r.header }

// stored marks a section whose options were stored as it was read.
func (r *rawSection) stored() {
	if r.pairs.Load() == nil {
		r.setPairs(nil)
	}
}

func (r *rawSection) find(key string) int {
	pairs := r.getPairs()
	for i := range pairs {
		if pairs[i].key == key {
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

// iniParser holds the state of one RawConfigParser._read pass. In the pass
// over the whole file (lazy) only [DEFAULT]'s options are stored; the other
// sections' keys are kept only while their section is read, for the
// duplicate check, and their values are checked but not stored.
type iniParser struct {
	file    rawFile
	lazy    bool
	headers strIndex // the sections by header, for the duplicate check
	// Sections and their options are carved out of these arenas: one allocation
	// per growth step instead of one per section.
	secArena  []rawSection
	pairArena []pair
	pairStart int      // where the current section's pairs begin in pairArena
	keys      []string // lazy: the current section's keys so far (reused)
	curKeys   map[string]bool

	cur      *rawSection // section receiving options; nil before the first header
	bodyFrom int         // lazy: where the current section's lines start

	// The option being read: its value grows with continuation lines.
	optOpen  bool
	optKey   string
	optVal   string   // the first line's value
	optMore  []string // continuation lines, "" for a kept empty line (reused)
	optBlank int      // empty lines seen since the last non-empty one
	optLine  int
	indent   int // RawConfigParser's indent_level
}

// storing reports whether the options of the current section are stored.
func (p *iniParser) storing() bool { return !p.lazy || p.cur == p.file.defaults }

// parseINI reads data the way Python 3's RawConfigParser() with default arguments
// reads a file, and checks botocore's sub-sections (raw_config_parse).
func parseINI(data []byte) (*rawFile, error) {
	return parseINIString(string(data)) // one copy; every key, value and name below is a substring
}

// checkUTF8 fails where Python's decoding of the file as UTF-8 would: a
// UnicodeDecodeError is a parse error for botocore. It finds the line for
// the report.
func checkUTF8(s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	for i, line := 0, 1; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return &ParseError{Line: line, Reason: "invalid UTF-8"}
		}
		if s[i] == '\n' || s[i] == '\r' && (i+1 >= len(s) || s[i+1] != '\n') {
			line++
		}
		i += size
	}
	return nil
}

// parseINIString is parseINI of a string that stays unchanged while the
// result is in use (its sections keep substrings of it).
func parseINIString(s string) (*rawFile, error) {
	if err := checkUTF8(s); err != nil {
		return nil, err
	}
	nsec := strings.Count(s, "[") + 1 // an upper bound on sections
	p := iniParser{
		lazy:     true,
		secArena: make([]rawSection, 0, nsec),
	}
	p.headers.init(nsec)
	p.file.sections = make([]*rawSection, 0, nsec)
	if err := p.run(s, 0); err != nil {
		return nil, err
	}
	if d := p.file.defaults; d != nil {
		if len(p.file.sections) > 0 {
			// botocore only looks at [DEFAULT] values through the sections that
			// inherit them, so a bad sub-section there fails only if inherited.
			pairs := d.storedPairs()
			for i := range pairs {
				if err := nest(&pairs[i]); err != nil {
					return nil, err
				}
			}
		}
		d.stored()
	}
	return &p.file, nil
}

// run reads the lines of s, the first being line lineno+1.
func (p *iniParser) run(s string, lineno int) error {
	// Python reads text files with universal newlines: \n, \r\n and \r all end
	// a line. Without a \r in the file, the end of a line is the next \n.
	noCR := strings.IndexByte(s, '\r') < 0
	for pos := 0; pos < len(s); {
		if p.lazy && p.cur != nil && p.cur != p.file.defaults {
			// A section whose options are not stored: its lines are only
			// checked, up to the next header line (or the end).
			start, next, hline, header, ok, err := p.checkBody(s, pos, lineno, noCR)
			if err != nil {
				return err
			}
			if !ok {
				pos, lineno = len(s), hline
				break
			}
			// The header line that ends it, as p.line handles it.
			prev := p.cur
			if err := p.header(header, hline); err != nil {
				return err
			}
			prev.body = s[p.bodyFrom:start]
			p.bodyFrom = min(next, len(s))
			pos, lineno = next, hline
			continue
		}
		start := pos
		var line string
		line, pos = nextLine(s, pos, noCR)
		lineno++
		prev := p.cur
		header, err := p.line(line, lineno)
		if err != nil {
			return err
		}
		if header && p.lazy {
			if prev != nil && prev != p.file.defaults {
				prev.body = s[p.bodyFrom:start]
			}
			p.bodyFrom = min(pos, len(s))
		}
	}
	if err := p.endSection(); err != nil {
		return err
	}
	if p.lazy && p.cur != nil && p.cur != p.file.defaults {
		p.cur.body = s[p.bodyFrom:]
	}
	return nil
}

// nextLine returns the line that starts at pos and where the next one starts
// (past len(s) after the last). Python reads text files with universal
// newlines: \n, \r\n and \r all end a line; without a \r in the file (noCR),
// the end of a line is the next \n.
func nextLine(s string, pos int, noCR bool) (string, int) {
	end := pos
	if noCR {
		if i := strings.IndexByte(s[pos:], '\n'); i >= 0 {
			end = pos + i
		} else {
			end = len(s)
		}
	} else {
		for end < len(s) && s[end] != '\n' && s[end] != '\r' {
			end++
		}
	}
	next := end + 1
	if end < len(s) && s[end] == '\r' && next < len(s) && s[next] == '\n' {
		next++
	}
	return s[pos:end], next
}

// checkBody checks the lines of a section whose options are not stored (the
// lazy pass), from s[pos:] (line lineno+1) up to the next header line. It
// returns where that line starts and where the next one does, its number and
// the header it names (ok), or, at the end of s, ok false and the number of
// the last line. It is p.line for such a section, with its state in locals and
// nothing stored: the keys for the duplicate check, and for an option whose
// value starts empty (a sub-section) whether a continuation line fails
// checkNested. FuzzLazyParse holds it to the eager parse.
func (p *iniParser) checkBody(s string, pos, lineno int, noCR bool) (start, next, hline int, header string, ok bool, err error) {
	var (
		keys     = p.keys[:0]
		keySet   map[string]bool // once the section has 32 keys
		optOpen  bool            // an option is being read
		optEmpty bool            // its value's first line is empty
		optMore  bool            // and a continuation line followed
		optBad   bool            // and one of those lines fails checkNested
		optKey   string
		optLine  int
		indent   int
		value    string
		d        int
		upper    bool
		end      int
		line     string
	)
	for pos < len(s) {
		start = pos
		// The common lines, in a loop of their own (see plainLines): it
		// cannot fail, so it runs while the option being read cannot fail
		// either, and stops where a line needs the general steps.
		if !(optOpen && optEmpty && optMore && optBad) && len(keys) < 32 {
			var n, lastN int
			var last string
			if pos, n, keys, last, lastN = plainLines(s, pos, keys); n > 0 {
				if last != "" {
					// That line's option is the one being read.
					optOpen, optEmpty, optMore, optBad, optKey, optLine = true, pyStrip(last[1:]) == "", false, false, keys[len(keys)-1], lineno+lastN
					indent = 0
				}
				lineno += n
				if pos >= len(s) {
					break
				}
				start = pos
			}
			// The usual header line, "[...]" from the first column: stripping
			// it only trims its end, and from the first column it never
			// continues a value.
			if s[pos] == '[' {
				end = lineEnd(s, pos)
				if name, ok := sectionHeader(pyRstrip(s[pos:end])); ok {
					if pos = end + 1; end < len(s) && s[end] == '\r' && pos < len(s) && s[pos] == '\n' {
						pos++
					}
					lineno++
					value = name
					goto header
				}
			}
		}
		line, pos = nextLine(s, pos, noCR)
		lineno++
		// The steps of p.line, in its order.
		if line != "" {
			if c := line[0]; c > ' ' && c < utf8.RuneSelf && c != '#' && c != ';' && c != '[' {
				if d, upper = indexDelim(line); d > 0 {
					indent, value = 0, line
					goto option
				}
			}
		}
		value = pyStrip(line)
		if value == "" || value[0] == '#' || value[0] == ';' {
			continue // empty lines in a value only matter to its text
		}
		if ind := leadingSpace(line); optOpen && ind > indent {
			optMore = true
			if optEmpty && !optBad && !nestedOK(value) {
				optBad = true
			}
			continue
		} else {
			indent = ind
		}
		if name, ok := sectionHeader(value); ok {
			value = name
			goto header
		}
		if d, upper = indexDelim(value); d < 0 {
			p.keys = keys[:0]
			return 0, 0, 0, "", false, &ParseError{Line: lineno, Reason: `line is not a section header, an option ("key = value") or a comment`}
		}
		if d == 0 {
			p.keys = keys[:0]
			return 0, 0, 0, "", false, &ParseError{Line: lineno, Reason: "option has no name"}
		}
	option:
		// p.option: close the option being read, then the duplicate check.
		if optOpen && optEmpty && optMore && optBad {
			break
		}
		{
			key, val := optionKV(value, d, upper)
			dup := false
			if keySet == nil {
				for _, k := range keys {
					if len(k) == len(key) && k == key {
						dup = true
						break
					}
				}
				if len(keys) >= 32 {
					keySet = make(map[string]bool, 2*len(keys))
					for _, k := range keys {
						keySet[k] = true
					}
				}
			} else {
				dup = keySet[key]
			}
			if dup {
				p.keys = keys[:0]
				return 0, 0, 0, "", false, &ParseError{Line: lineno, Reason: fmt.Sprintf("option %q in section %q already exists", key, p.cur.header)}
			}
			keys = append(keys, key)
			if keySet != nil {
				keySet[key] = true
			}
			optOpen, optEmpty, optMore, optBad, optKey, optLine = true, pyStrip(val) == "", false, false, key, lineno
		}
	}
	start, pos = len(s), len(s)
	value = ""
header:
	p.keys = keys[:0]
	// p.commit for this section: only a sub-section can fail.
	if optOpen && optEmpty && optMore && optBad {
		return 0, 0, 0, "", false, &ParseError{Line: optLine, Reason: fmt.Sprintf("sub-section %q: line without \"=\"", optKey)}
	}
	if value == "" {
		return start, pos, lineno, "", false, nil
	}
	return start, pos, lineno, value, true, nil // value is the header's name
}

// line handles one line exactly like the body of RawConfigParser._read's loop.
func (p *iniParser) line(line string, lineno int) (header bool, err error) {
	// The common line, "key = value" from the first column, takes a short
	// cut with the same outcome as the general steps below: it is not empty,
	// not a comment and not a header, and, not indented, never continues a
	// value; stripping it only trims its end, which option does.
	if p.cur != nil && line != "" {
		if c := line[0]; c > ' ' && c < utf8.RuneSelf && c != '#' && c != ';' && c != '[' {
			if d, upper := indexDelim(line); d > 0 {
				p.indent = 0
				return false, p.option(line, d, upper, lineno)
			}
		}
	}
	value := pyStrip(line)
	if value == "" {
		// An empty line inside a value is kept (empty_lines_in_values=True) and
		// trimmed again at the end if nothing follows it.
		// Counted, not stored: empty lines at the end of a value are dropped.
		if p.optOpen {
			p.optBlank++
		}
		return false, nil
	}
	if value[0] == '#' || value[0] == ';' {
		// Whole-line comment, even when indented; inline comments are not
		// recognised (inline_comment_prefixes=None), so they stay in values.
		return false, nil
	}
	indent := leadingSpace(line)
	if p.cur != nil && p.optOpen && indent > p.indent {
		for ; p.optBlank > 0; p.optBlank-- {
			p.optMore = append(p.optMore, "")
		}
		p.optMore = append(p.optMore, value)
		return false, nil
	}
	p.indent = indent
	if header, ok := sectionHeader(value); ok {
		return true, p.header(header, lineno)
	}
	if p.cur == nil {
		return false, &ParseError{Line: lineno, Reason: "option before the first section header"}
	}
	d, upper := indexDelim(value)
	if d < 0 {
		return false, &ParseError{Line: lineno, Reason: `line is not a section header, an option ("key = value") or a comment`}
	}
	if d == 0 {
		return false, &ParseError{Line: lineno, Reason: "option has no name"}
	}
	return false, p.option(value, d, upper, lineno)
}

// header starts the section of a header line.
func (p *iniParser) header(header string, lineno int) error {
	if err := p.endSection(); err != nil {
		return err
	}
	if header == defaultSection {
		// [DEFAULT] may appear several times; its options accumulate.
		if p.file.defaults == nil {
			p.file.defaults = &rawSection{header: header}
		}
		p.cur = p.file.defaults
		pairs := p.cur.storedPairs()
		p.pairArena = append(p.pairArena, pairs...)
		p.pairStart = len(p.pairArena) - len(pairs)
		return nil
	}
	p.secArena = append(p.secArena, rawSection{header: header, line: int32(lineno)})
	p.cur = &p.secArena[len(p.secArena)-1]
	p.file.sections = append(p.file.sections, p.cur)
	if _, ok := add(&p.headers, p.file.sections, headerOf, len(p.file.sections)-1); !ok {
		return &ParseError{Line: lineno, Reason: fmt.Sprintf("section %q already exists", header)}
	}
	p.pairStart = len(p.pairArena)
	p.keys = p.keys[:0]
	return nil
}

// optionKV splits the option line value at its delimiter d (indexDelim) into
// the key, stripped and lower-cased when upper says it has capitals, and the
// value with its one leading space dropped ("key = value": dropping the one
// space on each side first lets the inlined fast paths of the strips apply).
func optionKV(value string, d int, upper bool) (key, val string) {
	key, val = value[:d], value[d+1:]
	if key != "" && key[len(key)-1] == ' ' {
		key = key[:len(key)-1]
	}
	if val != "" && val[0] == ' ' {
		val = val[1:]
	}
	key = pyRstrip(key)
	if upper {
		key = pyLower(key)
	}
	return key, val
}

// option starts the option of value, whose delimiter is at d (indexDelim).
func (p *iniParser) option(value string, d int, upper bool, lineno int) error {
	if err := p.commit(); err != nil {
		return err
	}
	key, val := optionKV(value, d, upper)
	if p.hasKey(key) {
		return &ParseError{Line: lineno, Reason: fmt.Sprintf("option %q in section %q already exists", key, p.cur.header)}
	}
	if !p.storing() {
		p.keys = append(p.keys, key)
		if p.curKeys != nil {
			p.curKeys[key] = true
		}
	}
	p.optOpen, p.optKey, p.optVal, p.optMore, p.optBlank, p.optLine = true, key, pyStrip(val), p.optMore[:0], 0, lineno
	return nil
}

// hasKey reports whether the current section already has key. Sections are
// small, so a scan is cheaper than a map until they are not.
func (p *iniParser) hasKey(key string) bool {
	if !p.storing() {
		if len(p.keys) < 32 {
			for _, k := range p.keys {
				if k == key {
					return true
				}
			}
			return false
		}
		if p.curKeys == nil {
			p.curKeys = make(map[string]bool, 2*len(p.keys))
			for _, k := range p.keys {
				p.curKeys[k] = true
			}
		}
		return p.curKeys[key]
	}
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

// commit stores the option being read into the current section (or, for a
// section read lazily, only checks it).
func (p *iniParser) commit() error {
	if !p.optOpen {
		return nil
	}
	p.optOpen = false
	if !p.storing() {
		// The value is a sub-section when it starts with a newline: its first
		// line is empty and a continuation line follows (optMore never ends
		// with an empty line). Check it as nest would; other values cannot fail.
		if p.optVal == "" && len(p.optMore) > 0 {
			return checkNested(p.optKey, p.optLine, p.joinedValue())
		}
		return nil
	}
	val := p.joinedValue()
	p.pairArena = append(p.pairArena, pair{key: p.optKey, val: val, line: p.optLine})
	if p.curKeys != nil {
		p.curKeys[p.optKey] = true
	}
	if p.cur == p.file.defaults {
		return nil // nested later, see parseINI
	}
	return nest(&p.pairArena[len(p.pairArena)-1])
}

// joinedValue is RawConfigParser._join_multiline_values of the option being
// read: "\n".join(lines).rstrip().
func (p *iniParser) joinedValue() string {
	val := p.optVal
	if len(p.optMore) == 0 {
		return val
	}
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
	return pyRstrip(b.String())
}

// endSection closes the current section: its options become a slice of the arena.
func (p *iniParser) endSection() error {
	if err := p.commit(); err != nil {
		return err
	}
	if p.cur != nil && p.storing() {
		p.cur.setPairs(p.pairArena[p.pairStart:len(p.pairArena):len(p.pairArena)])
	}
	p.optOpen = false
	p.curKeys = nil
	return nil
}

// plainLines reads the lines from s[pos:] that need none of p.line's general
// steps: empty lines, comments from the first column and "key = value" from
// the first column with an ASCII key not yet in keys, while keys has fewer
// than 32 (checkBody's duplicate check turns to a map there). It returns
// where it stopped, how many lines it read, keys with theirs appended, and
// for the last option line it read (the option still open: empty lines and
// comments do not close it) the text from its delimiter to its end ("" if
// none) and which of the lines read it was (1 for the first). It finds a
// line's delimiter and end in one pass over its bytes, eight at a time; the
// result is what p.line's short cut gives (d and upper as indexDelim(line)).
// A line it does not read is left to the general steps, unread.
func plainLines(s string, pos int, keys []string) (next, n int, _ []string, last string, lastN int) {
	for pos < len(s) && len(keys) < 32 {
		c := s[pos]
		if c == '\n' {
			pos, n = pos+1, n+1
			continue
		}
		if c == '#' || c == ';' {
			end := lineEnd(s, pos)
			if end < len(s) {
				if s[end] == '\r' {
					break // a \r\n or \r line: the general steps
				}
				end++
			}
			pos, n = end, n+1
			continue
		}
		if c <= ' ' || c >= utf8.RuneSelf || c == '[' || c == '=' || c == ':' {
			break
		}
		i, az := pos, uint64(0)
		for ; i+8 <= len(s); i += 8 {
			x := load64(s, i)
			if x&highs != 0 {
				return pos, n, keys, last, lastN // a multi-byte rune: the general steps
			}
			if m := (zeroBytes(x^(ones*'=')) | zeroBytes(x^(ones*':')) | zeroBytes(x^(ones*'\n')) | zeroBytes(x^(ones*'\r'))) & highs; m != 0 {
				k := bits.TrailingZeros64(m) / 8
				az |= upperBytes(x) & (1<<(8*k) - 1)
				i += k
				goto delim
			}
			az |= upperBytes(x)
		}
		for ; i < len(s); i++ {
			if b := s[i]; b == '=' || b == ':' || b == '\n' || b == '\r' || b >= utf8.RuneSelf {
				break
			} else if b-'A' < 26 {
				az = 1
			}
		}
	delim:
		if i >= len(s) || s[i] != '=' && s[i] != ':' {
			break
		}
		end := lineEnd(s, i+1)
		if end < len(s) && s[end] == '\r' {
			break
		}
		key := s[pos:i]
		if key[len(key)-1] == ' ' {
			key = key[:len(key)-1]
		}
		key = pyRstrip(key)
		if az != 0 {
			key = pyLower(key)
		}
		for _, k := range keys {
			if len(k) == len(key) && k == key {
				return pos, n, keys, last, lastN // a duplicate: the general steps fail there
			}
		}
		keys = append(keys, key)
		pos, n = min(end+1, len(s)), n+1
		last, lastN = s[i:end], n
	}
	return pos, n, keys, last, lastN
}

// lineEnd returns the index of the first \n or \r in s from i, or len(s),
// eight bytes at a time.
func lineEnd(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := (zeroBytes(load64(s, i)^(ones*'\n')) | zeroBytes(load64(s, i)^(ones*'\r'))) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			break
		}
	}
	return i
}

const ones, highs = 0x0101010101010101, 0x8080808080808080

// load64 is the eight bytes of s at i, little-endian (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// zeroBytes has, once masked with highs, the high bit of the first zero byte
// of x set (and possibly of later ones, never of earlier ones).
func zeroBytes(x uint64) uint64 { return (x - ones) &^ x }

// upperBytes has the high bit set of every byte of x in 'A'..'Z', for x
// without a byte above 0x7f: b+0x80-'A' has its high bit set when b >= 'A'
// and b+0x80-'Z'-1 when b > 'Z', without carries between bytes.
func upperBytes(x uint64) uint64 {
	return (x + ones*(0x80-'A')) &^ (x + ones*(0x80-'Z'-1)) & highs
}

// indexDelim returns the index of the first "=" or ":" (RawConfigParser's
// delimiters), or -1, and whether the text before it has anything for
// pyLower to lower (so the key is scanned once).
func indexDelim(s string) (int, bool) {
	upper := false
	i := 0
	// Eight bytes at a time while they are ASCII (the usual key). Where v has
	// a zero byte, (v-ones)&^v&highs has the high bit of the first one set
	// (and none below it): that finds "=" and ":".
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x&highs != 0 {
			break // a multi-byte rune: byte by byte below
		}
		eq, colon := x^(ones*'='), x^(ones*':')
		delim := ((eq-ones)&^eq | (colon-ones)&^colon) & highs
		// With every byte below 0x80, b+0x80-'A' has its high bit set when
		// b >= 'A' and b+0x80-'Z'-1 when b > 'Z', without carries between bytes.
		az := (x + ones*(0x80-'A')) &^ (x + ones*(0x80-'Z'-1)) & highs
		if delim != 0 {
			n := bits.TrailingZeros64(delim) / 8
			return i + n, upper || az&(1<<(8*n)-1) != 0
		}
		upper = upper || az != 0
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c == '=' || c == ':' {
			return i, upper
		}
		if c-'A' < 26 || c >= utf8.RuneSelf {
			upper = true
		}
	}
	return -1, upper
}

// nest turns a value that starts with a newline into a botocore sub-section
// (`s3 =` followed by indented lines).
func nest(pr *pair) error {
	if pr.sub != nil || !strings.HasPrefix(pr.val, "\n") {
		return nil
	}
	if err := checkNested(pr.key, pr.line, pr.val); err != nil {
		return err
	}
	pr.sub, pr.val = parseNested(pr.val), ""
	return nil
}

// checkNested fails, as botocore's _parse_nested does, on a sub-section
// value with a non-blank line without "=".
func checkNested(key string, line int, val string) error {
	if !nestedOK(val) {
		return &ParseError{Line: line, Reason: fmt.Sprintf("sub-section %q: line without \"=\"", key)}
	}
	return nil
}

// nestedOK reports whether every non-blank line of val has a "=".
func nestedOK(val string) bool {
	for rest := val; rest != ""; {
		var l string
		l, rest = cutLine(rest)
		if l = pyStrip(l); l != "" && !strings.Contains(l, "=") {
			return false
		}
	}
	return true
}

// parseNested is botocore's _parse_nested of a value checkNested accepts:
// every non-blank line of the value is "key = value", split on the first
// "="; keys keep their case.
func parseNested(val string) map[string]string {
	m := make(map[string]string, 4)
	for rest := val; rest != ""; {
		var line string
		line, rest = cutLine(rest)
		line = pyStrip(line)
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		m[pyStrip(k)] = pyStrip(v)
	}
	return m
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
	if len(line) == 0 || line[0]-'!' < utf8.RuneSelf-'!' {
		return 0 // the common case, inlined: no space and not a rune to decode
	}
	return leadingSpaceSlow(line)
}

func leadingSpaceSlow(line string) int {
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
	if s != "" && max(s[0]-'!', s[len(s)-1]-'!') < utf8.RuneSelf-'!' {
		return s // the common case, inlined (see pyLstrip)
	}
	return pyStripSlow(s)
}

func pyStripSlow(s string) string { return pyRstrip(pyLstrip(s)) }

// pyLstrip and pyRstrip return at once, inlined, when the first (last)
// byte is ASCII and above ' ': every Python whitespace character is either
// ASCII at or below ' ' or a multi-byte rune.
func pyLstrip(s string) string {
	if len(s) == 0 || s[0]-'!' < utf8.RuneSelf-'!' {
		return s
	}
	return pyLstripSlow(s)
}

func pyLstripSlow(s string) string {
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
	if s != "" && s[len(s)-1]-'!' >= utf8.RuneSelf-'!' {
		return pyRstripSlow(s)
	}
	return s
}

func pyRstripSlow(s string) string {
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
