// Package prompt asks questions on a terminal: line prompts in the AWS CLI's
// "{text} [{current}]: " form (spec §7.1: Enter keeps the current value) and a
// filterable chooser for long lists (type to narrow, arrows or Ctrl-P/Ctrl-N
// to move, Esc or Ctrl-U to clear the filter, Enter to pick), drawn in raw
// mode with golang.org/x/term.
//
// When the input is not a terminal the same questions read plain lines, and
// the chooser prints a numbered list and takes a number or a unique part of
// a name, so scripts and tests can still answer.
//
// It is not a line editor and not a form library: it knows nothing of AWS and
// never decides what to ask; internal/cli does.
//
// Every question takes a context and returns its error as soon as it ends
// (Ctrl-C in a line prompt is a signal, which the caller turns into a
// cancelled context), even while the input has nothing to read.
package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/ssocli/ssocli/internal/sigctx"
	"github.com/ssocli/ssocli/internal/termtext"
)

// ErrInterrupted is returned when the user presses Ctrl-C in the chooser
// (raw mode turns Ctrl-C into a byte instead of a signal).
var ErrInterrupted = errors.New("interrupted")

// Prompter reads answers from in and writes questions to out.
type Prompter struct {
	in     *reader
	out    io.Writer
	fd     int  // the terminal's file descriptor, or -1
	noANSI bool // draw the chooser on one line, without escape sequences
}

// New returns a Prompter. If in is a terminal (an *os.File or anything with
// an Fd method that term.IsTerminal accepts) the chooser runs in raw mode.
func New(in io.Reader, out io.Writer) *Prompter {
	p := &Prompter{in: &reader{src: in}, out: out, fd: -1}
	if f, ok := in.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		p.fd = int(f.Fd())
	}
	return p
}

// SetANSI says whether the terminal interprets ANSI escape sequences (the
// default). Without them (the old Windows console) the chooser is one line,
// redrawn with carriage returns.
func (p *Prompter) SetANSI(ok bool) { p.noANSI = !ok }

// Terminal reports whether the input is a terminal.
func (p *Prompter) Terminal() bool { return p.fd >= 0 }

// Line writes prompt and returns the next line, without its line ending and
// surrounding white space. At end of input with nothing typed it returns
// io.EOF; when ctx ends first it returns ctx.Err().
func (p *Prompter) Line(ctx context.Context, prompt string) (string, error) {
	// A Ctrl-C typed the moment the prompt shows must cancel ctx.
	sigctx.Arm(ctx)
	if _, err := io.WriteString(p.out, prompt); err != nil {
		return "", err
	}
	s, err := p.in.readLine(ctx)
	if err != nil && (err != io.EOF || s == "") {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// reader reads the input in a goroutine, one Read at a time and only when a
// question wants more, so that a question can return when its context ends
// while the Read is still blocked (a terminal nobody types into). What that
// Read returns later is kept for the next question; nothing is lost.
type reader struct {
	src     io.Reader
	req     chan struct{} // asks the goroutine for one Read
	res     chan chunk    // what that Read returned
	pending bool          // a Read was asked for and its chunk not taken yet
	buf     []byte        // read and not consumed yet
	err     error         // the error that ended the input, once buf is used up
}

type chunk struct {
	b   []byte
	err error
}

// errNoInput is fill's answer when wait passed without input.
var errNoInput = errors.New("no input yet")

// fill waits until buf holds at least one byte, the input has ended, ctx has
// ended, or (when wait > 0) wait has passed.
func (r *reader) fill(ctx context.Context, wait time.Duration) error {
	if len(r.buf) > 0 {
		return nil
	}
	if r.err != nil {
		return r.err
	}
	if r.req == nil {
		r.req, r.res = make(chan struct{}), make(chan chunk, 1)
		go func() {
			b := make([]byte, 4096)
			for range r.req {
				n, err := r.src.Read(b)
				r.res <- chunk{append([]byte(nil), b[:n]...), err}
			}
		}()
	}
	if !r.pending {
		r.req <- struct{}{}
		r.pending = true
	}
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case c := <-r.res:
			r.pending = false
			r.buf = append(r.buf, c.b...)
			if c.err != nil {
				r.err = c.err
			}
			if len(r.buf) > 0 {
				return nil
			}
			if r.err != nil {
				return r.err
			}
			// An empty Read: ask again.
			r.req <- struct{}{}
			r.pending = true
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return errNoInput
		}
	}
}

// readByte returns the next byte.
func (r *reader) readByte(ctx context.Context) (byte, error) {
	if err := r.fill(ctx, 0); err != nil {
		return 0, err
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b, nil
}

// readByteWithin returns the next byte if one comes within wait.
func (r *reader) readByteWithin(ctx context.Context, wait time.Duration) (byte, error) {
	if err := r.fill(ctx, wait); err != nil {
		return 0, err
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b, nil
}

// readLine returns the input up to and including the next "\n", or what is
// left when the input ends (with its error).
func (r *reader) readLine(ctx context.Context) (string, error) {
	var line []byte
	for {
		if err := r.fill(ctx, 0); err != nil {
			return string(line), err
		}
		if i := strings.IndexByte(string(r.buf), '\n'); i >= 0 {
			line = append(line, r.buf[:i+1]...)
			r.buf = r.buf[i+1:]
			return string(line), nil
		}
		line = append(line, r.buf...)
		r.buf = r.buf[:0]
	}
}

// Question is one line prompt, as the AWS CLI's PTKPrompt.get_value asks it.
type Question struct {
	// Text is the prompt text, e.g. "SSO start URL".
	Text string
	// Current is the value kept when the user just presses Enter; "" shows
	// as "None", as Python formats None.
	Current string
	// Format, when set, replaces "{text} [{current}]: " (e.g. "SSO session
	// name (Recommended): ").
	Format string
	// Validate checks a typed answer (never the kept current value); its
	// error's text is shown and the question asked again.
	Validate func(typed string) error
}

// Ask asks q until the answer is valid and returns the typed value or, for
// an empty answer, q.Current.
func (p *Prompter) Ask(ctx context.Context, q Question) (string, error) {
	prompt := q.Format
	if prompt == "" {
		cur := q.Current
		if cur == "" {
			cur = "None"
		}
		prompt = fmt.Sprintf("%s [%s]: ", q.Text, termtext.Line(cur))
	}
	for {
		s, err := p.Line(ctx, prompt)
		if err != nil {
			return "", err
		}
		if s == "" && q.Current != "" {
			return q.Current, nil
		}
		if q.Validate != nil {
			if verr := q.Validate(s); verr != nil {
				fmt.Fprintf(p.out, "%s\n", termtext.Text(verr.Error()))
				continue
			}
		}
		if s == "" {
			return q.Current, nil
		}
		return s, nil
	}
}

// Choose lets the user pick one of items (shown in the order given) and
// returns its index. title is printed above the list on a terminal.
func (p *Prompter) Choose(ctx context.Context, title string, items []string) (int, error) {
	if len(items) == 0 {
		return -1, errors.New("nothing to choose from")
	}
	if p.fd >= 0 {
		return p.chooseRaw(ctx, title, items)
	}
	return p.chooseLines(ctx, items)
}

// chooseLines is the chooser without a terminal: a numbered list, then a
// number, an exact item or a part of exactly one item.
func (p *Prompter) chooseLines(ctx context.Context, items []string) (int, error) {
	for i, it := range items {
		fmt.Fprintf(p.out, "%4d) %s\n", i+1, termtext.Line(it))
	}
	for {
		s, err := p.Line(ctx, "Choose a number, or type part of a name: ")
		if err != nil {
			return -1, err
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(items) {
			return n - 1, nil
		}
		m := Filter(items, s)
		for _, i := range m {
			if items[i] == s {
				return i, nil
			}
		}
		if len(m) == 1 {
			return m[0], nil
		}
		fmt.Fprintf(p.out, "%d entries match %q; be more precise.\n", len(m), termtext.Line(s))
	}
}

// Filter returns the indexes of the items that contain every
// space-separated word of query, ignoring case, in the items' order.
func Filter(items []string, query string) []int {
	words := strings.Fields(strings.ToLower(query))
	out := make([]int, 0, len(items))
	for i, it := range items {
		l := strings.ToLower(it)
		ok := true
		for _, w := range words {
			if !strings.Contains(l, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// visibleRows is how many entries the chooser shows at once.
const visibleRows = 10

// chooser is the state of the raw-mode list.
type chooser struct {
	items   []string
	query   string
	matches []int
	cursor  int // index into matches
	top     int // first match shown
}

func (c *chooser) refilter() {
	c.matches = Filter(c.items, c.query)
	c.cursor, c.top = 0, 0
}

func (c *chooser) move(d int) {
	if len(c.matches) == 0 {
		return
	}
	c.cursor = (c.cursor + d + len(c.matches)) % len(c.matches)
	if c.cursor < c.top {
		c.top = c.cursor
	}
	if c.cursor >= c.top+visibleRows {
		c.top = c.cursor - visibleRows + 1
	}
}

// key applies one key; it reports the chosen item's index when Enter picks one.
func (c *chooser) key(k string) (chosen int, done bool) {
	switch k {
	case "\r", "\n":
		if len(c.matches) > 0 {
			return c.matches[c.cursor], true
		}
	case "\x1b[A", "\x1bOA", "\x10": // up, Ctrl-P
		c.move(-1)
	case "\x1b[B", "\x1bOB", "\x0e", "\t": // down, Ctrl-N, Tab
		c.move(1)
	case "\x7f", "\x08": // backspace
		if c.query != "" {
			_, n := utf8.DecodeLastRuneInString(c.query)
			c.query = c.query[:len(c.query)-n]
			c.refilter()
		}
	case "\x15", "\x1b": // Ctrl-U, a lone Esc
		c.query = ""
		c.refilter()
	default:
		if r, _ := utf8.DecodeRuneInString(k); r >= ' ' && r != utf8.RuneError && !strings.HasPrefix(k, "\x1b") {
			c.query += k
			c.refilter()
		}
	}
	return -1, false
}

// render draws the list; width is the terminal width (0: unknown).
func (c *chooser) render(title string, width int) (text string, lines int) {
	var b strings.Builder
	fit := func(s string) string {
		if width > 4 && utf8.RuneCountInString(s) > width-1 {
			r := []rune(s)
			return string(r[:width-2]) + "…"
		}
		return s
	}
	rows := []string{fit(fmt.Sprintf("%s (%d of %d; type to filter, ↑/↓ to move, Enter to choose)", termtext.Line(title), len(c.matches), len(c.items)))}
	for i := c.top; i < len(c.matches) && i < c.top+visibleRows; i++ {
		mark := "  "
		if i == c.cursor {
			mark = "> "
		}
		rows = append(rows, fit(mark+termtext.Line(c.items[c.matches[i]])))
	}
	if len(c.matches) == 0 {
		rows = append(rows, "  (no match)")
	}
	rows = append(rows, fit("Filter: "+termtext.Line(c.query)))
	for i, r := range rows {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(r)
	}
	return b.String(), len(rows)
}

func (p *Prompter) chooseRaw(ctx context.Context, title string, items []string) (int, error) {
	old, err := term.MakeRaw(p.fd)
	if err != nil {
		return p.chooseLines(ctx, items)
	}
	defer term.Restore(p.fd, old)
	width, _, _ := term.GetSize(p.fd)
	return p.chooseKeys(ctx, title, items, width)
}

// chooseKeys runs the chooser on the keys read from the input, drawing the
// list with ANSI cursor movement, or, without ANSI, one line redrawn with
// carriage returns. width is the terminal's (0: unknown).
func (p *Prompter) chooseKeys(ctx context.Context, title string, items []string, width int) (int, error) {
	sigctx.Arm(ctx)
	c := &chooser{items: items}
	c.refilter()
	drawn := 0 // rows drawn (ANSI), or characters (one line)
	redraw := func(final bool) {
		if p.noANSI {
			s := ""
			if !final {
				s = c.renderLine(title, width)
			}
			io.WriteString(p.out, RedrawLine(drawn, s, false))
			drawn = utf8.RuneCountInString(s)
			return
		}
		if drawn > 1 {
			fmt.Fprintf(p.out, "\x1b[%dA", drawn-1)
		}
		io.WriteString(p.out, "\r\x1b[J")
		drawn = 0
		if !final {
			var text string
			text, drawn = c.render(title, width)
			io.WriteString(p.out, text)
		}
	}
	for {
		redraw(false)
		k, err := p.readKey(ctx)
		if err != nil {
			redraw(true)
			return -1, err
		}
		if k == "\x03" || k == "\x04" { // Ctrl-C, Ctrl-D
			redraw(true)
			return -1, ErrInterrupted
		}
		if i, ok := c.key(k); ok {
			redraw(true)
			return i, nil
		}
	}
}

// escDelay is how long a lone Esc waits for the rest of an escape sequence.
// A terminal sends a sequence (an arrow key) in one write, so its bytes come
// together; 25 ms is well above the gap between them and well below what a
// person notices (ncurses waits up to ESCDELAY, vim ttimeoutlen, for the same).
const escDelay = 25 * time.Millisecond

// renderLine draws the chooser on one line, for a console without ANSI: the
// filter, the item Enter would pick and its place among the matches.
func (c *chooser) renderLine(title string, width int) string {
	cur := "(no match)"
	if len(c.matches) > 0 {
		cur = fmt.Sprintf("%s (%d of %d)", c.items[c.matches[c.cursor]], c.cursor+1, len(c.matches))
	}
	s := fmt.Sprintf("%s: %s  [up/down to move, Enter to choose] Filter: %s", title, cur, c.query)
	if width > 4 && utf8.RuneCountInString(s) > width-1 {
		s = string([]rune(s)[:width-2]) + "~"
	}
	return s
}

// RedrawLine returns what replaces a one-line status of prev characters (the
// cursor at its end) by s: with ANSI a carriage return and erase-line; on a
// console without ANSI a carriage return, s and spaces over the rest of the
// old line (an empty s also returns the cursor to the line's start).
func RedrawLine(prev int, s string, ansi bool) string {
	if ansi {
		return "\r\x1b[K" + s
	}
	pad := prev - utf8.RuneCountInString(s)
	switch {
	case pad <= 0:
		return "\r" + s
	case s == "":
		return "\r" + strings.Repeat(" ", pad) + "\r"
	}
	return "\r" + s + strings.Repeat(" ", pad)
}

// readKey reads one key: a byte, a UTF-8 rune, or an escape sequence
// (ESC [ or ESC O, then parameters up to a final letter or ~). An Esc that
// nothing follows within escDelay is a key of its own.
func (p *Prompter) readKey(ctx context.Context) (string, error) {
	b, err := p.in.readByte(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case b == 0x1b:
		n, err := p.in.readByteWithin(ctx, escDelay)
		if errors.Is(err, errNoInput) {
			return "\x1b", nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return "", err
			}
			return "\x1b", nil
		}
		if n != '[' && n != 'O' {
			return "\x1b" + string(n), nil
		}
		seq := []byte{0x1b, n}
		for len(seq) < 16 {
			c, err := p.in.readByte(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return "", err
				}
				break
			}
			seq = append(seq, c)
			if c >= 0x40 && c <= 0x7e {
				break
			}
		}
		return string(seq), nil
	case b >= 0x80:
		seq := []byte{b}
		for !utf8.FullRune(seq) && len(seq) < 4 {
			c, err := p.in.readByte(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return "", err
				}
				break
			}
			seq = append(seq, c)
		}
		return string(seq), nil
	}
	return string([]byte{b}), nil
}
