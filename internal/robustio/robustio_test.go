package robustio

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

var errBusy = errors.New("busy")

func busyIsEphemeral(err error) bool { return errors.Is(err, errBusy) }

// TestRetryPolicy checks the loop with a stand-in for the Windows errors, under
// synctest so that the 2 s bound costs no real time.
func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	errOther := errors.New("other")
	for _, tc := range []struct {
		name      string
		fails     int   // calls that fail before one succeeds (-1: all)
		err       error // what the failing calls return
		cancel    bool  // the context is cancelled before the call
		wantCalls func(int) bool
		wantErr   error
		wantMax   time.Duration // most time spent
	}{
		{name: "success at once", fails: 0, wantCalls: eq(1)},
		{name: "ephemeral errors, then success", fails: 5, err: errBusy, wantCalls: eq(6), wantMax: maxWait},
		{name: "other errors are not retried", fails: -1, err: errOther, wantCalls: eq(1), wantErr: errOther},
		{name: "ephemeral forever: gives up after about 2 s", fails: -1, err: errBusy, wantCalls: func(n int) bool { return n > 5 }, wantErr: errBusy, wantMax: maxWait},
		{name: "cancelled context: one try", fails: -1, err: errBusy, cancel: true, wantCalls: eq(1), wantErr: errBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tc.cancel {
					cancel()
				}
				calls := 0
				start := time.Now()
				err := retry(ctx, func() error {
					calls++
					if tc.fails < 0 || calls <= tc.fails {
						return tc.err
					}
					return nil
				}, busyIsEphemeral, time.Now)
				took := time.Since(start)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
				if !tc.wantCalls(calls) {
					t.Errorf("%d calls", calls)
				}
				if took > tc.wantMax {
					t.Errorf("took %v, want at most %v", took, tc.wantMax)
				}
				if tc.wantMax == maxWait && tc.fails < 0 && took < maxWait/2 {
					t.Errorf("gave up after %v, want about %v", took, maxWait)
				}
			})
		})
	}
}

func eq(n int) func(int) bool { return func(got int) bool { return got == n } }

// TestRetryStopsAtDeadline: a context deadline shorter than 2 s ends the
// retries at the deadline.
func TestRetryStopsAtDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := retry(ctx, func() error { return errBusy }, busyIsEphemeral, time.Now)
		if !errors.Is(err, errBusy) {
			t.Errorf("err = %v, want the operation's error", err)
		}
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Errorf("took %v, want the deadline (100ms)", took)
		}
	})
}
