//go:build unix

package ptyterm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// Recorder keeps what a program writes to a pseudo-terminal, and waits for
// it: Expect finds a string after the previous match.
type Recorder struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	pos  int       // where the next Expect starts looking
	last time.Time // when output last came
	err  error
	vt   vt10x.Terminal // shown on, when not nil
}

// Record starts recording r (the pseudo-terminal's master side); with vt,
// what is read is also written to it.
func Record(r io.Reader, vt vt10x.Terminal) *Recorder {
	rec := &Recorder{last: time.Now(), vt: vt}
	rec.cond = sync.NewCond(&rec.mu)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			rec.mu.Lock()
			rec.buf = append(rec.buf, b[:n]...)
			if rec.vt != nil {
				rec.vt.Write(b[:n])
			}
			rec.last = time.Now()
			if err != nil {
				rec.err = err
			}
			rec.cond.Broadcast()
			rec.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return rec
}

// Text returns everything recorded so far.
func (r *Recorder) Text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.buf)
}

// Expect waits up to timeout until want appears after the previous match.
func (r *Recorder) Expect(want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if i := bytes.Index(r.buf[r.pos:], []byte(want)); i >= 0 {
			r.pos += i + len(want)
			return nil
		}
		if r.err != nil || time.Now().After(deadline) {
			return fmt.Errorf("the terminal never showed %q; after the last match it shows %q", want, r.buf[r.pos:])
		}
		timer := time.AfterFunc(100*time.Millisecond, func() {
			r.mu.Lock()
			r.cond.Broadcast()
			r.mu.Unlock()
		})
		r.cond.Wait()
		timer.Stop()
	}
}

// WaitQuiet waits until nothing has been written for a moment, or deadline.
func (r *Recorder) WaitQuiet(deadline time.Time) {
	for time.Now().Before(deadline) {
		r.mu.Lock()
		idle := time.Since(r.last)
		r.mu.Unlock()
		if idle >= quiet {
			return
		}
		time.Sleep(quiet - idle)
	}
}

// Terminal is a pseudo-terminal of a fixed size whose output is
// recorded and shown on a virtual terminal (vt10x), which answers the
// program's cursor position requests as a real terminal does (prompt_toolkit
// asks before every prompt and warns when no answer comes).
type Terminal struct {
	PTY, TTY *os.File
	*Recorder
}

// Open opens a pseudo-terminal of cols x rows and starts recording what is
// written to its TTY side.
func Open(cols, rows int) (*Terminal, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, err
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, err
	}
	vt := vt10x.New(vt10x.WithSize(cols, rows), vt10x.WithWriter(ptmx))
	return &Terminal{PTY: ptmx, TTY: tty, Recorder: Record(ptmx, vt)}, nil
}

// Close closes both sides.
func (t *Terminal) Close() {
	t.TTY.Close()
	t.PTY.Close()
}

// Screen is what the terminal shows now: each line without trailing blanks,
// without the empty lines at the end.
func (t *Terminal) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return screenText(t.vt)
}

// Drive types the steps: each waits for its Expect after the previous one's,
// then for the program to be quiet, then types its Send.
func (t *Terminal) Drive(steps []Step, timeout time.Duration) error {
	for _, s := range steps {
		if err := t.Expect(s.Expect, timeout); err != nil {
			return err
		}
		// At most a few seconds: prompt_toolkit redraws a prompt with a
		// toolbar (the session name's) five times a second, for ever.
		t.WaitQuiet(time.Now().Add(3 * time.Second))
		if s.Send != "" {
			if _, err := io.WriteString(t.PTY, s.Send); err != nil {
				return err
			}
		}
	}
	return nil
}

// screenText is what vt shows: each line without trailing blanks, without
// the empty lines at the end.
func screenText(vt vt10x.Terminal) string {
	var lines []string
	for _, l := range strings.Split(vt.String(), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n") + "\n"
}
