package creds_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// TestExpiredOnArrival: role credentials that are already expired when they
// arrive (this machine's clock ahead of the service's by more than their
// life) are refused as botocore refuses them, and nothing is cached
// (adversarial B4).
func TestExpiredOnArrival(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.manager()
	m.Now = func() time.Time { return w.clock.Now().Add(9 * time.Hour) } // ReadOnly credentials last 8 h
	tg := w.target()
	w.login(t, m, tg)
	c, err := m.RoleCredentials(context.Background(), tg)
	u := usererr.As(err)
	if u == nil || u.Code != 255 || u.Msg != "Credentials were refreshed, but the refreshed credentials are still expired." {
		t.Fatalf("RoleCredentials gave credentials: %v, error %v; want the still-expired error with exit 255", c != nil, err)
	}
	if w.count("GetRoleCredentials") != 1 {
		t.Errorf("GetRoleCredentials calls = %d, want 1", w.count("GetRoleCredentials"))
	}
	path := ssocache.RoleCredsPath(w.home, tg.AccountID, tg.RoleName, tg.SessionName, tg.StartURL)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("expired credentials were cached: %v", err)
	}
}

// TestRoleCacheWindow: cached role credentials are used, by this process and
// any other, while at least RoleWindow (15 min) is left, and fetched again
// after (spec §5). ReadOnly credentials last 8 h.
func TestRoleCacheWindow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	first, err := w.m.RoleCredentials(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if want := w.clock.Now().Add(8 * time.Hour); !first.Expiration.Equal(want) || first.AccountID != tg.AccountID {
		t.Errorf("expiration %v, account %s; want %v, %s", first.Expiration, first.AccountID, want, tg.AccountID)
	}
	steps := []struct {
		advance   time.Duration
		wantCalls int
	}{
		{advance: 0, wantCalls: 1},
		{advance: 7*time.Hour + 44*time.Minute, wantCalls: 1}, // 16 min left
		{advance: time.Minute, wantCalls: 1},                  // exactly 15 min left: still used
		{advance: time.Second, wantCalls: 2},                  // less: fetched again (through a refresh)
	}
	for _, s := range steps {
		w.clock.Advance(s.advance)
		c, err := w.manager().RoleCredentials(context.Background(), tg)
		if err != nil {
			t.Fatal(err)
		}
		if got := w.count("GetRoleCredentials"); got != s.wantCalls {
			t.Fatalf("at %v: GetRoleCredentials calls = %d, want %d", w.clock.Now(), got, s.wantCalls)
		}
		if cached := w.manager().CachedRoleCredentials(tg); cached == nil || *cached != *c {
			t.Errorf("at %v: the hot path does not see what RoleCredentials returned", w.clock.Now())
		}
		if (s.wantCalls == 1) != (c.AccessKeyID == first.AccessKeyID) {
			t.Errorf("at %v: access key reused %v, want %v", w.clock.Now(), c.AccessKeyID == first.AccessKeyID, s.wantCalls == 1)
		}
	}
}

// TestOneFetchPerRole: callers that miss the cache at once make one
// GetRoleCredentials; the others wait for the role lock and read its result.
func TestOneFetchPerRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	const n = 8
	keys := make(chan string, n)
	for range n {
		go func() {
			c, err := w.manager().RoleCredentials(context.Background(), tg)
			if err != nil {
				t.Error(err)
				keys <- ""
				return
			}
			keys <- c.AccessKeyID
		}()
	}
	seen := map[string]bool{}
	for range n {
		seen[<-keys] = true
	}
	if len(seen) != 1 || w.count("GetRoleCredentials") != 1 {
		t.Errorf("%d distinct keys, %d GetRoleCredentials; want 1 and 1", len(seen), w.count("GetRoleCredentials"))
	}
}

// TestRevokedSession: a token the server no longer accepts gives the AWS
// CLI's expired-session message, which a new login cures (spec §5).
func TestRevokedSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	tok := w.token(t, tg)
	if _, err := w.manager().Logout(context.Background(), creds.LogoutOptions{PortalEndpoint: w.ts.URL}); err != nil {
		t.Fatal(err)
	}
	// Put the revoked token back, as a stale copy of the cache would.
	if err := ssocache.WriteToken(ssocache.TokenPath(w.home, tg.SessionName, tg.StartURL), tok); err != nil {
		t.Fatal(err)
	}
	_, err := w.m.RoleCredentials(context.Background(), tg)
	u := usererr.As(err)
	if u == nil || u.Code != 255 || !errors.Is(err, creds.ErrLoginRequired) ||
		u.Msg != "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile." {
		t.Errorf("revoked session: %v", err)
	}
}
