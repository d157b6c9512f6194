package awsconfig

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// UnsafeEntryError reports a section name, key or value that the editor will
// not write because it could change the file's structure: a line break (or
// another control character) in a value from a hostile or compromised portal
// would start a line of its own, such as "credential_process = ...", which
// every later SDK call would run (research/adversarial-2026-12.md S1). The
// message names the section and the key, never the value, which may be a
// secret or an attacker's payload.
type UnsafeEntryError struct {
	Section string // the section header, e.g. "profile dev"
	Key     string // the key; "" when the section name is at fault
	Part    string // "section name", "key" or "value"
	Char    rune   // the character refused (utf8.RuneError for invalid UTF-8)
}

func (e *UnsafeEntryError) Error() string {
	section := e.Section
	if hasUnsafe(section, true) >= 0 {
		section = strings.Trim(fmt.Sprintf("%+q", section), `"`)
	}
	what := fmt.Sprintf("a control character (U+%04X)", e.Char)
	switch {
	case e.Char == utf8.RuneError:
		what = "bytes that are not UTF-8"
	case e.Char == '\n' || e.Char == '\r':
		what = fmt.Sprintf("a line break (U+%04X)", e.Char)
	case e.Char == '=' || e.Char == ':' || e.Char == '[':
		what = fmt.Sprintf("%q, which the parser would read as syntax", e.Char)
	}
	if e.Key == "" {
		return fmt.Sprintf("refusing to write the section [%s] to the config file: its name holds %s", section, what)
	}
	key := e.Key
	if hasUnsafe(key, true) >= 0 {
		key = fmt.Sprintf("%+q", key) // the key itself is at fault: shown escaped
	}
	return fmt.Sprintf("refusing to write %s of [%s] to the config file: the %s holds %s", key, section, e.Part, what)
}

// checkEntries checks a section header and the keys and values to write
// into it; see UnsafeEntryError.
func checkEntries(section string, kvs []KeyValue) error {
	if i := hasUnsafe(section, true); i >= 0 {
		return &UnsafeEntryError{Section: section, Part: "section name", Char: runeAt(section, i)}
	}
	for _, kv := range kvs {
		i := hasUnsafe(kv.Key, false)
		if i < 0 && kv.Key != "" {
			i = strings.IndexAny(kv.Key, "=:")
			if i < 0 && (kv.Key[0] == '[' || kv.Key[0] == '#' || kv.Key[0] == ';') {
				i = 0
			}
		}
		if i >= 0 {
			return &UnsafeEntryError{Section: section, Key: kv.Key, Part: "key", Char: runeAt(kv.Key, i)}
		}
		if i := hasUnsafe(kv.Value, true); i >= 0 {
			return &UnsafeEntryError{Section: section, Key: kv.Key, Part: "value", Char: runeAt(kv.Value, i)}
		}
	}
	return nil
}

// hasUnsafe returns the byte offset of the first character of s that the
// editor refuses, or -1: C0 controls (a tab only where tabOK), DEL, C1
// controls (U+0085 is a line break to some readers), U+2028 and U+2029
// (line and paragraph separators), and bytes that are not UTF-8.
func hasUnsafe(s string, tabOK bool) int {
	for i, r := range s {
		switch {
		case r == '\t':
			if !tabOK {
				return i
			}
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029:
			return i
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return -1
}

func runeAt(s string, i int) rune {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return utf8.RuneError
	}
	return r
}
