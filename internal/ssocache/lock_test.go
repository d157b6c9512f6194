package ssocache

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"
)

// The locking itself (other processes, a killed holder, mutual exclusion, file
// systems without locks) is tested in internal/filelock; these test the names.

func TestLockInProcess(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	unlock, err := Lock(ctx, home, "a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TryLock(home, "a", nil); err != nil || ok {
		t.Errorf("TryLock of a held lock: ok=%v err=%v", ok, err)
	}
	unlockB, ok, err := TryLock(home, "b", nil)
	if err != nil || !ok {
		t.Fatalf("TryLock of another name: ok=%v err=%v", ok, err)
	}
	unlockB()
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := Lock(cctx, home, "a", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context: %v, want context.Canceled", err)
	}
	unlock()
	unlock2, ok, err := TryLock(home, "a", nil)
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock: ok=%v err=%v", ok, err)
	}
	unlock2()
	fi, err := os.Stat(LockDir(home))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("lock dir mode %o, want 700", fi.Mode().Perm())
	}
}

func TestLockNames(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	for _, name := range []string{"", ".", "..", "a/b", "../x", `a\b`, "a\x00b"} {
		if _, err := Lock(context.Background(), home, name, nil); err == nil {
			t.Errorf("Lock(%q): no error", name)
		}
		if _, _, err := TryLock(home, name, nil); err == nil {
			t.Errorf("TryLock(%q): no error", name)
		}
	}
}
