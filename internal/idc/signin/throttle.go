package signin

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits on guessing. A key (a user name, a client address) is locked out
// after so many failures in a row; the first lock lasts firstLock, each
// further one twice as long as the one before, up to maxLock. A sign-in
// clears the user's failures and locks (not the address's: one right
// password must not hide a spray of wrong ones), and failures older than
// forgetAfter are forgotten. The pages run on loopback by default, where every client has
// the same address, so the address limits are higher than the user's.
const (
	maxUserFailures = 5  // wrong passwords for one user
	maxAddrFailures = 20 // wrong passwords from one address, whatever the user
	maxCodeFailures = 10 // unknown user codes from one address (RFC 8628 §5.1)
	firstLock       = time.Minute
	maxLock         = time.Hour
	forgetAfter     = time.Hour
	// maxTracked bounds the memory a flood of made-up user names can take;
	// beyond it new keys are not tracked (the address limit still holds).
	maxTracked = 10000
	// maxKeyLen bounds a tracked user name.
	maxKeyLen = 64
)

// throttle counts failures per key and says when a key is locked out. It is
// safe for concurrent use.
type throttle struct {
	max int // failures in a row that lock a key
	mu  sync.Mutex
	m   map[string]*strikes
}

type strikes struct {
	failures int       // since the last lock or success
	locks    int       // locks so far, for the doubling
	last     time.Time // last failure
	until    time.Time // locked until
}

func newThrottle(max int) *throttle { return &throttle{max: max, m: map[string]*strikes{}} }

// locked returns how long key stays locked out at now (0: not locked).
func (t *throttle) locked(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.m[key]; ok && now.Before(s.until) {
		return s.until.Sub(now)
	}
	return 0
}

// fail records a failure of key at now, locking it after max in a row.
func (t *throttle) fail(key string, now time.Time) {
	if len(key) > maxKeyLen {
		key = key[:maxKeyLen]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.m[key]
	if ok && now.Sub(s.last) > forgetAfter && !now.Before(s.until) {
		delete(t.m, key)
		ok = false
	}
	if !ok {
		if len(t.m) >= maxTracked {
			t.sweep(now)
			if len(t.m) >= maxTracked {
				return
			}
		}
		s = &strikes{}
		t.m[key] = s
	}
	s.failures++
	s.last = now
	if s.failures >= t.max {
		lock := min(firstLock<<min(s.locks, 16), maxLock)
		s.until, s.failures = now.Add(lock), 0
		s.locks++
	}
}

// succeed forgets the failures of key.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}

// sweep drops the keys with nothing left to remember; t.mu is held.
func (t *throttle) sweep(now time.Time) {
	for k, s := range t.m {
		if now.Sub(s.last) > forgetAfter && !now.Before(s.until) {
			delete(t.m, k)
		}
	}
}

// clientAddr is the address a request came from, without the port.
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
