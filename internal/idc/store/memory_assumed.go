package store

import "time"

// CreateAssumedRoleCredential implements Store.
func (s *Memory) CreateAssumedRoleCredential(c AssumedRoleCredential) error {
	return create(&s.mu, s.assumed, c.AccessKeyID, c)
}

// GetAssumedRoleCredential implements Store.
func (s *Memory) GetAssumedRoleCredential(accessKeyID string) (AssumedRoleCredential, error) {
	return get(&s.mu, s.assumed, accessKeyID)
}

// UseOnce implements Store.
func (s *Memory) UseOnce(key string, expires time.Time) error {
	return create(&s.mu, s.once, key, expires)
}

// gcAssumed removes the assumed-role credentials and once-keys that ended
// before now; the caller holds s.mu.
func (s *Memory) gcAssumed(now time.Time) int {
	n := 0
	for k, c := range s.assumed {
		if !now.Before(c.Expiration) {
			delete(s.assumed, k)
			n++
		}
	}
	for k, exp := range s.once {
		if !now.Before(exp) {
			delete(s.once, k)
			n++
		}
	}
	return n
}
