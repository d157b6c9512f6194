package creds_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/creds"
)

// TestPendingLoginDoesNotBlockRefresh: a login that waits for the user (up to
// ten minutes) holds its lock all that time; a credential call of the same
// session that needs a refresh must not wait behind it (adversarial B1).
func TestPendingLoginDoesNotBlockRefresh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	before := w.token(t, tg)
	w.clock.Advance(50 * time.Minute) // 10 minutes left: inside the refresh window

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	shown := make(chan struct{})
	ended := make(chan error, 1)
	go func() {
		_, err := w.manager().Login(ctx, tg, creds.LoginOptions{DisplayCode: func(authflow.DeviceCode) error {
			close(shown) // never approved: the login waits until cancelled
			return nil
		}})
		ended <- err
	}()
	<-shown

	// Bounded so that a regression fails instead of hanging; the refresh
	// itself is two loopback calls.
	ectx, ecancel := context.WithTimeout(context.Background(), time.Minute)
	defer ecancel()
	c, err := w.manager().RoleCredentials(ectx, tg)
	if err != nil {
		t.Fatalf("role credentials while another login is pending: %v", err)
	}
	if c.AccessKeyID == "" {
		t.Errorf("no credentials: %+v", c)
	}
	if n := w.count("CreateToken/refresh_token"); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	refreshed := w.token(t, tg)
	if refreshed.AccessToken == before.AccessToken || !refreshed.ExpiresAt.After(before.ExpiresAt) {
		t.Errorf("the refreshed token was not written (expires %v -> %v)", before.ExpiresAt, refreshed.ExpiresAt)
	}

	cancel()
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("pending login ended with %v, want context.Canceled", err)
	}
	if after := w.token(t, tg); after.AccessToken != refreshed.AccessToken {
		t.Errorf("the interrupted login changed the token file")
	}
}
