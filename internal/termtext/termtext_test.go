package termtext

import (
	"encoding/json"
	"testing"
)

func TestLineAndText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, line, text string }{
		{"plain name", "plain name", "plain name"},
		{"Ünïcode ok", "Ünïcode ok", "Ünïcode ok"},
		{"\x1b]0;title\a\x1b[31mred", "\ufffd]0;title\ufffd\ufffd[31mred", "\ufffd]0;title\ufffd\ufffd[31mred"},
		{"a\nb\tc\rd", "a\ufffdb\ufffdc\ufffdd", "a\nb\tc\ufffdd"},
		{"del\x7f c1\u009b[2J nul\x00", "del\ufffd c1\ufffd[2J nul\ufffd", "del\ufffd c1\ufffd[2J nul\ufffd"},
		{"bad \xff utf8", "bad \ufffd utf8", "bad \ufffd utf8"},
	} {
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

// TestJSON: the escaped output holds no control character and decodes to
// the same values.
func TestJSON(t *testing.T) {
	t.Parallel()
	in := map[string]string{"accountName": "\x1b]0;t\a\x1b[31m del\x7f c1\u009b[2J é"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(raw)
	for _, r := range string(got) {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			t.Errorf("JSON output holds %U: %q", r, got)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["accountName"] != in["accountName"] {
		t.Errorf("JSON output %q decodes to %q (%v), want %q", got, back["accountName"], err, in["accountName"])
	}
}
