package prompt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

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
			got, err := New(strings.NewReader(tc.in), &out).Ask(context.Background(), tc.q)
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
			got, err := New(strings.NewReader(tc.in), &out).Choose(context.Background(), "Accounts", items)
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
		{"esc clears", []string{"g", "\x1b", "\r"}, 0},
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
		k, err := p.readKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	if diff := cmp.Diff([]string{"a", "\x1b[B", "é", "\x1bOA", "\r"}, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// TestQuestionsEndWithTheContext: a question whose input has nothing to read
// returns when its context ends (Ctrl-C is a signal that cancels it), and
// what is typed afterwards goes to the next question.
func TestQuestionsEndWithTheContext(t *testing.T) {
	t.Parallel()
	in, w := io.Pipe()
	defer w.Close()
	p := New(in, &bytes.Buffer{})
	for _, ask := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Ask", func(ctx context.Context) error { _, err := p.Ask(ctx, Question{Text: "Q"}); return err }},
		{"Line", func(ctx context.Context) error { _, err := p.Line(ctx, "Q: "); return err }},
		{"Choose", func(ctx context.Context) error { _, err := p.Choose(ctx, "T", []string{"a", "b"}); return err }},
		{"readKey", func(ctx context.Context) error { _, err := p.readKey(ctx); return err }},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ask.run(ctx) }()
		cancel()
		if err := within(t, done); !errors.Is(err, context.Canceled) {
			t.Errorf("%s after cancel: %v, want context.Canceled", ask.name, err)
		}
	}
	go io.WriteString(w, "typed later\n")
	got, err := p.Line(context.Background(), "Q: ")
	if err != nil || got != "typed later" {
		t.Errorf("the next Line = %q, %v; want %q", got, err, "typed later")
	}
}

// TestReadKeyLoneEsc: an Esc with nothing after it is a key of its own; it
// does not wait for, or swallow, the key that follows.
func TestReadKeyLoneEsc(t *testing.T) {
	t.Parallel()
	in, w := io.Pipe()
	defer w.Close()
	p := New(in, &bytes.Buffer{})
	go io.WriteString(w, "\x1b")
	var k string
	done := make(chan error, 1)
	go func() {
		var err error
		k, err = p.readKey(context.Background())
		done <- err
	}()
	if err := within(t, done); err != nil || k != "\x1b" {
		t.Fatalf("readKey = %q, %v; want a lone Esc", k, err)
	}
	go io.WriteString(w, "a")
	if k, err := p.readKey(context.Background()); err != nil || k != "a" {
		t.Errorf("the key after Esc: %q, %v; want \"a\"", k, err)
	}
}

// within waits for done, failing the test if the call it waits for is still
// blocked after 10 s (a bound for the failure only: the calls return in
// milliseconds).
func within(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("still blocked after 10 s")
		return nil
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
	got, err := p.chooseKeys(context.Background(), "Accounts", items, 120)
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
	got, err := New(strings.NewReader("\x1b[B\r"), &out).chooseKeys(context.Background(), "Roles", []string{"A", "B"}, 80)
	if err != nil || got != 1 {
		t.Fatalf("chooseKeys = %d, %v; want 1", got, err)
	}
	if !strings.Contains(out.String(), "\x1b[3A\r\x1b[J") {
		t.Errorf("no ANSI redraw in %q", out.String())
	}
}

// TestChooserShowsNoControls: items from a server are drawn with their
// control characters replaced; only the chooser's own line breaks remain.
func TestChooserShowsNoControls(t *testing.T) {
	t.Parallel()
	c := &chooser{items: []string{"\x1b]0;title\a\x1b[31mProd", "Dev\u009b2J"}}
	c.refilter()
	text, _ := c.render("Accounts\x1b[1A", 80)
	text = strings.ReplaceAll(text, "\r\n", "")
	for _, r := range text {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			t.Errorf("the chooser draws %U:\n%q", r, text)
		}
	}
	if !strings.Contains(text, "\ufffd]0;title\ufffd\ufffd[31mProd") {
		t.Errorf("the chooser does not show the item:\n%q", text)
	}
}
