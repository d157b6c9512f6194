package signin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tryPassword posts the sign-in form as user and returns the page.
func (e *env) tryPassword(t *testing.T, user, password string) page {
	t.Helper()
	form := e.get(t, "/login")
	return e.post(t, "/login", url.Values{"csrf": {field(t, csrfRE, form.body)}, "next": {"/device"}, "username": {user}, "password": {password}}, nil)
}

const lockedText = "Too many failed sign-ins"

// TestSignInLockout: after maxUserFailures wrong passwords the right one is
// refused until the lock ends, and a second lock lasts twice as long.
func TestSignInLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	lockOut := func() {
		t.Helper()
		for i := range maxUserFailures {
			if got := e.tryPassword(t, testUser, "wrong"); got.status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: status %d, want 401", i+1, got.status)
			}
		}
	}
	lockOut()
	got := e.tryPassword(t, testUser, testPassword)
	if got.status != http.StatusTooManyRequests || !strings.Contains(got.body, lockedText) || !strings.Contains(got.body, "1 minute") {
		t.Fatalf("right password while locked: status %d, want 429 saying when to try again; body:\n%s", got.status, got.body)
	}
	if strings.Contains(got.url, "/device") && !strings.Contains(got.url, "/login") {
		t.Fatalf("signed in while locked")
	}
	// Five more wrong ones after the lock: the second lock lasts twice as long.
	e.clock.advance(firstLock)
	lockOut()
	e.clock.advance(firstLock)
	if got := e.tryPassword(t, testUser, testPassword); got.status != http.StatusTooManyRequests {
		t.Errorf("right password one lock length into the second lock: status %d, want 429", got.status)
	}
	e.clock.advance(firstLock)
	if got := e.tryPassword(t, testUser, testPassword); got.status != http.StatusOK || strings.Contains(got.url, "/login") {
		t.Fatalf("right password after the second lock: status %d at %s, want signed in", got.status, got.url)
	}
	// The success forgets the failures: one wrong password is not a lock.
	if got := e.tryPassword(t, testUser, "wrong"); got.status != http.StatusUnauthorized {
		t.Errorf("a wrong password after a sign-in: status %d, want 401", got.status)
	}
}

// TestSignInAddressLockout: wrong passwords sprayed over many user names
// from one address lock that address out, right password or not.
func TestSignInAddressLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	for i := range maxAddrFailures {
		if got := e.tryPassword(t, "user"+strings.Repeat("x", i), "wrong"); got.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i+1, got.status)
		}
	}
	if got := e.tryPassword(t, testUser, testPassword); got.status != http.StatusTooManyRequests || !strings.Contains(got.body, lockedText) {
		t.Fatalf("right password from the locked address: status %d, want 429; body:\n%s", got.status, got.body)
	}
	e.clock.advance(firstLock)
	if got := e.tryPassword(t, testUser, testPassword); got.status != http.StatusOK {
		t.Errorf("right password after the lock: status %d, want 200", got.status)
	}
}

// TestUserCodeLockout: after maxCodeFailures unknown user codes from one
// address, a valid code is refused until the lock ends.
func TestUserCodeLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.signIn(t, e.get(t, "/login"), testPassword)
	for i := range maxCodeFailures {
		if got := e.get(t, "/device?user_code=BCDF-GHJ"+string(rune('B'+i))); got.status != http.StatusNotFound {
			t.Fatalf("unknown code %d: status %d, want 404", i+1, got.status)
		}
	}
	got := e.get(t, "/device?user_code="+liveCode)
	if got.status != http.StatusTooManyRequests || !strings.Contains(got.body, "Too many codes that were not valid") {
		t.Fatalf("valid code while locked: status %d, want 429; body:\n%s", got.status, got.body)
	}
	e.clock.advance(firstLock)
	if got := e.get(t, "/device?user_code="+liveCode); got.status != http.StatusOK || !strings.Contains(got.body, `value="approve"`) {
		t.Errorf("valid code after the lock: status %d, want the approval page", got.status)
	}
}

func TestThrottleForgets(t *testing.T) {
	t.Parallel()
	th := newThrottle(3)
	th.fail("k", t0)
	th.fail("k", t0)
	// Failures older than forgetAfter do not count towards a lock.
	th.fail("k", t0.Add(forgetAfter+time.Second))
	if d := th.locked("k", t0.Add(forgetAfter+time.Second)); d != 0 {
		t.Errorf("locked for %v after failures spread over more than %v, want not locked", d, forgetAfter)
	}
}
