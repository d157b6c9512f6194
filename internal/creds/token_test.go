package creds_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// calls is how many API calls of any kind the server answered.
func (w *world) calls() int {
	n := 0
	for _, c := range w.ts.Server.Counts() {
		n += c
	}
	return n
}

// TestRefreshWindow: an sso-session token is refreshed when it has less than
// RefreshWindow (15 min) left, expired or not, and used as it is otherwise
// (spec §4); the refreshed token is written back with the registration kept.
func TestRefreshWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		after       time.Duration // since the login; the token lasts 1 h
		wantRefresh bool
	}{
		{after: 0},
		{after: 44 * time.Minute}, // 16 min left
		{after: 45 * time.Minute}, // exactly 15 min left: still used
		{after: 45*time.Minute + time.Second, wantRefresh: true},
		{after: 59 * time.Minute, wantRefresh: true},
		{after: 2 * time.Hour, wantRefresh: true}, // expired
	}
	for _, tt := range tests {
		t.Run(tt.after.String(), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			tg := w.target()
			w.login(t, w.m, tg)
			before := w.token(t, tg)
			w.clock.Advance(tt.after)
			got, err := w.m.AccessToken(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			after := w.token(t, tg)
			if n := w.count("CreateToken/refresh_token"); n != map[bool]int{false: 0, true: 1}[tt.wantRefresh] {
				t.Fatalf("refreshes = %d, want refresh %v", n, tt.wantRefresh)
			}
			if got != after.AccessToken {
				t.Errorf("AccessToken did not return the cached token")
			}
			if !tt.wantRefresh {
				if after.AccessToken != before.AccessToken {
					t.Errorf("the token changed without a refresh")
				}
				return
			}
			if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken {
				t.Errorf("the refreshed token was not written back")
			}
			if want := w.clock.Now().Add(time.Hour); !after.ExpiresAt.Equal(want) {
				t.Errorf("expiresAt = %v, want now + 1 h = %v", after.ExpiresAt, want)
			}
			if after.ClientID != before.ClientID || after.ClientSecret != before.ClientSecret || !after.RegistrationExpiresAt.Equal(before.RegistrationExpiresAt) ||
				after.StartURL != tg.StartURL || after.Region != tg.Region {
				t.Errorf("the refresh lost fields of the token file")
			}
		})
	}
}

// TestLegacyNeverRefreshes: a legacy token is used while it lasts, never
// refreshed, and refused without a network call once expired (AWS CLI
// ≥ 2.25.3, spec §4).
func TestLegacyNeverRefreshes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.legacy()
	w.login(t, w.m, tg)
	tok := w.token(t, tg)
	w.clock.Advance(tok.ExpiresAt.Sub(w.clock.Now()) - time.Minute)
	if got, err := w.m.AccessToken(context.Background(), tg); err != nil || got != tok.AccessToken {
		t.Fatalf("legacy token with a minute left: err %v, same token %v", err, got == tok.AccessToken)
	}
	w.clock.Advance(time.Minute)
	calls := w.calls()
	_, err := w.m.AccessToken(context.Background(), tg)
	if u := usererr.As(err); u == nil || u.Code != 255 || !errors.Is(err, creds.ErrLoginRequired) ||
		u.Msg != "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile." ||
		u.Hint != "run: ssocli sso login --profile legacy" {
		t.Errorf("expired legacy token: %v (hint %q)", err, u.Hint)
	}
	if w.calls() != calls {
		t.Errorf("an expired legacy token made %d network calls", w.calls()-calls)
	}
}

// breakRefreshToken replaces the cached refresh token with one the server
// does not know, so that the next refresh fails with InvalidGrant.
func (w *world) breakRefreshToken(t *testing.T, tg *creds.Target) {
	t.Helper()
	tok := w.token(t, tg)
	tok.RefreshToken = "not-a-refresh-token"
	if err := ssocache.WriteToken(ssocache.TokenPath(w.home, tg.SessionName, tg.StartURL), tok); err != nil {
		t.Fatal(err)
	}
}

// TestFailedRefresh: a refresh the server refuses is swallowed while the old
// token lasts; once it has expired the AWS CLI's error asks for a login
// (spec §4 "On failure").
func TestFailedRefresh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	w.breakRefreshToken(t, tg)
	old := w.token(t, tg)

	w.clock.Advance(50 * time.Minute) // 10 minutes left
	got, err := w.m.AccessToken(context.Background(), tg)
	if err != nil || got != old.AccessToken {
		t.Fatalf("failed refresh with 10 minutes left: err %v, old token kept %v", err, got == old.AccessToken)
	}
	if n := w.count("CreateToken/refresh_token"); n != 1 {
		t.Errorf("refresh attempts = %d, want 1", n)
	}
	if w.token(t, tg).AccessToken != old.AccessToken {
		t.Errorf("a failed refresh changed the token file")
	}

	w.clock.Advance(15 * time.Minute) // expired
	_, err = w.m.AccessToken(context.Background(), tg)
	u := usererr.As(err)
	if u == nil || u.Code != 255 || u.Msg != "Error when retrieving token from sso: Token has expired and refresh failed" ||
		u.Hint != "run: ssocli sso login --profile dev" || !errors.Is(err, creds.ErrLoginRequired) {
		t.Errorf("failed refresh of an expired token: %v", err)
	}
}

// TestNotRefreshable: a token whose registration has expired, or that has no
// refresh token, is not sent for a refresh (spec §4 step 2).
func TestNotRefreshable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		spoil func(*ssocache.Token)
	}{
		{"registration expired", func(tok *ssocache.Token) { tok.RegistrationExpiresAt = tok.ExpiresAt.Add(-2 * time.Hour) }},
		{"no refresh token", func(tok *ssocache.Token) { tok.RefreshToken = "" }},
		{"no client secret", func(tok *ssocache.Token) { tok.ClientSecret = "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			tg := w.target()
			w.login(t, w.m, tg)
			tok := w.token(t, tg)
			tt.spoil(tok)
			if err := ssocache.WriteToken(ssocache.TokenPath(w.home, tg.SessionName, tg.StartURL), tok); err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(50 * time.Minute)
			if got, err := w.m.AccessToken(context.Background(), tg); err != nil || got != tok.AccessToken {
				t.Errorf("10 minutes left: err %v, token kept %v", err, got == tok.AccessToken)
			}
			if n := w.count("CreateToken/refresh_token"); n != 0 {
				t.Errorf("refresh attempts = %d, want 0", n)
			}
		})
	}
}

// TestOneRefreshForMany: callers that need a refresh at once make one; the
// others wait for the session lock and take its token (what 32 processes do
// in procs.TestStorm, here with managers that share only the files).
func TestOneRefreshForMany(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	w.clock.Advance(55 * time.Minute)
	const n = 8
	got := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			tok, err := w.manager().AccessToken(context.Background(), tg)
			got <- tok
			errs <- err
		}()
	}
	want := ""
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		tok := <-got
		if want == "" {
			want = tok
		}
		if tok != want {
			t.Errorf("callers got different tokens")
		}
	}
	if c := w.count("CreateToken/refresh_token"); c != 1 {
		t.Errorf("refreshes = %d, want 1", c)
	}
}

// TestExpiredRefreshUnreachable: an expired token whose refresh cannot reach
// the endpoint says which endpoint, as botocore lets that error through; a
// login would not cure it (spec §4, adversarial W9). With time left, the old
// token is used as for any failed refresh.
func TestExpiredRefreshUnreachable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	down := closedPort(t)
	tg.OIDCEndpoint = down

	w.clock.Advance(50 * time.Minute)
	if _, err := w.m.AccessToken(context.Background(), tg); err != nil {
		t.Fatalf("unreachable refresh with 10 minutes left: %v", err)
	}
	w.clock.Advance(15 * time.Minute)
	_, err := w.m.AccessToken(context.Background(), tg)
	u := usererr.As(err)
	want := `Could not connect to the endpoint URL: "` + down + `/token"`
	if u == nil || u.Code != 255 || u.Msg != want || errors.Is(err, creds.ErrLoginRequired) || u.Hint == "" {
		t.Errorf("unreachable refresh of an expired token: %v; want %q, exit 255, a hint and no login asked", err, want)
	}
}
