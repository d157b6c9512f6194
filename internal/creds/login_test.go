package creds_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
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

// TestParallelLoginsShareOneFlow: a login that finds another one of the same
// session running waits for it and takes its token: one device flow, and the
// waiter says it waited (spec §2, issue "one login for N terminals").
// Deterministic: the first login is approved only once the second waits.
func TestParallelLoginsShareOneFlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	shown, waiting := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := w.manager().Login(context.Background(), tg, creds.LoginOptions{DisplayCode: func(c authflow.DeviceCode) error {
			close(shown)
			go func() {
				<-waiting
				w.approve(t, c.UserCode)
			}()
			return nil
		}})
		first <- err
	}()
	<-shown // the second login starts once the first holds its lock and shows its code
	res, err := w.manager().Login(context.Background(), tg, creds.LoginOptions{
		DisplayCode:     func(authflow.DeviceCode) error { return errors.New("the second login ran a flow of its own") },
		WaitingForOther: func() { close(waiting) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if !res.Shared {
		t.Errorf("the second login did not take the first one's token")
	}
	if n := w.count("StartDeviceAuthorization"); n != 1 {
		t.Errorf("device flows = %d, want 1", n)
	}
}

// TestWaitedLoginWithoutNewToken: a login that waited for another which
// wrote nothing (declined, interrupted) runs its own flow, even if an older
// token is cached and still valid: the user asked for a new login.
func TestWaitedLoginWithoutNewToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg) // an older, valid token
	old := w.token(t, tg)
	w.clock.Advance(time.Minute)

	ctx, cancel := context.WithCancel(context.Background())
	shown, waiting := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := w.manager().Login(ctx, tg, creds.LoginOptions{DisplayCode: func(authflow.DeviceCode) error {
			close(shown)
			go func() {
				<-waiting
				cancel() // the first login is interrupted and writes nothing
			}()
			return nil
		}})
		first <- err
	}()
	<-shown
	res, err := w.manager().Login(context.Background(), tg, creds.LoginOptions{
		DisplayCode:     w.approving(t),
		WaitingForOther: func() { close(waiting) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("first login: %v, want context.Canceled", err)
	}
	if res.Shared {
		t.Errorf("the login took the older token as if another login had written it")
	}
	if w.token(t, tg).AccessToken == old.AccessToken {
		t.Errorf("no new token was written")
	}
}

// TestLoginReusesRegistration: a second login of the session reuses the
// client registration while it has RegistrationWindow left, and a login
// writes the registration and the token together (spec §2.4, §3.3).
func TestLoginReusesRegistration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	w.login(t, w.m, tg)
	if n := w.count("RegisterClient"); n != 1 {
		t.Errorf("RegisterClient calls = %d, want 1", n)
	}
	reg, err := ssocache.ReadRegistration(ssocache.RegistrationPath(w.home, tg.StartURL, tg.Region, tg.Scopes, tg.SessionName))
	if err != nil {
		t.Fatal(err)
	}
	if tok := w.token(t, tg); tok.ClientID != reg.ClientID || !tok.RegistrationExpiresAt.Equal(reg.ExpiresAt) {
		t.Errorf("the token does not carry the registration")
	}
	w.clock.Advance(reg.ExpiresAt.Sub(w.clock.Now()) - creds.RegistrationWindow + time.Second)
	w.login(t, w.m, tg)
	if n := w.count("RegisterClient"); n != 2 {
		t.Errorf("RegisterClient calls = %d after the registration's last 15 minutes began, want 2", n)
	}
}

// lockName is the name creds gives the lock of a cache file in
// ~/.aws/sso/locks ("session-<sha1>", "login-<sha1>", "role-<sha1>").
func lockName(kind, file string) string { return kind + "-" + strings.TrimSuffix(file, ".json") }

// TestLockOrder: a role lock or a login lock may be held while the session
// lock is taken, never the other way round, and readers take no lock. Held
// by another process (here: this test), the role lock does not stop a
// refresh or a login; the session lock does not stop a cache read, and a
// role fetch that needs a refresh waits for it holding only its role lock.
func TestLockOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg := w.target()
	w.login(t, w.m, tg)
	ctx := context.Background()
	session := lockName("session", ssocache.TokenFileName(tg.SessionName, tg.StartURL))
	role := lockName("role", ssocache.RoleCredsFileName(tg.AccountID, tg.RoleName, tg.SessionName, tg.StartURL))

	unlockRole, err := ssocache.Lock(ctx, w.home, role, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(50 * time.Minute)
	// Bounded, so that a lock taken in the wrong order fails the test
	// instead of hanging it.
	bctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := w.manager().AccessToken(bctx, tg); err != nil {
		t.Fatalf("refresh with the role lock held elsewhere: %v", err)
	}
	if _, err := w.manager().Login(bctx, tg, creds.LoginOptions{DisplayCode: w.approving(t)}); err != nil {
		t.Fatalf("login with the role lock held elsewhere: %v", err)
	}
	unlockRole()
	if _, err := w.manager().RoleCredentials(ctx, tg); err != nil {
		t.Fatal(err)
	}

	unlockSession, err := ssocache.Lock(ctx, w.home, session, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlockSession()
	if w.manager().CachedRoleCredentials(tg) == nil {
		t.Errorf("the cached role credentials cannot be read while a refresh runs")
	}
	if _, err := w.manager().RoleCredentials(ctx, tg); err != nil {
		t.Errorf("cached role credentials while a refresh runs: %v", err)
	}

	// Another role, not cached, with a token that needs a refresh: it takes
	// its role lock, then waits for the session lock.
	other := w.target()
	other.RoleName = "AdministratorAccess"
	otherRole := lockName("role", ssocache.RoleCredsFileName(other.AccountID, other.RoleName, other.SessionName, other.StartURL))
	w.clock.Advance(50 * time.Minute)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := w.manager().RoleCredentials(wctx, other)
		done <- err
	}()
	for {
		unlock, ok, err := ssocache.TryLock(w.home, otherRole, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break // the fetch holds its role lock and waits for the session lock
		}
		unlock()
		runtime.Gosched()
	}
	// The lock taken here is released at once: on Windows a lock file still
	// open at the end fails the test's TempDir clean-up (sharing violation).
	if unlock, ok, _ := ssocache.TryLock(w.home, lockName("login", ssocache.TokenFileName(tg.SessionName, tg.StartURL)), nil); !ok {
		t.Errorf("a role fetch holds the login lock")
	} else {
		unlock()
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "lock session") {
		t.Errorf("fetch waiting for the session lock: %v", err)
	}
	unlock, ok, err := ssocache.TryLock(w.home, otherRole, nil)
	if err != nil || !ok {
		t.Errorf("the role lock was not released: %v", err)
	} else {
		unlock()
	}
}

// TestRegistrationNotSaved: a login whose client registration cannot be
// saved (its path taken by a directory, or a symlink out of the cache) still
// keeps its token, which carries the registration, and the warning names the
// real obstacle; a token that cannot be saved fails the login with the fix
// for what is in the way (adversarial W10).
func TestRegistrationNotSaved(t *testing.T) {
	t.Parallel()
	type blocker struct {
		name     string
		block    func(t *testing.T, path string)
		wantHint string
	}
	tests := []blocker{
		{"directory", func(t *testing.T, path string) {
			if err := os.MkdirAll(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "remove the directory "},
	}
	// Windows has no symlinks to test with: Wine's os.Symlink makes none and
	// Windows needs a privilege for one. The directory case keeps the promise
	// there.
	if runtime.GOOS != "windows" {
		tests = append(tests, blocker{"symlink out of the cache", func(t *testing.T, path string) {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			outside := filepath.Join(t.TempDir(), "elsewhere.json")
			writeFile(t, outside, "{}")
			if err := os.Symlink(outside, path); err != nil {
				t.Fatal(err)
			}
		}, "remove the symlink "})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			tg := w.target()
			regPath := ssocache.RegistrationPath(w.home, tg.StartURL, tg.Region, tg.Scopes, tg.SessionName)
			tt.block(t, regPath)
			w.login(t, w.m, tg)
			if len(w.warns) != 1 || !strings.Contains(w.warns[0], "The client registration could not be saved") || !strings.Contains(w.warns[0], tt.wantHint+regPath) {
				t.Errorf("warnings %q, want one naming %q", w.warns, tt.wantHint+regPath)
			}
			tok := w.token(t, tg)
			if tok.ClientID == "" || tok.RefreshToken == "" {
				t.Fatalf("the token lost the registration")
			}
			w.clock.Advance(55 * time.Minute)
			if _, err := w.m.AccessToken(context.Background(), tg); err != nil || w.count("CreateToken/refresh_token") != 1 {
				t.Errorf("refresh with the token's registration: %v, %d refreshes", err, w.count("CreateToken/refresh_token"))
			}

			// The token's own path blocked: the login fails, and says why.
			tokPath := ssocache.TokenPath(w.home, tg.SessionName, tg.StartURL)
			if err := os.Remove(tokPath); err != nil {
				t.Fatal(err)
			}
			tt.block(t, tokPath)
			_, err := w.m.Login(context.Background(), tg, creds.LoginOptions{DisplayCode: w.approving(t)})
			u := usererr.As(err)
			if u == nil {
				t.Fatalf("token not saved: %v, want a usererr", err)
			}
			if !strings.HasPrefix(u.Msg, "The login succeeded, but the token could not be saved: ") || !strings.HasPrefix(u.Hint, tt.wantHint+tokPath) {
				t.Errorf("token not saved: %v (hint %q), want a hint starting %q", err, u.Hint, tt.wantHint+tokPath)
			}
		})
	}
}
