//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ssocache

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// childEnv makes the test binary act as a lock holder (see TestMain):
// "home|name". It takes the lock, prints "locked", waits for stdin to close,
// prints "releasing" and then unlocks.
const childEnv = "SSOCACHE_TEST_LOCK_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		home, name, _ := strings.Cut(v, "|")
		unlock, err := Lock(context.Background(), home, name)
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

func startHolder(t *testing.T, home, name string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+home+"|"+name)
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

// guard bounds how long a test waits for something that must happen; reaching it
// is a failure (a hang), not a timing assertion.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestLockWaitsForOtherProcess(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	h := startHolder(t, home, "tok.json")

	if _, ok, err := TryLock(home, "tok.json"); err != nil || ok {
		t.Fatalf("TryLock while a child holds the lock: ok=%v err=%v", ok, err)
	}
	got := make(chan error, 1)
	go func() {
		unlock, err := Lock(guard(t), home, "tok.json")
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
	home := t.TempDir()
	h := startHolder(t, home, "tok.json")
	if _, ok, err := TryLock(home, "tok.json"); err != nil || ok {
		t.Fatalf("TryLock while a child holds the lock: ok=%v err=%v", ok, err)
	}
	if err := h.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	h.cmd.Wait()
	unlock, err := Lock(guard(t), home, "tok.json")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestLockInProcess(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	unlock, err := Lock(guard(t), home, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TryLock(home, "a"); err != nil || ok {
		t.Errorf("TryLock of a held lock: ok=%v err=%v", ok, err)
	}
	unlockB, ok, err := TryLock(home, "b")
	if err != nil || !ok {
		t.Fatalf("TryLock of another name: ok=%v err=%v", ok, err)
	}
	unlockB()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, home, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context: %v, want context.Canceled", err)
	}

	unlock()
	unlock() // a second call is harmless
	unlock2, ok, err := TryLock(home, "a")
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock: ok=%v err=%v", ok, err)
	}
	unlock2()

	fi, err := os.Stat(LockDir(home))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("lock dir mode %o, want 700", fi.Mode().Perm())
	}
}

// TestLockMutualExclusion has many goroutines take one lock; none may find
// another inside the critical section.
func TestLockMutualExclusion(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	var inside, overlaps, entered atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 5 {
				unlock, err := Lock(guard(t), home, "shared")
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

func TestLockNames(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	for _, name := range []string{"", ".", "..", "a/b", "../x", `a\b`, "a\x00b"} {
		if _, err := Lock(context.Background(), home, name); err == nil {
			t.Errorf("Lock(%q): no error", name)
		}
		if _, _, err := TryLock(home, name); err == nil {
			t.Errorf("TryLock(%q): no error", name)
		}
	}
}
