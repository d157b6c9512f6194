package awsconfig

import (
	"bytes"
	"strings"
)

// Document is a config file held as its lines, edited the way the AWS CLI's
// ConfigFileWriter edits it (spec §7.1 "Written config"): a key that exists is
// rewritten in place as "key = value", new keys go after the section's last
// option, a missing section is appended at the end. Every other byte (comments,
// blank lines, spacing, line endings, unknown sections) is kept.
//
// Deliberate differences from the AWS CLI, each to avoid writing a file that
// botocore would then read differently or reject:
//   - only real option lines are updated, never an indented line inside a
//     continuation or "s3 =" sub-section that happens to have the same key;
//   - keys match case-insensitively, as RawConfigParser reads them (the AWS CLI
//     would add "region" next to "Region", a duplicate option);
//   - CRLF line endings are kept instead of being converted to LF, and new
//     lines use the file's first line ending (in a new file, the system's:
//     see LineEnding);
//   - a newline added to terminate the last line goes onto that line (the AWS
//     CLI adds it as a line of its own and may then glue a new key onto a
//     trailing comment: "# cregion = x").
type Document struct {
	lines []string // each with its line ending, if it had one
	eol   string   // line ending for new lines: see LineEnding
}

// KeyValue is one key to set.
type KeyValue struct{ Key, Value string }

// ParseDocument splits data into lines for editing. It also checks that botocore
// could read the file (a ParseError otherwise), since the AWS CLI never edits a
// config it cannot load.
func ParseDocument(data []byte) (*Document, error) {
	if _, err := parseINI(data); err != nil {
		return nil, err
	}
	return splitDocument(data), nil
}

func splitDocument(data []byte) *Document {
	d := &Document{eol: LineEnding(data)}
	s := string(data)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			d.lines = append(d.lines, s)
			break
		}
		d.lines = append(d.lines, s[:i+1])
		s = s[i+1:]
	}
	return d
}

// Bytes returns the document's contents.
func (d *Document) Bytes() []byte {
	var b bytes.Buffer
	for _, l := range d.lines {
		b.WriteString(l)
	}
	return b.Bytes()
}

// ProfileSection returns the section header the AWS CLI writes for a profile:
// "default" for the default profile, otherwise "profile NAME" (see SectionHeader).
func ProfileSection(name string) string {
	if name == "default" {
		return "default"
	}
	return SectionHeader("profile", name)
}

// SSOSessionSection returns the section header the AWS CLI writes for an
// sso-session: "sso-session NAME" (see SectionHeader).
func SSOSessionSection(name string) string { return SectionHeader("sso-session", name) }

// SectionHeader is the AWS CLI's get_section_header: "KIND NAME", with NAME
// shell-quoted (Python shlex.quote) when it contains a space or a tab, so that
// botocore's shlex split gives the name back.
func SectionHeader(kind, name string) string {
	if strings.ContainsAny(name, " \t") {
		name = "'" + strings.ReplaceAll(name, "'", `'"'"'`) + "'"
	}
	return kind + " " + name
}

// Set sets one key in a section; see Update.
func (d *Document) Set(section, key, value string) error {
	return d.Update(section, []KeyValue{{key, value}})
}

// Update sets keys in the section whose header is section (e.g. "profile dev",
// "sso-session corp", "default"). Keys that exist are rewritten in place as
// "key = value"; the others are inserted, in the given order, after the
// section's last option line. A missing section is appended at the end of the
// file, with a newline added first only if the file does not end with one and no
// blank line between sections. Callers skip empty values, as the AWS CLI does.
//
// Set keys one call per section: the AWS CLI writes a command's keys in one
// update, and where the new keys land can depend on it.
//
// A section name, key or value holding a line break or another control
// character (a tab is allowed in names and values), or a key holding "=" or
// ":", is refused with an *UnsafeEntryError and nothing changes: written raw it
// could add lines of its own to the file.
func (d *Document) Update(section string, values []KeyValue) error {
	if err := checkEntries(section, values); err != nil {
		return err
	}
	pending := append([]KeyValue(nil), values...)
	start := d.findSection(section)
	if start < 0 {
		d.appendSection(section, pending)
		return nil
	}
	last, atSection := d.scanSection(start, func(j int, key string, _ int) bool {
		for n, kv := range pending {
			if pyLower(key) == pyLower(kv.Key) {
				d.lines[j] = key + " = " + kv.Value + d.lineEnding(d.lines[j])
				pending = append(pending[:n], pending[n+1:]...)
				break
			}
		}
		return false
	})
	if atSection {
		d.insert(last+1, pending)
		return nil
	}
	if len(pending) == 0 {
		return nil
	}
	// End of file reached inside the section. The AWS CLI first terminates the
	// last line, then inserts one line further down than in the in-loop case
	// (after the line that follows the last option, if there is one). It adds
	// that newline as a list element of its own, so with a trailing comment line
	// and no final newline its new key would be glued onto the comment; adding
	// the newline to the last line avoids that and is otherwise the same.
	d.terminateLast()
	d.insert(min(last+2, len(d.lines)), pending)
	return nil
}

// scanSection walks the section whose header is at line start as the AWS
// CLI's _update_section_contents does, calling visit for each of its option
// lines with the key as written and the line's indent, until visit returns
// true. Comment lines and the lines of a continuation or sub-section (indented
// deeper than the option before them) are not options to visit, but count,
// as the AWS CLI counts every line with a ":" or "=", for last: the AWS CLI's
// last_matching_line. atSection reports that the scan ended at the next
// section's header (rather than at the end of the file or in visit).
func (d *Document) scanSection(start int, visit func(j int, key string, indent int) bool) (last int, atSection bool) {
	last = start
	optIndent := -1 // indent of the current option line; -1 right after the header
	for j := start + 1; j < len(d.lines); j++ {
		line := d.lines[j]
		if isSectionLine(line) {
			return last, true
		}
		if !looksLikeOption(line) {
			continue
		}
		last = j
		stripped := pyStrip(line)
		if stripped[0] == '#' || stripped[0] == ';' {
			continue
		}
		indent := leadingSpace(line)
		if optIndent >= 0 && indent > optIndent {
			continue // continuation or sub-section line
		}
		optIndent = indent
		if visit(j, pyStrip(stripped[:strings.IndexAny(stripped, "=:")]), indent) {
			return last, false
		}
	}
	return last, false
}

// DeleteSection removes a section: its header and every line up to its last
// option, keeping the blank lines and comments after it (they usually introduce
// the next section). It reports whether the section was found.
func (d *Document) DeleteSection(section string) bool {
	start := d.findSection(section)
	if start < 0 {
		return false
	}
	end := start + 1 // one past the last line to delete
	for j := start + 1; j < len(d.lines); j++ {
		line := d.lines[j]
		if isSectionLine(line) {
			break
		}
		if s := pyStrip(line); s != "" && s[0] != '#' && s[0] != ';' {
			end = j + 1
		}
	}
	d.lines = append(d.lines[:start], d.lines[end:]...)
	return true
}

// findSection is the AWS CLI's _find_section_start: the first non-comment line
// that starts with "[section]" exactly, or with `[first "rest"]` when the header
// has several words.
// HasSection reports whether the document has the section (as Update finds it).
func (d *Document) HasSection(section string) bool { return d.findSection(section) >= 0 }

func (d *Document) findSection(section string) int {
	want := "[" + section + "]"
	var quoted string
	if first, rest, ok := strings.Cut(section, " "); ok {
		quoted = "[" + first + ` "` + rest + `"]`
	}
	for i, line := range d.lines {
		s := pyStrip(line)
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if !isSectionLine(line) || line[0] != '[' {
			continue
		}
		j := strings.IndexByte(line, ']')
		head := line[:j+1]
		if head == want || quoted != "" && head == quoted {
			return i
		}
	}
	return -1
}

func (d *Document) insert(at int, kvs []KeyValue) {
	if len(kvs) == 0 {
		return
	}
	add := make([]string, len(kvs))
	for i, kv := range kvs {
		add[i] = kv.Key + " = " + kv.Value + d.eol
	}
	d.lines = append(d.lines[:at], append(add, d.lines[at:]...)...)
}

func (d *Document) appendSection(section string, kvs []KeyValue) {
	d.terminateLast()
	d.lines = append(d.lines, "["+section+"]"+d.eol)
	d.insert(len(d.lines), kvs)
}

// isSectionLine is the AWS CLI writer's SECTION_REGEX, `^\s*\[[^]]+\]`: optional
// leading whitespace, "[", at least one character, "]".
func isSectionLine(line string) bool {
	s := pyLstrip(line)
	if len(s) < 3 || s[0] != '[' {
		return false
	}
	j := strings.IndexByte(s, ']')
	return j >= 2
}

// looksLikeOption is the AWS CLI writer's OPTION_REGEX searched anywhere in the
// line: a ":" or "=" with some other character before it.
func looksLikeOption(line string) bool {
	i := 0
	for i < len(line) && (line[i] == ':' || line[i] == '=') {
		i++
	}
	return i < len(line) && strings.ContainsAny(line[i:], ":=")
}

// lineEnding is the ending for a rewritten line: its own, or the file's when it
// had none (the last line).
func (d *Document) lineEnding(line string) string {
	if strings.HasSuffix(line, "\r\n") {
		return "\r\n"
	}
	if strings.HasSuffix(line, "\n") {
		return "\n"
	}
	return d.eol
}
