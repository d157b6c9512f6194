package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// assumedConformance is the part of the conformance suite for AssumedRoles.
func assumedConformance(t *testing.T, newStore func(t *testing.T) Store) {
	t.Parallel()
	s := newStore(t)
	c := AssumedRoleCredential{AccessKeyID: "ASIAA", SecretAccessKey: "s", SessionToken: "t", Expiration: t0.Add(time.Hour),
		AccountID: "444455556666", RoleName: "Deployer", RoleID: "AROAX", SessionName: "alice", SessionID: "sess", MFA: true}
	must(t, s.CreateAssumedRoleCredential(c))
	if err := s.CreateAssumedRoleCredential(c); !errors.Is(err, ErrExists) {
		t.Errorf("second CreateAssumedRoleCredential = %v, want ErrExists", err)
	}
	got, err := s.GetAssumedRoleCredential("ASIAA")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("GetAssumedRoleCredential (-want +got):\n%s", diff)
	}
	if _, err := s.GetAssumedRoleCredential("ASIAB"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetAssumedRoleCredential(unknown) = %v, want ErrNotFound", err)
	}
	// An assumed-role credential is not a portal role credential.
	if _, err := s.GetRoleCredential("ASIAA"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRoleCredential(assumed key) = %v, want ErrNotFound", err)
	}

	must(t, s.UseOnce("mfa/1", t0.Add(time.Minute)))
	if err := s.UseOnce("mfa/1", t0.Add(time.Minute)); !errors.Is(err, ErrExists) {
		t.Errorf("second UseOnce = %v, want ErrExists", err)
	}
	must(t, s.UseOnce("mfa/2", t0.Add(2*time.Hour)))

	must(t, s.CreateAssumedRoleCredential(AssumedRoleCredential{AccessKeyID: "ASIAC", Expiration: t0.Add(3 * time.Hour)}))
	n, err := s.GarbageCollect(t0.Add(90 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("GarbageCollect removed %d records, want 2 (one credential, one once-key)", n)
	}
	if _, err := s.GetAssumedRoleCredential("ASIAA"); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired credential after GarbageCollect: %v, want ErrNotFound", err)
	}
	if _, err := s.GetAssumedRoleCredential("ASIAC"); err != nil {
		t.Errorf("live credential after GarbageCollect: %v", err)
	}
	must(t, s.UseOnce("mfa/1", t0.Add(2*time.Hour))) // forgotten, so usable again
	if err := s.UseOnce("mfa/2", t0.Add(2*time.Hour)); !errors.Is(err, ErrExists) {
		t.Errorf("UseOnce of a kept key = %v, want ErrExists", err)
	}
}
