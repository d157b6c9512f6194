package filelock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// childEnv makes the test binary act as a lock holder (see TestMain): it
// takes the lock on the named path, prints "locked", waits for stdin to
// close, prints "releasing" and then unlocks.
const childEnv = "FILELOCK_TEST_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		unlock, err := Lock(context.Background(), path, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		fmt.Println("releasing")
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder is a child process holding a lock.
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startHolder(t *testing.T, path string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	h := &holder{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	h.expect(t, "locked")
	return h
}

func (h *holder) expect(t *testing.T, want string) {
	t.Helper()
	line, err := h.out.ReadString('\n')
	if got := strings.TrimSpace(line); got != want {
		t.Fatalf("child said %q (%v), want %q", got, err, want)
	}
}

// guard bounds how long a test waits for something that must happen; reaching
// it is a failure (a hang), not a timing assertion.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func lockFile(t *testing.T) string { return filepath.Join(t.TempDir(), "x.lock") }

func TestLockWaitsForOtherProcess(t *testing.T) {
	t.Parallel()
	path := lockFile(t)
	h := startHolder(t, path)
	if _, ok, err := TryLock(path, nil); err != nil || ok {
		t.Fatalf("TryLock while a child holds the lock: ok=%v err=%v", ok, err)
	}
	got := make(chan error, 1)
	go func() {
		unlock, err := Lock(guard(t), path, nil)
		if err == nil {
			unlock()
		}
		got <- err
	}()
	h.stdin.Close() // let the child go; it prints "releasing" before it unlocks
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// Lock returned, so the child must already have said it was releasing.
	h.expect(t, "releasing")
}

func TestLockReleasedWhenHolderIsKilled(t *testing.T) {
	t.Parallel()
	path := lockFile(t)
	h := startHolder(t, path)
	if _, ok, err := TryLock(path, nil); err != nil || ok {
		t.Fatalf("TryLock while a child holds the lock: ok=%v err=%v", ok, err)
	}
	if err := h.cmd.Process.Kill(); err != nil { // SIGKILL / TerminateProcess: no clean-up
		t.Fatal(err)
	}
	h.cmd.Wait()
	unlock, err := Lock(guard(t), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

// TestLockInProcess runs alone, not in parallel: a child that another test
// forks inherits every descriptor open at that moment until its exec closes
// them, and an flock lives as long as any descriptor of its open file does,
// so "TryLock after unlock" failed now and then while a parallel test
// started a process.
func TestLockInProcess(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.lock"), filepath.Join(dir, "b.lock")
	unlock, err := Lock(guard(t), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TryLock(a, nil); err != nil || ok {
		t.Errorf("TryLock of a held lock: ok=%v err=%v", ok, err)
	}
	unlockB, ok, err := TryLock(b, nil)
	if err != nil || !ok {
		t.Fatalf("TryLock of another file: ok=%v err=%v", ok, err)
	}
	unlockB()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, a, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context: %v, want context.Canceled", err)
	}
	unlock()
	unlock() // a second call is harmless
	unlock2, ok, err := TryLock(a, nil)
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock: ok=%v err=%v", ok, err)
	}
	unlock2()
	if _, err := Lock(guard(t), filepath.Join(dir, "missing", "c.lock"), nil); err == nil {
		t.Error("Lock in a missing directory: no error")
	}
}

// TestLockMutualExclusion has many goroutines take one lock; none may find
// another inside the critical section.
func TestLockMutualExclusion(t *testing.T) {
	t.Parallel()
	path := lockFile(t)
	var inside, overlaps, entered atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 5 {
				unlock, err := Lock(guard(t), path, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if inside.Add(1) != 1 {
					overlaps.Add(1)
				}
				entered.Add(1)
				inside.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	if overlaps.Load() != 0 || entered.Load() != 80 {
		t.Errorf("overlaps=%d entered=%d, want 0 and 80", overlaps.Load(), entered.Load())
	}
}

// TestNoLocksDegrades: a file system that answers "not supported" gives no
// lock and one debug line per call instead of an error; any other error still
// fails.
func TestNoLocksDegrades(t *testing.T) {
	t.Parallel()
	for _, errno := range unsupportedErrors {
		t.Run(errno.Error(), func(t *testing.T) {
			t.Parallel()
			path := lockFile(t)
			var lines []string
			debug := func(msg string, args ...any) { lines = append(lines, fmt.Sprint(append([]any{msg}, args...)...)) }
			unlock, err := lock(guard(t), path, debug, func(*os.File) (bool, error) { return false, errno })
			if err != nil {
				t.Fatalf("Lock on a file system without locks: %v, want no error", err)
			}
			unlock()
			if len(lines) != 1 || !strings.Contains(lines[0], "not supported") || !strings.Contains(lines[0], path) {
				t.Errorf("debug lines %q, want one naming the lock file", lines)
			}
		})
	}
	t.Run("other errors fail", func(t *testing.T) {
		t.Parallel()
		errOther := errors.New("bad descriptor")
		_, err := lock(guard(t), lockFile(t), nil, func(*os.File) (bool, error) { return false, errOther })
		if !errors.Is(err, errOther) {
			t.Errorf("err = %v, want the lock error", err)
		}
	})
}
