//go:build unix

package vanitygolden

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// Terminal is a pseudo-terminal of ScreenCols x ScreenRows whose output is
// recorded and shown on a virtual terminal (vt10x), which answers the
// program's cursor position requests as a real terminal does (prompt_toolkit
// asks before every prompt and warns when no answer comes).
type Terminal struct {
	PTY, TTY *os.File
	vt       vt10x.Terminal

	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	last time.Time // when output last came
	err  error
}

// OpenTerminal opens a pseudo-terminal and starts recording what is written
// to its TTY side.
func OpenTerminal() (*Terminal, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, err
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: ScreenCols, Rows: ScreenRows}); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, err
	}
	t := &Terminal{PTY: ptmx, TTY: tty, last: time.Now(), vt: vt10x.New(vt10x.WithSize(ScreenCols, ScreenRows), vt10x.WithWriter(ptmx))}
	t.cond = sync.NewCond(&t.mu)
	go t.record()
	return t, nil
}

func (t *Terminal) record() {
	b := make([]byte, 4096)
	for {
		n, err := t.PTY.Read(b)
		t.mu.Lock()
		t.buf = append(t.buf, b[:n]...)
		t.vt.Write(b[:n])
		t.last = time.Now()
		if err != nil {
			t.err = err
		}
		t.cond.Broadcast()
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
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

// Output returns everything recorded so far.
func (t *Terminal) Output() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.buf)
}

// Drive types the steps: each waits for its Expect after the previous one's,
// then for the program to be quiet, then types its Send.
func (t *Terminal) Drive(steps []Step, timeout time.Duration) error {
	pos := 0
	for _, s := range steps {
		deadline := time.Now().Add(timeout)
		t.mu.Lock()
		for {
			if i := bytes.Index(t.buf[pos:], []byte(s.Expect)); i >= 0 {
				pos += i + len(s.Expect)
				break
			}
			if t.err != nil || time.Now().After(deadline) {
				got := string(t.buf[pos:])
				t.mu.Unlock()
				return fmt.Errorf("the terminal never showed %q; after the last match it shows %q", s.Expect, got)
			}
			t.waitLocked(100 * time.Millisecond)
		}
		t.mu.Unlock()
		// At most a few seconds: prompt_toolkit redraws a prompt with a
		// toolbar (the session name's) five times a second, for ever.
		quietBy := time.Now().Add(3 * time.Second)
		if deadline.Before(quietBy) {
			quietBy = deadline
		}
		t.WaitQuiet(quietBy)
		if s.Send != "" {
			if _, err := io.WriteString(t.PTY, s.Send); err != nil {
				return err
			}
		}
	}
	return nil
}

// WaitQuiet waits until nothing has been written for a moment, or deadline.
func (t *Terminal) WaitQuiet(deadline time.Time) {
	for time.Now().Before(deadline) {
		t.mu.Lock()
		idle := time.Since(t.last)
		t.mu.Unlock()
		if idle >= quiet {
			return
		}
		time.Sleep(quiet - idle)
	}
}

// waitLocked waits for output or d, with t.mu held.
func (t *Terminal) waitLocked(d time.Duration) {
	timer := time.AfterFunc(d, func() {
		t.mu.Lock()
		t.cond.Broadcast()
		t.mu.Unlock()
	})
	t.cond.Wait()
	timer.Stop()
}
