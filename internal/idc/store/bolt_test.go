package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
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
// revocation and claiming a code, survive closing and opening the file again.
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
	if _, err := s.UpdateAuthCode("taken", func(c AuthCode) (AuthCode, error) { c.Used, c.SessionID = true, "s1"; return c, nil }); err != nil {
		t.Fatal(err)
	}
	key := s.CredentialKey()
	must(t, s.Close())

	r, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !bytes.Equal(r.CredentialKey(), key) {
		t.Error("the credential key changed on reopening: the role credentials issued before are lost")
	}
	gotC, err1 := r.GetClient("c1")
	gotD, err2 := r.GetDeviceAuthByUserCode("ABCD-EFGH")
	gotS, err3 := r.GetSession("s1")
	gotAT, err4 := r.GetAccessToken("at")
	gotRT, err5 := r.GetRefreshToken("rt")
	gotRC, err6 := r.GetRoleCredential("ASIA1")
	kept, err7 := r.GetAuthCode("kept")
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
	if kept.Used {
		t.Error("an unused code reads as used after reopening")
	}
	if got, err := r.GetAuthCode("taken"); err != nil || !got.Used || got.SessionID != "s1" {
		t.Errorf("a code claimed before closing: %+v, %v; want it used by s1", got, err)
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

// TestBoltPanicReleases: a panic inside a write transaction (here from an
// update function; in production from a damaged page) is an error of that
// call, and the store is not wedged: every later write completes.
func TestBoltPanicReleases(t *testing.T) {
	t.Parallel()
	s := openBolt(t)
	must(t, s.CreateRefreshToken(RefreshToken{Token: "rt", SessionID: "s"}))
	_, err := s.UpdateRefreshToken("rt", func(RefreshToken) (RefreshToken, error) { panic("boom") })
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), s.Path()) {
		t.Errorf("update that panicked: %v, want an error wrapping ErrDamaged naming the file", err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if err := s.CreateSession(Session{ID: fmt.Sprint("s", i)}); err != nil {
				t.Errorf("write after the panic: %v", err)
			}
		})
	}
	wg.Wait()
	if _, err := s.UpdateRefreshToken("rt", func(t RefreshToken) (RefreshToken, error) { t.Used = true; return t, nil }); err != nil {
		t.Errorf("update after the panic: %v", err)
	}
}

// TestBoltDamagedFile damages one page header at a time (the damage the
// adversarial run made: one flipped byte of the page id) of a file with a
// few hundred records. OpenBolt either refuses the file with an error that
// names it and the fix, or opens it; then every operation returns, with an
// error or without, and a write still completes afterwards: nothing panics
// and nothing hangs.
func TestBoltDamagedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := OpenBolt(good)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		id := fmt.Sprintf("%04d", i)
		must(t, s.CreateSession(Session{ID: "s" + id, User: strings.Repeat("u", 100), ExpiresAt: t0.Add(time.Hour)}))
		must(t, s.CreateAccessToken(AccessToken{Token: "a" + id, SessionID: "s" + id, ExpiresAt: t0.Add(time.Hour)}))
		must(t, s.CreateRefreshToken(RefreshToken{Token: "r" + id, SessionID: "s" + id}))
	}
	pageSize := s.db.Info().PageSize
	must(t, s.Close())
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(raw) / pageSize
	if pages < 10 {
		t.Fatalf("the file has %d pages, want a few more to damage", pages)
	}
	refused := 0
	for pg := 2; pg < pages; pg++ { // pages 0 and 1 are the checksummed meta pages
		path := filepath.Join(dir, fmt.Sprintf("page%d.db", pg))
		bad := bytes.Clone(raw)
		bad[pg*pageSize] ^= 1
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenBolt(path)
		if err != nil {
			refused++
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move the file away") {
				t.Errorf("page %d damaged: OpenBolt: %v, want ErrDamaged naming the file and the fix", pg, err)
			}
			continue
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			ops := []func() error{
				func() error { _, err := s.GetSession("s0100"); return err },
				func() error { _, err := s.GetAccessToken("a0299"); return err },
				func() error { return s.CreateSession(Session{ID: "new"}) },
				func() error { return s.RevokeSession("s0000") },
				func() error {
					_, err := s.UpdateRefreshToken("r0150", func(t RefreshToken) (RefreshToken, error) { t.Used = true; return t, nil })
					return err
				},
				func() error { _, err := s.GarbageCollect(t0.Add(2 * time.Hour)); return err },
			}
			for _, op := range ops {
				_ = op() // may fail: the file is damaged
			}
			_ = s.CreateClient(Client{ID: "after"}) // returns, whatever it says
			_ = s.Close()
		}()
		select {
		case <-done:
		case <-time.After(time.Minute): // a bound for a hang, not a timing margin
			t.Fatalf("page %d damaged: the store hung", pg)
		}
	}
	t.Logf("%d of %d damaged pages refused at open", refused, pages-2)
}

// TestBoltSurvivesKill: what a write returned is in the file even when the
// process is killed right after (SIGKILL, no Close): the store writes with
// NoSync, so the data sits in the kernel's page cache, which outlives the
// process.
func TestBoltSurvivesKill(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	const n = 50
	if os.Getenv("BOLT_KILL_CHILD") != "" {
		return // the child process runs only TestBoltKillChild
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBoltKillChild$")
	cmd.Env = append(os.Environ(), "BOLT_KILL_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "written\n" {
		_ = cmd.Process.Kill()
		t.Fatalf("child: %q, %v", line, err)
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	for i := range n {
		if _, err := s.GetSession(fmt.Sprint("s", i)); err != nil {
			t.Errorf("session %d written before the kill: %v", i, err)
		}
	}
}

// TestBoltKillChild is the process TestBoltSurvivesKill kills: it writes,
// says so and waits to be killed.
func TestBoltKillChild(t *testing.T) {
	path := os.Getenv("BOLT_KILL_CHILD")
	if path == "" {
		return // a helper process: only TestBoltSurvivesKill starts it
	}
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		must(t, s.CreateSession(Session{ID: fmt.Sprint("s", i)}))
	}
	fmt.Println("written")
	select {}
}
