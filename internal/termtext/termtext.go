// Package termtext makes text that came from elsewhere (a server's account,
// role and client names, error messages, values read from files) safe to
// print on a terminal: a terminal obeys the control characters it is sent,
// so a name holding "\x1b]0;...\a" would retitle the window, recolour or
// move the cursor, or hide what was printed before it.
//
// Line and Text replace each C0 control (U+0000-U+001F), DEL (U+007F), C1
// control (U+0080-U+009F) and each byte that is not UTF-8 with U+FFFD; Text
// keeps newlines and tabs. JSON makes encoding/json's output safe in the same
// way without changing a value: it escapes what the encoder leaves raw.
//
// It is for what ssocli prints; what it writes into files is refused or
// kept exact by the packages that write them.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Line returns s with every control character replaced by U+FFFD, for one
// line of a table, a list or a prompt.
func Line(s string) string { return sanitize(s, false) }

// Text returns s with every control character but newline and tab replaced
// by U+FFFD, for messages of several lines.
func Text(s string) string { return sanitize(s, true) }

func unsafe(r rune, keepLines bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLines
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	}
	return r == utf8.RuneError
}

func sanitize(s string, keepLines bool) string {
	clean := true
	for _, r := range s {
		if unsafe(r, keepLines) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if unsafe(r, keepLines) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// JSON returns JSON text b with DEL and the C1 controls, which encoding/json
// writes as they are, escaped as \u007f ... \u009f: the same values, nothing
// a terminal acts on. (encoding/json already escapes C0 controls and writes
// invalid UTF-8 as U+FFFD.) Outside strings JSON holds only printable ASCII,
// so every such rune is inside a string.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] != 0x7f && b[i] != 0xc2 {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == 0x7f || r >= 0x80 && r <= 0x9f {
			const hex = "0123456789abcdef"
			out = append(out, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}
