package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
// a time and readers alongside it. The file is opened with NoSync: a write
// is in the file (the kernel's page cache) before the method returns, so
// what was answered survives the server being killed (SIGKILL, a crash),
// which is the restart that matters for a test server; only a power loss or
// a kernel crash may lose the last writes, or damage the file, which the
// next OpenBolt then reports. Close syncs the file. Without the fsync a
// write costs microseconds, so no batching is needed (bbolt's DB.Batch
// would add its MaxBatchDelay to every write on an idle server, and runs
// the commit in a goroutine of its own, where a panic from a damaged page
// ends the process).
//
// A panic inside bbolt (a damaged page met by a request) is recovered: the
// transaction is rolled back, which releases bbolt's writer lock, and the
// method returns an error wrapping ErrDamaged, so the request is answered
// 500 and later requests are still served.
//
// The update functions of UpdateDeviceAuth and UpdateRefreshToken run inside
// the write transaction and must not call the store.
//
// The file holds secrets (tokens, secret keys) in plain text, like the rest
// of this test server; it is created 0600 in a 0700 directory.
type Bolt struct {
	db   *bolt.DB
	path string
	key  []byte // CredentialKey, under "credential_key" in the meta bucket
}

var _ Store = (*Bolt)(nil)

// ErrDamaged is wrapped by the errors of a state file that bbolt cannot
// read: a damaged page met when opening it or by a request.
var ErrDamaged = errors.New("the state database is damaged")

// OpenBolt opens the state database at path, creating it and its directory
// when missing. It returns an error wrapping ErrLocked when another process
// has the file open, and one wrapping ErrDamaged, naming the file and the
// fix, when bbolt's consistency check (Tx.Check) finds the file damaged.
func OpenBolt(path string) (*Bolt, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	db, err := openBoltFile(path)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open state database %s: %w: stop the other `ssocli serve` using this data directory, or give this one another --data-dir", path, ErrLocked)
	}
	if errors.Is(err, ErrDamaged) {
		return nil, damagedError(path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	s := &Bolt{db: db, path: path}
	if err := s.check(); err != nil {
		_ = db.Close()
		return nil, damagedError(path, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get([]byte("schema")); {
		case v == nil:
			if err := meta.Put([]byte("schema"), []byte(boltSchema)); err != nil {
				return err
			}
		case string(v) != boltSchema:
			return fmt.Errorf("schema version %q, this ssocli reads %q: remove the file to start afresh", v, boltSchema)
		}
		// A file written before the key existed gets one now.
		switch k := meta.Get([]byte("credential_key")); {
		case k == nil:
			s.key = newCredentialKey()
			return meta.Put([]byte("credential_key"), s.key)
		case len(k) != credentialKeySize:
			return fmt.Errorf("%w: the credential key has %d bytes, not %d", ErrDamaged, len(k), credentialKeySize)
		default:
			s.key = bytes.Clone(k)
		}
		return nil
	})
	if errors.Is(err, ErrDamaged) {
		_ = db.Close()
		return nil, damagedError(path, err)
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	return s, nil
}

// openBoltFile is bolt.Open, with its panics (bbolt asserts that the pages
// it reads at start, such as the freelist, are what the meta page says)
// turned into an error wrapping ErrDamaged.
func openBoltFile(path string) (db *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("%w: %v", ErrDamaged, p)
		}
	}()
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: boltLockTimeout, NoSync: true})
}

// check runs bbolt's consistency check over the whole file (it reads every
// page: milliseconds for the few hundred kilobytes a test server keeps).
// Damage found here would otherwise surface as failing requests later.
func (s *Bolt) check() error {
	var problems []string
	err := s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			// A check that met a page it cannot read reports bbolt's
			// assertion as "panic: ...": the assertion is the news.
			problems = append(problems, strings.TrimPrefix(err.Error(), "panic: "))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("%w: %s", ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// damagedError says which file is damaged and what to do about it.
func damagedError(path string, err error) error {
	return fmt.Errorf("open state database %s: %w: move the file away (or delete it) to start with an empty state; the sessions in it are lost, so clients sign in again", path, err)
}

// recoverDamage turns a panic inside bbolt into an error wrapping
// ErrDamaged. bbolt's View and Update roll the transaction back (and
// release the writer lock) before the panic reaches here.
func (s *Bolt) recoverDamage(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("state database %s: %w (%v): stop the server and move the file away to start afresh", s.path, ErrDamaged, p)
	}
}

// view runs fn in a read transaction.
func (s *Bolt) view(fn func(*bolt.Tx) error) (err error) {
	defer s.recoverDamage(&err)
	return s.db.View(fn)
}

// update runs fn in a write transaction.
func (s *Bolt) update(fn func(*bolt.Tx) error) (err error) {
	defer s.recoverDamage(&err)
	return s.db.Update(fn)
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

func put(b *bolt.Bucket, key string, raw []byte) error { return b.Put([]byte(key), raw) }

// create puts v under key in bucket unless the key is taken. It encodes v
// before the transaction, to keep the write transaction short.
func (s *Bolt) create(bucket []byte, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return s.update(func(tx *bolt.Tx) error {
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
	err := s.view(func(tx *bolt.Tx) error {
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
	return s.update(func(tx *bolt.Tx) error {
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
	err := s.view(func(tx *bolt.Tx) error {
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
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		cur, next, err = updateIn(tx.Bucket(bucket), key, fn, fix)
		return err
	})
	if err != nil {
		return cur, err
	}
	return next, nil
}

// updateIn is the body of update, inside the caller's transaction: it
// returns the current record and, when fn succeeds, the one it stored.
func updateIn[V any](b *bolt.Bucket, key string, fn func(V) (V, error), fix func(old V, n *V)) (cur, next V, err error) {
	if cur, err = boltGet[V](b, key); err != nil {
		return cur, next, err
	}
	// fn gets its own decoded copy, so nothing it does to slices
	// reaches cur.
	arg, err := boltGet[V](b, key)
	if err != nil {
		return cur, next, err
	}
	if next, err = fn(arg); err != nil {
		return cur, next, err
	}
	fix(cur, &next)
	return cur, next, boltPut(b, key, next)
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

// GetAuthCode implements Store.
func (s *Bolt) GetAuthCode(code string) (AuthCode, error) {
	return read[AuthCode](s, bucketCodes, code)
}

// UpdateAuthCode implements Store.
func (s *Bolt) UpdateAuthCode(code string, fn func(AuthCode) (AuthCode, error)) (AuthCode, error) {
	return update(s, bucketCodes, code, fn, func(old AuthCode, n *AuthCode) { n.Code = old.Code })
}

// CreateSession implements Store.
func (s *Bolt) CreateSession(x Session) error { return s.create(bucketSessions, x.ID, x) }

// GetSession implements Store.
func (s *Bolt) GetSession(id string) (Session, error) { return read[Session](s, bucketSessions, id) }

// UpdateSession implements Store.
func (s *Bolt) UpdateSession(id string, fn func(Session) (Session, error)) (Session, error) {
	return update(s, bucketSessions, id, fn, func(old Session, n *Session) { n.ID = old.ID })
}

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

// RotateRefreshToken implements Store, in one write transaction.
func (s *Bolt) RotateRefreshToken(token string, at AccessToken, next RefreshToken, fn func(RefreshToken) (RefreshToken, error)) (RefreshToken, error) {
	rawAT, err := json.Marshal(at)
	if err != nil {
		return RefreshToken{}, fmt.Errorf("encode: %w", err)
	}
	rawRT, err := json.Marshal(next)
	if err != nil {
		return RefreshToken{}, fmt.Errorf("encode: %w", err)
	}
	var cur, stored RefreshToken
	err = s.update(func(tx *bolt.Tx) error {
		access, refresh := tx.Bucket(bucketAccess), tx.Bucket(bucketRefresh)
		var err error
		if cur, err = boltGet[RefreshToken](refresh, token); err != nil {
			return err
		}
		if access.Get([]byte(at.Token)) != nil {
			return fmt.Errorf("access token: %w", ErrExists)
		}
		if next.Token != "" && refresh.Get([]byte(next.Token)) != nil {
			return fmt.Errorf("refresh token: %w", ErrExists)
		}
		if _, stored, err = updateIn(refresh, token, fn, func(old RefreshToken, n *RefreshToken) { n.Token = old.Token }); err != nil {
			return err
		}
		if err := put(access, at.Token, rawAT); err != nil {
			return err
		}
		if next.Token != "" {
			return put(refresh, next.Token, rawRT)
		}
		return nil
	})
	if err != nil {
		return cur, err
	}
	return stored, nil
}

// CreateRoleCredential implements Store.
func (s *Bolt) CreateRoleCredential(c RoleCredential) error {
	return s.create(bucketCreds, c.AccessKeyID, c)
}

// CredentialKey implements Store.
func (s *Bolt) CredentialKey() []byte { return bytes.Clone(s.key) }

// GetRoleCredential implements Store.
func (s *Bolt) GetRoleCredential(accessKeyID string) (RoleCredential, error) {
	return read[RoleCredential](s, bucketCreds, accessKeyID)
}

// GarbageCollect implements Store, in one write transaction.
func (s *Bolt) GarbageCollect(now time.Time) (int, error) {
	n := 0
	ended := map[string]bool{}
	err := s.update(func(tx *bolt.Tx) error {
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

// Close implements Store: it syncs the file (written with NoSync), closes
// it and releases its lock.
func (s *Bolt) Close() error {
	serr := s.db.Sync()
	if err := errors.Join(serr, s.db.Close()); err != nil {
		return fmt.Errorf("close state database %s: %w", s.path, err)
	}
	return nil
}
