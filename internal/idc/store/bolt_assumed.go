package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// The buckets of assumed-role credentials (key: access key id) and of
// once-keys (value: the time the key may be forgotten). OpenBolt creates
// them in an older file too, so the schema version stays.
var (
	bucketAssumed = []byte("assumed_role_credentials")
	bucketOnce    = []byte("once")
)

// CreateAssumedRoleCredential implements Store.
func (s *Bolt) CreateAssumedRoleCredential(c AssumedRoleCredential) error {
	return s.create(bucketAssumed, c.AccessKeyID, c)
}

// GetAssumedRoleCredential implements Store.
func (s *Bolt) GetAssumedRoleCredential(accessKeyID string) (AssumedRoleCredential, error) {
	return read[AssumedRoleCredential](s, bucketAssumed, accessKeyID)
}

// UseOnce implements Store.
func (s *Bolt) UseOnce(key string, expires time.Time) error {
	return s.create(bucketOnce, key, expires)
}

// gcAssumedSteps are the GarbageCollect steps of the two buckets.
func gcAssumedSteps(tx *bolt.Tx, now time.Time) []func() (int, error) {
	return []func() (int, error){
		func() (int, error) {
			return sweep(tx, bucketAssumed, func(c AssumedRoleCredential) bool { return !now.Before(c.Expiration) }, nil)
		},
		func() (int, error) {
			return sweep(tx, bucketOnce, func(exp time.Time) bool { return !now.Before(exp) }, nil)
		},
	}
}
