//go:build unix

package sigctx

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestSignalCancels: once armed, the signal cancels the context and its
// children (through AfterFunc, without a goroutine each), as
// signal.NotifyContext does; Stop gives the signal back.
func TestSignalCancels(t *testing.T) {
	c := New(syscall.SIGUSR1)
	child, cancel := context.WithCancel(c)
	defer cancel()
	after := make(chan struct{})
	c.AfterFunc(func() { close(after) })
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		name string
		ch   <-chan struct{}
	}{{"context", c.Done()}, {"child", child.Done()}, {"AfterFunc", after}} {
		select {
		case <-w.ch:
		case <-time.After(30 * time.Second):
			t.Fatalf("the %s was not cancelled by SIGUSR1", w.name)
		}
	}
	if !errors.Is(c.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Fatalf("errors after the signal: %v, %v", c.Err(), child.Err())
	}
	c.Stop()
	// After Stop the signal is no longer the context's: another Notify gets it.
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	defer signal.Stop(ch)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatal("SIGUSR1 after Stop did not reach a new Notify")
	}
}
