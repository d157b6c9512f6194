package creds_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"

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
