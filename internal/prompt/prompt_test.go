package prompt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAsk(t *testing.T) {
	t.Parallel()
	required := func(s string) error {
		if s == "" {
			return errors.New("A value is required")
		}
		return nil
	}
	for _, tc := range []struct {
		name, in string
		q        Question
		want     string
		wantOut  string
	}{
		{"typed", "abc\n", Question{Text: "SSO region"}, "abc", "SSO region [None]: "},
		{"enter keeps current", "\n", Question{Text: "Region", Current: "us-east-1"}, "us-east-1", "Region [us-east-1]: "},
		{"trimmed", "  x  \n", Question{Text: "Q", Current: "c"}, "x", "Q [c]: "},
		{"format", "s\n", Question{Text: "SSO session name", Format: "SSO session name (Recommended): "}, "s", "SSO session name (Recommended): "},
		{"validated again", "\nok\n", Question{Text: "R", Validate: required}, "ok", "R [None]: A value is required\nR [None]: "},
		{"empty allowed without validator", "\n", Question{Text: "R"}, "", "R [None]: "},
		{"last line without newline", "end", Question{Text: "R"}, "end", "R [None]: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			got, err := New(strings.NewReader(tc.in), &out).Ask(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Ask = %q, want %q", got, tc.want)
			}
			if diff := cmp.Diff(tc.wantOut, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChooseWithoutTerminal(t *testing.T) {
	t.Parallel()
	items := []string{"Dev, dev@x (111)", "Prod, prod@x (222)", "Production-EU, eu@x (333)"}
	for _, tc := range []struct {
		name, in string
		want     int
	}{
		{"number", "2\n", 1},
		{"unique part", "eu@\n", 2},
		{"ambiguous then precise", "prod\n222\n", 1},
		{"exact", "Dev, dev@x (111)\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			got, err := New(strings.NewReader(tc.in), &out).Choose("Accounts", items)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Choose = %d, want %d; output:\n%s", got, tc.want, out.String())
			}
		})
	}
}

func TestChooserKeys(t *testing.T) {
	t.Parallel()
	items := []string{"alpha", "beta", "gamma", "delta", "alphabet"}
	for _, tc := range []struct {
		name string
		keys []string
		want int
	}{
		{"enter picks the first", []string{"\r"}, 0},
		{"down twice", []string{"\x1b[B", "\x1b[B", "\r"}, 2},
		{"up wraps to the last", []string{"\x1b[A", "\r"}, 4},
		{"filter narrows", []string{"b", "e", "t", "\r"}, 1},
		{"filter then down", []string{"a", "l", "p", "\x0e", "\r"}, 4},
		{"backspace widens", []string{"z", "\x7f", "d", "\r"}, 3},
		{"ctrl-u clears", []string{"g", "\x15", "\r"}, 0},
		{"words match in any order", []string{"b", "e", " ", "a", "l", "\r"}, 4},
		{"enter on no match does nothing", []string{"z", "z", "\r", "\x15", "\r"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &chooser{items: items}
			c.refilter()
			got := -1
			for _, k := range tc.keys {
				if i, ok := c.key(k); ok {
					got = i
					break
				}
			}
			if got != tc.want {
				t.Errorf("chose %d, want %d", got, tc.want)
			}
		})
	}
}

func TestReadKey(t *testing.T) {
	t.Parallel()
	p := New(strings.NewReader("a\x1b[Bé\x1bOA\r"), &bytes.Buffer{})
	var got []string
	for i := 0; i < 5; i++ {
		k, err := p.readKey()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	if diff := cmp.Diff([]string{"a", "\x1b[B", "é", "\x1bOA", "\r"}, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestRedrawLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		prev int
		s    string
		ansi bool
		want string
	}{
		{0, "Waiting", true, "\r\x1b[KWaiting"},
		{7, "", true, "\r\x1b[K"},
		{0, "Waiting 10s", false, "\rWaiting 10s"},
		{11, "Waiting 9s", false, "\rWaiting 9s "},
		{11, "Waiting 10s", false, "\rWaiting 10s"},
		{5, "", false, "\r     \r"},
		{3, "αβ", false, "\rαβ "},
	} {
		if got := RedrawLine(tc.prev, tc.s, tc.ansi); got != tc.want {
			t.Errorf("RedrawLine(%d, %q, %v) = %q, want %q", tc.prev, tc.s, tc.ansi, got, tc.want)
		}
	}
}

// TestChooserWithoutANSI drives the chooser's key loop as the old Windows
// console would get it: one line, redrawn with carriage returns, and not one
// escape sequence written.
func TestChooserWithoutANSI(t *testing.T) {
	t.Parallel()
	items := []string{"Dev (111)", "Prod (222)", "Production-EU (333)"}
	var out bytes.Buffer
	p := New(strings.NewReader("prod\x1b[B\r"), &out)
	p.SetANSI(false)
	got, err := p.chooseKeys("Accounts", items, 120)
	if err != nil {
		t.Fatal(err)
	}
	if got != 2 {
		t.Errorf("chose %d, want 2 (Production-EU)", got)
	}
	s := out.String()
	if strings.Contains(s, "\x1b") || strings.Contains(s, "\n") {
		t.Errorf("output has an escape sequence or a newline: %q", s)
	}
	frames := strings.Split(s, "\r")
	if want := "Accounts: Production-EU (333) (2 of 2)  [up/down to move, Enter to choose] Filter: prod"; strings.TrimRight(frames[len(frames)-3], " ") != want {
		t.Errorf("last frame = %q, want %q", frames[len(frames)-3], want)
	}
	// The last write blanks the line and leaves the cursor at its start.
	if last := frames[len(frames)-2]; strings.TrimLeft(last, " ") != "" || len(last) < len(frames[len(frames)-3]) || frames[len(frames)-1] != "" {
		t.Errorf("the chooser did not clear its line: %q", s[len(s)-min(len(s), 200):])
	}
	for i, f := range frames {
		if len(f) > 119 {
			t.Errorf("frame %d is wider than the terminal: %q", i, f)
		}
	}
}

func TestChooserWithANSI(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	got, err := New(strings.NewReader("\x1b[B\r"), &out).chooseKeys("Roles", []string{"A", "B"}, 80)
	if err != nil || got != 1 {
		t.Fatalf("chooseKeys = %d, %v; want 1", got, err)
	}
	if !strings.Contains(out.String(), "\x1b[3A\r\x1b[J") {
		t.Errorf("no ANSI redraw in %q", out.String())
	}
}
