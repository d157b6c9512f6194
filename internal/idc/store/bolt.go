package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by OpenBolt when another process (or another open
// Bolt in this one) holds the database file.
var ErrLocked = errors.New("state database is in use by another process")

// boltLockTimeout is how long OpenBolt waits for the file lock that bbolt
// takes (flock, released by the kernel when the holder dies) before it gives
// up with ErrLocked.
const boltLockTimeout = time.Second

// boltSchema is the layout version written in the meta bucket; a file with
// another version is refused rather than misread.
const boltSchema = "1"

// The buckets, one per record kind. Keys are the record's id (client id,
// device code, token, access key id); values are the record as JSON.
var (
	bucketMeta      = []byte("meta")
	bucketClients   = []byte("clients")
	bucketDevices   = []byte("device_auths")
	bucketUserCodes = []byte("user_codes") // user code -> device code
	bucketCodes     = []byte("auth_codes")
	bucketSessions  = []byte("sessions")
	bucketAccess    = []byte("access_tokens")
	bucketRefresh   = []byte("refresh_tokens")
	bucketCreds     = []byte("role_credentials")

	allBuckets = [][]byte{bucketMeta, bucketClients, bucketDevices, bucketUserCodes, bucketCodes,
		bucketSessions, bucketAccess, bucketRefresh, bucketCreds, bucketAssumed, bucketOnce}
)

// Bolt is a Store kept in a bbolt file, so that a restarted server still
// honours the tokens and role credentials it issued before.
//
// Every method runs in one bbolt transaction (View for reads, Update for
// writes), which makes it safe for concurrent use: bbolt runs one writer at
// a time and readers alongside it. Each write is on disk (fsynced) before the
// method returns. Writes that arrive while another commits are committed
// together in the next transaction (group commit): an fsync costs
// milliseconds, so a transaction per write would cap a busy server at a few
// hundred calls a second, and unlike bbolt's Batch this adds no delay when
// the server is idle. A write refused (ErrExists, ErrNotFound, an update
// function's error) changes nothing and does not disturb the others.
//
// The update functions of UpdateDeviceAuth and UpdateRefreshToken run inside
// the write transaction and must not call the store; when a write fails at
// the bbolt level (never in normal operation) the batch is rolled back and
// each write retried alone, so such a function may then run a second time
// on the same record.
//
// The file holds secrets (tokens, secret keys) in plain text, like the rest
// of this test server; it is created 0600 in a 0700 directory.
type Bolt struct {
	db   *bolt.DB
	path string

	wmu        sync.Mutex
	queue      []writeReq // writes waiting for the next commit
	committing bool       // a commit is running or about to

	// Call counters stay in memory: they are statistics of this process
	// (what tests and the storm checks count), not state a client relies
	// on, and writing the file on every request would only slow it down.
	mu     sync.Mutex
	counts map[string]int
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens the state database at path, creating it and its directory
// when missing. It returns an error wrapping ErrLocked when another process
// has the file open.
func OpenBolt(path string) (*Bolt, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: boltLockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open state database %s: %w: stop the other `ssocli serve` using this data directory, or give this one another --data-dir", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get([]byte("schema")); {
		case v == nil:
			return meta.Put([]byte("schema"), []byte(boltSchema))
		case string(v) != boltSchema:
			return fmt.Errorf("schema version %q, this ssocli reads %q: remove the file to start afresh", v, boltSchema)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	return &Bolt{db: db, path: path, counts: map[string]int{}}, nil
}

// Path returns the file the store is kept in.
func (s *Bolt) Path() string { return s.path }

// boltGet decodes the value under key, or returns ErrNotFound.
func boltGet[V any](b *bolt.Bucket, key string) (V, error) {
	var v V
	raw := b.Get([]byte(key))
	if raw == nil {
		return v, ErrNotFound
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		// The key is a token or a secret's id: it stays out of the error.
		return v, fmt.Errorf("decode stored record: %w", err)
	}
	return v, nil
}

// boltPut encodes v under key.
func boltPut(b *bolt.Bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return put(b, key, raw)
}

// put and del mark their errors as writeFailed.
func put(b *bolt.Bucket, key string, raw []byte) error {
	if err := b.Put([]byte(key), raw); err != nil {
		return writeFailed{err}
	}
	return nil
}

func del(b *bolt.Bucket, key []byte) error {
	if err := b.Delete(key); err != nil {
		return writeFailed{err}
	}
	return nil
}

// writeFailed is the error of a Put or Delete inside a write: the write may
// have changed part of what it meant to, so its transaction must roll back.
// Any other error of a write is a refusal, returned before it changed
// anything.
type writeFailed struct{ err error }

func (e writeFailed) Error() string { return e.err.Error() }
func (e writeFailed) Unwrap() error { return e.err }

// writeReq is a write waiting for a commit.
type writeReq struct {
	op   func(*bolt.Tx) error
	done chan error
}

// write runs op in a write transaction, together with the writes that
// queued up while the previous transaction committed, and returns op's
// error or the commit's.
func (s *Bolt) write(op func(*bolt.Tx) error) error {
	req := writeReq{op: op, done: make(chan error, 1)}
	s.wmu.Lock()
	s.queue = append(s.queue, req)
	lead := !s.committing
	s.committing = true
	s.wmu.Unlock()
	if lead {
		s.commitQueued()
	}
	return <-req.done
}

// commitQueued commits what is queued in one transaction. Writes that
// queued meanwhile go to a new goroutine, so the caller that started a
// commit waits for that one commit only.
func (s *Bolt) commitQueued() {
	s.wmu.Lock()
	batch := s.queue
	s.queue = nil
	s.wmu.Unlock()

	errs := make([]error, len(batch))
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, r := range batch {
			errs[i] = r.op(tx)
			if errors.As(errs[i], new(writeFailed)) {
				return errs[i]
			}
		}
		return nil
	})
	switch {
	case err == nil:
		for i, r := range batch {
			r.done <- errs[i]
		}
	case len(batch) == 1:
		batch[0].done <- err
	default:
		// Nothing of the batch was stored: retry each write alone, so
		// that the one that failed fails by itself.
		for _, r := range batch {
			r.done <- s.db.Update(r.op)
		}
	}

	s.wmu.Lock()
	more := len(s.queue) > 0
	s.committing = more
	s.wmu.Unlock()
	if more {
		go s.commitQueued()
	}
}

// create puts v under key in bucket unless the key is taken. It encodes v
// before it queues, to keep the write transaction short.
func (s *Bolt) create(bucket []byte, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return s.write(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b.Get([]byte(key)) != nil {
			return ErrExists
		}
		return put(b, key, raw)
	})
}

// read returns the record under key in bucket.
func read[V any](s *Bolt, bucket []byte, key string) (V, error) {
	var v V
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		v, err = boltGet[V](tx.Bucket(bucket), key)
		return err
	})
	return v, err
}

// CreateClient implements Store.
func (s *Bolt) CreateClient(c Client) error { return s.create(bucketClients, c.ID, c) }

// GetClient implements Store.
func (s *Bolt) GetClient(id string) (Client, error) { return read[Client](s, bucketClients, id) }

// CreateDeviceAuth implements Store.
func (s *Bolt) CreateDeviceAuth(d DeviceAuth) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return s.write(func(tx *bolt.Tx) error {
		devices, users := tx.Bucket(bucketDevices), tx.Bucket(bucketUserCodes)
		if devices.Get([]byte(d.DeviceCode)) != nil {
			return ErrExists
		}
		if users.Get([]byte(d.UserCode)) != nil {
			return fmt.Errorf("user code: %w", ErrExists)
		}
		if err := put(users, d.UserCode, []byte(d.DeviceCode)); err != nil {
			return err
		}
		return put(devices, d.DeviceCode, raw)
	})
}

// GetDeviceAuth implements Store.
func (s *Bolt) GetDeviceAuth(deviceCode string) (DeviceAuth, error) {
	return read[DeviceAuth](s, bucketDevices, deviceCode)
}

// GetDeviceAuthByUserCode implements Store.
func (s *Bolt) GetDeviceAuthByUserCode(userCode string) (DeviceAuth, error) {
	var d DeviceAuth
	err := s.db.View(func(tx *bolt.Tx) error {
		dc := tx.Bucket(bucketUserCodes).Get([]byte(userCode))
		if dc == nil {
			return ErrNotFound
		}
		var err error
		d, err = boltGet[DeviceAuth](tx.Bucket(bucketDevices), string(dc))
		return err
	})
	return d, err
}

// update applies fn to the record under key in one write transaction. When
// fn fails the transaction rolls back and the current record is returned
// with fn's error; fix restores the record's key fields after fn.
func update[V any](s *Bolt, bucket []byte, key string, fn func(V) (V, error), fix func(old V, n *V)) (V, error) {
	var cur, next V
	err := s.write(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		var err error
		if cur, err = boltGet[V](b, key); err != nil {
			return err
		}
		// fn gets its own decoded copy, so nothing it does to slices
		// reaches cur.
		arg, err := boltGet[V](b, key)
		if err != nil {
			return err
		}
		if next, err = fn(arg); err != nil {
			return err
		}
		fix(cur, &next)
		return boltPut(b, key, next)
	})
	if err != nil {
		return cur, err
	}
	return next, nil
}

// UpdateDeviceAuth implements Store.
func (s *Bolt) UpdateDeviceAuth(deviceCode string, fn func(DeviceAuth) (DeviceAuth, error)) (DeviceAuth, error) {
	return update(s, bucketDevices, deviceCode, fn, func(old DeviceAuth, n *DeviceAuth) {
		// The keys are fixed: an update cannot move a record.
		n.DeviceCode, n.UserCode = old.DeviceCode, old.UserCode
	})
}

// CreateAuthCode implements Store.
func (s *Bolt) CreateAuthCode(c AuthCode) error { return s.create(bucketCodes, c.Code, c) }

// TakeAuthCode implements Store.
func (s *Bolt) TakeAuthCode(code string) (AuthCode, error) {
	var c AuthCode
	err := s.write(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCodes)
		var err error
		if c, err = boltGet[AuthCode](b, code); err != nil {
			return err
		}
		return del(b, []byte(code))
	})
	return c, err
}

// CreateSession implements Store.
func (s *Bolt) CreateSession(x Session) error { return s.create(bucketSessions, x.ID, x) }

// GetSession implements Store.
func (s *Bolt) GetSession(id string) (Session, error) { return read[Session](s, bucketSessions, id) }

// RevokeSession implements Store.
func (s *Bolt) RevokeSession(id string) error {
	_, err := update(s, bucketSessions, id, func(x Session) (Session, error) {
		x.Revoked = true
		return x, nil
	}, func(old Session, n *Session) { n.ID = old.ID })
	return err
}

// CreateAccessToken implements Store.
func (s *Bolt) CreateAccessToken(t AccessToken) error { return s.create(bucketAccess, t.Token, t) }

// GetAccessToken implements Store.
func (s *Bolt) GetAccessToken(token string) (AccessToken, error) {
	return read[AccessToken](s, bucketAccess, token)
}

// CreateRefreshToken implements Store.
func (s *Bolt) CreateRefreshToken(t RefreshToken) error { return s.create(bucketRefresh, t.Token, t) }

// GetRefreshToken implements Store.
func (s *Bolt) GetRefreshToken(token string) (RefreshToken, error) {
	return read[RefreshToken](s, bucketRefresh, token)
}

// UpdateRefreshToken implements Store.
func (s *Bolt) UpdateRefreshToken(token string, fn func(RefreshToken) (RefreshToken, error)) (RefreshToken, error) {
	return update(s, bucketRefresh, token, fn, func(old RefreshToken, n *RefreshToken) { n.Token = old.Token })
}

// CreateRoleCredential implements Store.
func (s *Bolt) CreateRoleCredential(c RoleCredential) error {
	return s.create(bucketCreds, c.AccessKeyID, c)
}

// GetRoleCredential implements Store.
func (s *Bolt) GetRoleCredential(accessKeyID string) (RoleCredential, error) {
	return read[RoleCredential](s, bucketCreds, accessKeyID)
}

// GarbageCollect implements Store, in one write transaction.
func (s *Bolt) GarbageCollect(now time.Time) (int, error) {
	n := 0
	ended := map[string]bool{}
	err := s.db.Update(func(tx *bolt.Tx) error {
		steps := []func() (int, error){
			func() (int, error) {
				return sweep(tx, bucketDevices, func(d DeviceAuth) bool { return !now.Before(d.ExpiresAt) },
					func(d DeviceAuth) error { return tx.Bucket(bucketUserCodes).Delete([]byte(d.UserCode)) })
			},
			func() (int, error) {
				return sweep(tx, bucketCodes, func(c AuthCode) bool { return !now.Before(c.ExpiresAt) }, nil)
			},
			func() (int, error) {
				return sweep(tx, bucketAccess, func(t AccessToken) bool { return !now.Before(t.ExpiresAt) }, nil)
			},
			func() (int, error) {
				return sweep(tx, bucketCreds, func(c RoleCredential) bool { return !now.Before(c.Expiration) }, nil)
			},
			func() (int, error) {
				return sweep(tx, bucketSessions, func(x Session) bool { return !now.Before(x.ExpiresAt) },
					func(x Session) error { ended[x.ID] = true; return nil })
			},
			// After the sessions: the refresh tokens of the ended ones.
			func() (int, error) {
				return sweep(tx, bucketRefresh, func(t RefreshToken) bool { return ended[t.SessionID] }, nil)
			},
		}
		steps = append(steps, gcAssumedSteps(tx, now)...)
		for _, step := range steps {
			k, err := step()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("garbage collect: %w", err)
	}
	return n, nil
}

// sweep deletes the records of bucket for which dead is true, calling gone
// (when not nil) with each, and returns how many went. Keys are collected
// before deleting because bbolt does not allow changing a bucket while
// ForEach walks it.
func sweep[V any](tx *bolt.Tx, bucket []byte, dead func(V) bool, gone func(V) error) (int, error) {
	b := tx.Bucket(bucket)
	var keys [][]byte
	var vals []V
	err := b.ForEach(func(k, raw []byte) error {
		var v V
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("decode a record of %s: %w", bucket, err)
		}
		if dead(v) {
			keys = append(keys, bytes.Clone(k))
			vals = append(vals, v)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, fmt.Errorf("delete from %s: %w", bucket, err)
		}
		if gone != nil {
			if err := gone(vals[i]); err != nil {
				return 0, err
			}
		}
	}
	return len(keys), nil
}

// Count implements Store (in memory; see Bolt).
func (s *Bolt) Count(op string) {
	s.mu.Lock()
	s.counts[op]++
	s.mu.Unlock()
}

// Counts implements Store.
func (s *Bolt) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// Close implements Store: it closes the file and releases its lock.
func (s *Bolt) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state database %s: %w", s.path, err)
	}
	return nil
}
