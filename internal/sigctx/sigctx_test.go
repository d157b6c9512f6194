package sigctx

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestNotArmedUntilWaitedOn: asking for the error or the deadline does not
// ask for the signals; waiting, or deriving a context that can wait, does.
func TestNotArmedUntilWaitedOn(t *testing.T) {
	c := New(os.Interrupt)
	defer c.Stop()
	if err := c.Err(); err != nil {
		t.Fatalf("Err before arming: %v", err)
	}
	if _, ok := c.Deadline(); ok || c.Value("k") != nil {
		t.Fatal("a deadline or a value")
	}
	if c.Armed() {
		t.Fatal("armed by Err, Deadline or Value")
	}
	child, cancel := context.WithTimeout(c, time.Hour)
	defer cancel()
	if !c.Armed() {
		t.Fatal("context.WithTimeout on it did not arm it")
	}
	select {
	case <-c.Done():
		t.Fatal("done without a signal")
	case <-child.Done():
		t.Fatal("child done without a signal")
	default:
	}
	if c.Err() != nil || child.Err() != nil {
		t.Fatalf("errors without a signal: %v, %v", c.Err(), child.Err())
	}
	cancel()
	if !errors.Is(child.Err(), context.Canceled) || c.Err() != nil {
		t.Fatalf("cancelling the child: child %v, parent %v", child.Err(), c.Err())
	}
}

func TestDoneArms(t *testing.T) {
	c := New(os.Interrupt)
	defer c.Stop()
	if c.Done() == nil || !c.Armed() {
		t.Fatal("Done did not arm the context")
	}
}
