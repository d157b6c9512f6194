package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// conformance runs the behaviour every Store must show. newStore returns a
// fresh, empty store for each subtest.
func conformance(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("clients", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := Client{ID: "c1", Secret: "s", Name: "n", Type: "public", Scopes: []string{"sso:account:access"},
			GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"http://127.0.0.1/cb"}, IssuerURL: "https://x",
			IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateClient(c); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateClient(c); !errors.Is(err, ErrExists) {
			t.Errorf("second CreateClient = %v, want ErrExists", err)
		}
		got, err := s.GetClient("c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("GetClient (-want +got):\n%s", diff)
		}
		got.Scopes[0] = "changed"
		again, _ := s.GetClient("c1")
		if again.Scopes[0] != "sso:account:access" {
			t.Error("changing a returned client changed the stored one")
		}
		if _, err := s.GetClient("nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetClient(unknown) = %v, want ErrNotFound", err)
		}
	})

	t.Run("device authorizations", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		d := DeviceAuth{DeviceCode: "dc", UserCode: "ABCD-EFGH", ClientID: "c1", StartURL: "https://s", Scopes: []string{"a"},
			CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute), Interval: time.Second}
		if err := s.CreateDeviceAuth(d); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDeviceAuth(DeviceAuth{DeviceCode: "dc2", UserCode: "ABCD-EFGH"}); !errors.Is(err, ErrExists) {
			t.Errorf("CreateDeviceAuth with a taken user code = %v, want ErrExists", err)
		}
		got, err := s.GetDeviceAuthByUserCode("ABCD-EFGH")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, got); diff != "" {
			t.Errorf("GetDeviceAuthByUserCode (-want +got):\n%s", diff)
		}
		boom := errors.New("boom")
		if _, err := s.UpdateDeviceAuth("dc", func(d DeviceAuth) (DeviceAuth, error) {
			d.Status = DeviceApproved
			return d, boom
		}); !errors.Is(err, boom) {
			t.Errorf("UpdateDeviceAuth = %v, want the function's error", err)
		}
		if got, _ := s.GetDeviceAuth("dc"); got.Status != DevicePending {
			t.Error("a failed update was stored")
		}
		upd, err := s.UpdateDeviceAuth("dc", func(d DeviceAuth) (DeviceAuth, error) {
			d.Status, d.User, d.LastPoll = DeviceApproved, "alice", t0.Add(time.Second)
			d.DeviceCode = "moved"
			return d, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := d
		want.Status, want.User, want.LastPoll = DeviceApproved, "alice", t0.Add(time.Second)
		if diff := cmp.Diff(want, upd); diff != "" {
			t.Errorf("UpdateDeviceAuth result (-want +got):\n%s", diff)
		}
		if got, _ := s.GetDeviceAuth("dc"); !cmp.Equal(want, got) {
			t.Errorf("after update GetDeviceAuth = %+v", got)
		}
		if _, err := s.UpdateDeviceAuth("nope", func(d DeviceAuth) (DeviceAuth, error) { return d, nil }); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateDeviceAuth(unknown) = %v, want ErrNotFound", err)
		}
	})

	t.Run("device code exchanged once under concurrency", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if err := s.CreateDeviceAuth(DeviceAuth{DeviceCode: "dc", UserCode: "AAAA-BBBB", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		used := errors.New("used")
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Go(func() {
				_, err := s.UpdateDeviceAuth("dc", func(d DeviceAuth) (DeviceAuth, error) {
					if d.Exchanged {
						return d, used
					}
					d.Exchanged = true
					return d, nil
				})
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d exchanges succeeded, want 1", wins)
		}
	})

	t.Run("authorization codes are claimed once", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := AuthCode{Code: "code", ClientID: "c", RedirectURI: "http://127.0.0.1:9/cb", CodeChallenge: "x", CodeChallengeMethod: "S256",
			Scopes: []string{"sso:account:access"}, User: "alice", ExpiresAt: t0.Add(5 * time.Minute)}
		if err := s.CreateAuthCode(c); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetAuthCode("code")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("GetAuthCode (-want +got):\n%s", diff)
		}
		// Eight redemptions at once: exactly one claims the code.
		errUsed := errors.New("used")
		var wg sync.WaitGroup
		var claimed atomic.Int32
		for i := range 8 {
			wg.Go(func() {
				_, err := s.UpdateAuthCode("code", func(c AuthCode) (AuthCode, error) {
					if c.Used {
						return c, errUsed
					}
					c.Used, c.SessionID, c.Code = true, fmt.Sprint("s", i), "moved"
					return c, nil
				})
				if err == nil {
					claimed.Add(1)
				} else if !errors.Is(err, errUsed) {
					t.Errorf("UpdateAuthCode: %v", err)
				}
			})
		}
		wg.Wait()
		if n := claimed.Load(); n != 1 {
			t.Errorf("%d redemptions claimed the code, want 1", n)
		}
		if got, err := s.GetAuthCode("code"); err != nil || !got.Used || got.SessionID == "" || got.Code != "code" {
			t.Errorf("after the claim: %+v, %v; want it used, with a session, under its own key", got, err)
		}
		if _, err := s.UpdateAuthCode("nope", func(c AuthCode) (AuthCode, error) { return c, nil }); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateAuthCode of an unknown code = %v, want ErrNotFound", err)
		}
	})

	t.Run("sessions, tokens and credentials", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		x := Session{ID: "s1", ClientID: "c", User: "alice", Scopes: []string{"sso:account:access"}, CreatedAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}
		at := AccessToken{Token: "at", SessionID: "s1", ExpiresAt: t0.Add(time.Hour)}
		rt := RefreshToken{Token: "rt", SessionID: "s1", ClientID: "c"}
		rc := RoleCredential{AccessKeyID: "ASIA1", SecretAccessKey: "k", SessionToken: "st", Expiration: t0.Add(time.Hour),
			AccountID: "111122223333", PermissionSet: "ReadOnly", RoleName: "AWSReservedSSO_ReadOnly_0123456789abcdef",
			RoleID: "AROAX", UserName: "alice", SessionID: "s1", AccessToken: "at"}
		for _, err := range []error{s.CreateSession(x), s.CreateAccessToken(at), s.CreateRefreshToken(rt), s.CreateRoleCredential(rc)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateAccessToken(at); !errors.Is(err, ErrExists) {
			t.Errorf("second CreateAccessToken = %v, want ErrExists", err)
		}
		gotAT, _ := s.GetAccessToken("at")
		gotRT, _ := s.GetRefreshToken("rt")
		gotRC, _ := s.GetRoleCredential("ASIA1")
		gotS, _ := s.GetSession("s1")
		if diff := cmp.Diff([]any{x, at, rt, rc}, []any{gotS, gotAT, gotRT, gotRC}); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		if err := s.RevokeSession("s1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetSession("s1"); !got.Revoked {
			t.Error("session not revoked")
		}
		if err := s.RevokeSession("nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("RevokeSession(unknown) = %v, want ErrNotFound", err)
		}
		upd, err := s.UpdateRefreshToken("rt", func(r RefreshToken) (RefreshToken, error) { r.Used = true; return r, nil })
		if err != nil || !upd.Used {
			t.Errorf("UpdateRefreshToken = %+v, %v", upd, err)
		}
		if got, _ := s.GetRefreshToken("rt"); !got.Used {
			t.Error("refresh token update not stored")
		}
	})

	t.Run("session update", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		x := Session{ID: "s1", ClientID: "c", User: "alice", Scopes: []string{"sso:account:access"}, CreatedAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}
		must(t, s.CreateSession(x))
		want := x
		want.RefreshGen, want.RotatedAt, want.NextAccessToken, want.NextRefreshToken, want.NextExpiresAt = 1, t0.Add(time.Minute), "at2", "rt2", t0.Add(time.Hour)
		got, err := s.UpdateSession("s1", func(x Session) (Session, error) {
			x.ID = "moved" // the key is fixed
			x.RefreshGen, x.RotatedAt, x.NextAccessToken, x.NextRefreshToken, x.NextExpiresAt = 1, t0.Add(time.Minute), "at2", "rt2", t0.Add(time.Hour)
			x.Scopes[0] = "changed by fn's copy"
			x.Scopes = []string{"sso:account:access"}
			return x, nil
		})
		must(t, err)
		stored, err := s.GetSession("s1")
		must(t, err)
		if diff := cmp.Diff([]Session{want, want}, []Session{got, stored}); diff != "" {
			t.Errorf("UpdateSession returned, stored (-want +got):\n%s", diff)
		}
		refused := errors.New("refused")
		cur, err := s.UpdateSession("s1", func(x Session) (Session, error) { x.RefreshGen = 9; return x, refused })
		if !errors.Is(err, refused) || cur.RefreshGen != 1 {
			t.Errorf("failed update = %+v, %v; want the current record and fn's error", cur, err)
		}
		if got, _ := s.GetSession("s1"); got.RefreshGen != 1 {
			t.Errorf("a failed update was stored: generation %d", got.RefreshGen)
		}
		if _, err := s.UpdateSession("nope", func(x Session) (Session, error) { return x, nil }); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateSession(unknown) = %v, want ErrNotFound", err)
		}
	})

	t.Run("session updates are serialised", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		must(t, s.CreateSession(Session{ID: "s1", ExpiresAt: t0.Add(time.Hour)}))
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := s.UpdateSession("s1", func(x Session) (Session, error) { x.RefreshGen++; return x, nil }); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got, _ := s.GetSession("s1"); got.RefreshGen != 20 {
			t.Errorf("20 concurrent increments left generation %d", got.RefreshGen)
		}
	})

	t.Run("refresh rotation is all or nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		must(t, s.CreateRefreshToken(RefreshToken{Token: "rt", SessionID: "s1", ClientID: "c"}))
		at := AccessToken{Token: "at2", SessionID: "s1", ExpiresAt: t0.Add(time.Hour)}
		next := RefreshToken{Token: "rt2", SessionID: "s1", ClientID: "c"}
		used := func(r RefreshToken) (RefreshToken, error) {
			r.Used, r.NextRefreshToken, r.Token = true, "rt2", "moved"
			return r, nil
		}
		boom := errors.New("boom")
		cur, err := s.RotateRefreshToken("rt", at, next, func(r RefreshToken) (RefreshToken, error) { return r, boom })
		if !errors.Is(err, boom) || cur.Token != "rt" || cur.Used {
			t.Errorf("RotateRefreshToken with a failing fn = %+v, %v; want the current record and boom", cur, err)
		}
		if _, err := s.RotateRefreshToken("nope", at, next, used); !errors.Is(err, ErrNotFound) {
			t.Errorf("RotateRefreshToken(unknown) = %v, want ErrNotFound", err)
		}
		for _, get := range []func() error{
			func() error { _, err := s.GetAccessToken("at2"); return err },
			func() error { _, err := s.GetRefreshToken("rt2"); return err },
		} {
			if err := get(); !errors.Is(err, ErrNotFound) {
				t.Errorf("a failed rotation left a new token behind (%v)", err)
			}
		}
		got, err := s.RotateRefreshToken("rt", at, next, used)
		if err != nil || !got.Used || got.Token != "rt" || got.NextRefreshToken != "rt2" {
			t.Fatalf("RotateRefreshToken = %+v, %v", got, err)
		}
		if old, _ := s.GetRefreshToken("rt"); !old.Used || old.Token != "rt" {
			t.Errorf("rotated token stored as %+v", old)
		}
		gotAT, _ := s.GetAccessToken("at2")
		gotRT, _ := s.GetRefreshToken("rt2")
		if diff := cmp.Diff([]any{at, next}, []any{gotAT, gotRT}); diff != "" {
			t.Errorf("new tokens (-want +got):\n%s", diff)
		}
		// The keys are taken now: a second rotation into them writes nothing.
		must(t, s.CreateRefreshToken(RefreshToken{Token: "rt3", SessionID: "s1"}))
		if _, err := s.RotateRefreshToken("rt3", at, RefreshToken{Token: "rt4"}, used); !errors.Is(err, ErrExists) {
			t.Errorf("rotation into a taken access token = %v, want ErrExists", err)
		}
		if r, _ := s.GetRefreshToken("rt3"); r.Used {
			t.Error("a rotation that failed on a taken key marked the old token used")
		}
		if _, err := s.GetRefreshToken("rt4"); !errors.Is(err, ErrNotFound) {
			t.Error("a rotation that failed on a taken key created its refresh token")
		}
	})

	t.Run("garbage collection", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i, exp := range []time.Duration{time.Minute, time.Hour} {
			id := fmt.Sprint(i)
			must(t, s.CreateSession(Session{ID: "s" + id, ExpiresAt: t0.Add(exp)}))
			must(t, s.CreateAccessToken(AccessToken{Token: "at" + id, SessionID: "s" + id, ExpiresAt: t0.Add(exp)}))
			must(t, s.CreateRefreshToken(RefreshToken{Token: "rt" + id, SessionID: "s" + id}))
			must(t, s.CreateRoleCredential(RoleCredential{AccessKeyID: "ASIA" + id, Expiration: t0.Add(exp)}))
			must(t, s.CreateDeviceAuth(DeviceAuth{DeviceCode: "dc" + id, UserCode: "U" + id, ExpiresAt: t0.Add(exp)}))
			must(t, s.CreateAuthCode(AuthCode{Code: "code" + id, ExpiresAt: t0.Add(exp)}))
		}
		n, err := s.GarbageCollect(t0.Add(30 * time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if n != 6 {
			t.Errorf("GarbageCollect removed %d records, want 6", n)
		}
		var gone, kept []string
		check := func(name string, err error) {
			if errors.Is(err, ErrNotFound) {
				gone = append(gone, name)
			} else if err == nil {
				kept = append(kept, name)
			} else {
				t.Errorf("%s: %v", name, err)
			}
		}
		for _, id := range []string{"0", "1"} {
			_, err := s.GetSession("s" + id)
			check("s"+id, err)
			_, err = s.GetAccessToken("at" + id)
			check("at"+id, err)
			_, err = s.GetRefreshToken("rt" + id)
			check("rt"+id, err)
			_, err = s.GetRoleCredential("ASIA" + id)
			check("ASIA"+id, err)
			_, err = s.GetDeviceAuthByUserCode("U" + id)
			check("U"+id, err)
			_, err = s.GetAuthCode("code" + id)
			check("code"+id, err)
		}
		if diff := cmp.Diff([]string{"s0", "at0", "rt0", "ASIA0", "U0", "code0"}, gone); diff != "" {
			t.Errorf("removed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"s1", "at1", "rt1", "ASIA1", "U1", "code1"}, kept); diff != "" {
			t.Errorf("kept (-want +got):\n%s", diff)
		}
	})

	t.Run("assumed roles", func(t *testing.T) { assumedConformance(t, newStore) })

	t.Run("credential key", func(t *testing.T) {
		s, other := newStore(t), newStore(t)
		k := s.CredentialKey()
		if len(k) != credentialKeySize || bytes.Equal(k, make([]byte, credentialKeySize)) {
			t.Fatalf("key of %d bytes, or all zero", len(k))
		}
		k[0] ^= 1 // a copy: changing it changes nothing kept
		if k2 := s.CredentialKey(); k2[0] == k[0] {
			t.Error("the key changed with the caller's copy")
		}
		if bytes.Equal(s.CredentialKey(), other.CredentialKey()) {
			t.Error("two stores have the same key")
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	conformance(t, func(t *testing.T) Store { return NewMemory() })
}
