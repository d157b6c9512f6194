package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// openBolt opens a Bolt store in a fresh temporary directory, closed when the
// test ends.
func openBolt(t *testing.T) *Bolt {
	t.Helper()
	s, err := OpenBolt(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestBolt(t *testing.T) {
	t.Parallel()
	conformance(t, func(t *testing.T) Store { return openBolt(t) })
}

// TestBoltReopen checks that every kind of record, and the effect of updates,
// revocation and taking a code, survive closing and opening the file again.
func TestBoltReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	c := Client{ID: "c1", Secret: "s", Name: "n", Type: "public", Scopes: []string{"sso:account:access"}, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	d := DeviceAuth{DeviceCode: "dc", UserCode: "ABCD-EFGH", ClientID: "c1", CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute), Interval: 5 * time.Second}
	x := Session{ID: "s1", ClientID: "c1", User: "alice", Scopes: []string{"sso:account:access"}, CreatedAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}
	at := AccessToken{Token: "at", SessionID: "s1", ExpiresAt: t0.Add(time.Hour)}
	rt := RefreshToken{Token: "rt", SessionID: "s1", ClientID: "c1"}
	rc := RoleCredential{AccessKeyID: "ASIA1", SecretAccessKey: "k", SessionToken: "st", Expiration: t0.Add(time.Hour), SessionID: "s1", AccessToken: "at"}
	for _, err := range []error{s.CreateClient(c), s.CreateDeviceAuth(d), s.CreateSession(x), s.CreateAccessToken(at),
		s.CreateRefreshToken(rt), s.CreateRoleCredential(rc), s.CreateAuthCode(AuthCode{Code: "taken"}), s.CreateAuthCode(AuthCode{Code: "kept"})} {
		must(t, err)
	}
	if _, err := s.UpdateDeviceAuth("dc", func(d DeviceAuth) (DeviceAuth, error) {
		d.Status, d.User, d.Exchanged = DeviceApproved, "alice", true
		return d, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRefreshToken("rt", func(r RefreshToken) (RefreshToken, error) { r.Used = true; return r, nil }); err != nil {
		t.Fatal(err)
	}
	must(t, s.RevokeSession("s1"))
	if _, err := s.TakeAuthCode("taken"); err != nil {
		t.Fatal(err)
	}
	must(t, s.Close())

	r, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	gotC, err1 := r.GetClient("c1")
	gotD, err2 := r.GetDeviceAuthByUserCode("ABCD-EFGH")
	gotS, err3 := r.GetSession("s1")
	gotAT, err4 := r.GetAccessToken("at")
	gotRT, err5 := r.GetRefreshToken("rt")
	gotRC, err6 := r.GetRoleCredential("ASIA1")
	_, err7 := r.TakeAuthCode("kept")
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if err != nil {
			t.Fatalf("after reopening: %v", err)
		}
	}
	d.Status, d.User, d.Exchanged = DeviceApproved, "alice", true
	x.Revoked = true
	rt.Used = true
	if diff := cmp.Diff([]any{c, d, x, at, rt, rc}, []any{gotC, gotD, gotS, gotAT, gotRT, gotRC}); diff != "" {
		t.Errorf("records after reopening (-want +got):\n%s", diff)
	}
	if _, err := r.TakeAuthCode("taken"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a code taken before closing: TakeAuthCode = %v, want ErrNotFound", err)
	}
}

func TestBoltFileModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "serve")
	path := filepath.Join(dir, "state.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []os.FileMode
	for _, p := range []string{dir, path} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fi.Mode().Perm())
	}
	if diff := cmp.Diff([]os.FileMode{0o700, 0o600}, got); diff != "" {
		t.Errorf("modes of the directory and the file (-want +got):\n%s", diff)
	}
}

// TestBoltLocked checks that a second open of a file in use fails with
// ErrLocked and a message naming the fix, and succeeds once it is closed.
func TestBoltLocked(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	first, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenBolt(path)
	if !errors.Is(err, ErrLocked) {
		first.Close()
		t.Fatalf("second OpenBolt = %v, want ErrLocked", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "--data-dir") {
		t.Errorf("error %q does not name the file and the fix", msg)
	}
	must(t, first.Close())
	second, err := OpenBolt(path)
	if err != nil {
		t.Fatalf("OpenBolt after the first closed: %v", err)
	}
	must(t, second.Close())
}

func TestBoltSchemaMismatch(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte("99")) }))
	must(t, s.Close())
	if _, err := OpenBolt(path); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("OpenBolt of a newer schema = %v, want a schema version error", err)
	}
}

// TestBoltGroupCommit queues writes while a commit is "running", then
// commits them as one batch: a refused write fails alone, a write that fails
// inside bbolt (an empty key) makes the batch roll back and retry each write
// alone, and every other write is stored.
func TestBoltGroupCommit(t *testing.T) {
	t.Parallel()
	s := openBolt(t)
	must(t, s.CreateSession(Session{ID: "taken"}))

	ids := []string{"a", "taken", "", "b"}
	s.wmu.Lock()
	s.committing = true // as if a commit were under way: the writes queue
	s.wmu.Unlock()
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { errs[i] = s.CreateSession(Session{ID: id, User: "u" + id}) })
	}
	for {
		s.wmu.Lock()
		n := len(s.queue)
		s.wmu.Unlock()
		if n == len(ids) {
			break
		}
		runtime.Gosched()
	}
	s.commitQueued()
	wg.Wait()

	got := map[string]string{}
	for i, id := range ids {
		switch {
		case errs[i] == nil:
			got[id] = "stored"
		case errors.Is(errs[i], ErrExists):
			got[id] = "exists"
		case errors.Is(errs[i], bolterrors.ErrKeyRequired):
			got[id] = "key required"
		default:
			got[id] = errs[i].Error()
		}
	}
	want := map[string]string{"a": "stored", "taken": "exists", "": "key required", "b": "stored"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	for _, id := range []string{"a", "b"} {
		if x, err := s.GetSession(id); err != nil || x.User != "u"+id {
			t.Errorf("GetSession(%q) = %+v, %v; want it stored", id, x, err)
		}
	}
	if x, _ := s.GetSession("taken"); x.User != "" {
		t.Errorf("the refused write changed the stored session: %+v", x)
	}
}
