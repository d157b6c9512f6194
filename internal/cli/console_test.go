package cli

import (
	"bytes"
	"testing"
)

// TestProgressLine checks the status line on a terminal with ANSI, on one
// without (the old Windows console: carriage returns and spaces only) and
// off a terminal (nothing).
func TestProgressLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		tty, noANSI bool
		want        string
	}{
		{"ANSI", true, false, "\r\x1b[KWaiting... 10s left\r\x1b[KWaiting... 9s left\r\x1b[K"},
		{"no ANSI", true, true, "\rWaiting... 10s left\rWaiting... 9s left \r                  \r"},
		{"not a terminal", false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			d := &deps{Env: &Env{Stderr: &buf, StderrTTY: tc.tty, NoANSI: tc.noANSI}}
			p := d.progress()
			p.show("Waiting... 10s left")
			p.show("Waiting... 9s left")
			p.done()
			if got := buf.String(); got != tc.want {
				t.Errorf("progress wrote %q, want %q", got, tc.want)
			}
		})
	}
}
