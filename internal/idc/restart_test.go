package idc_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// TestRestartKeepsState logs in with the SDK clients against a server that
// keeps its state in a data directory, stops it, starts another on the same
// directory and checks that what the first issued is honoured, and what it
// revoked stays revoked.
func TestRestartKeepsState(t *testing.T) {
	t.Parallel()
	clk := newClock()
	dir := t.TempDir()
	opts := []idctest.Option{idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now), idctest.WithDataDir(dir), idctest.WithPersistentState()}
	ctx := t.Context()
	scopes := []string{"sso:account:access"}
	roleInput := func(at *string) *sso.GetRoleCredentialsInput {
		return &sso.GetRoleCredentialsInput{AccessToken: at, AccountId: aws.String(directory.DemoDevAccount), RoleName: aws.String("ReadOnly")}
	}
	stsCreds := func(rc *ssotypes.RoleCredentials) aws.Credentials {
		return aws.Credentials{AccessKeyID: aws.ToString(rc.AccessKeyId), SecretAccessKey: aws.ToString(rc.SecretAccessKey), SessionToken: aws.ToString(rc.SessionToken)}
	}

	// Before the restart: session A logs in, gets role credentials, uses
	// them and refreshes once (so its first refresh token is rotated out);
	// session B logs in, gets role credentials and logs out.
	first := idctest.NewServer(t, opts...)
	c1 := newClients(first)
	reg, tokA := login(t, c1, clk, scopes)
	rcA, err := c1.sso.GetRoleCredentials(ctx, roleInput(tokA.AccessToken))
	if err != nil {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	idA, err := c1.sts(stsCreds(rcA.RoleCredentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	refresh := func(c clients, rt *string) (*ssooidc.CreateTokenOutput, error) {
		return c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("refresh_token"), RefreshToken: rt})
	}
	tokA2, err := refresh(c1, tokA.RefreshToken)
	if err != nil {
		t.Fatalf("refresh before the restart: %v", err)
	}
	_, tokB := login(t, c1, clk, scopes)
	rcB, err := c1.sso.GetRoleCredentials(ctx, roleInput(tokB.AccessToken))
	if err != nil {
		t.Fatalf("GetRoleCredentials for session B: %v", err)
	}
	if _, err := c1.sso.Logout(ctx, &sso.LogoutInput{AccessToken: tokB.AccessToken}); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("close the first server: %v", err)
	}

	second := idctest.NewServer(t, opts...)
	c2 := newClients(second)
	if first.URL == second.URL {
		t.Fatalf("both servers at %s: the test would not tell them apart", first.URL)
	}

	t.Run("access token gets role credentials", func(t *testing.T) {
		for name, at := range map[string]*string{"first": tokA.AccessToken, "refreshed": tokA2.AccessToken} {
			if _, err := c2.sso.GetRoleCredentials(ctx, roleInput(at)); err != nil {
				t.Errorf("GetRoleCredentials with the %s access token: %v", name, err)
			}
		}
	})
	t.Run("old role credentials pass STS", func(t *testing.T) {
		got, err := c2.sts(stsCreds(rcA.RoleCredentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		if diff := cmp.Diff(aws.ToString(idA.Arn), aws.ToString(got.Arn)); diff != "" {
			t.Errorf("caller ARN (-before +after):\n%s", diff)
		}
	})
	t.Run("registration still starts a login", func(t *testing.T) {
		_, err := c2.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(second.StartURL)})
		if err != nil {
			t.Errorf("StartDeviceAuthorization with the old registration: %v", err)
		}
	})
	t.Run("logged-out session stays revoked", func(t *testing.T) {
		_, err := c2.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tokB.AccessToken})
		_, rerr := refresh(c2, tokB.RefreshToken)
		_, serr := c2.sts(stsCreds(rcB.RoleCredentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		got := []string{errCode(err), errCode(rerr), errCode(serr)}
		want := []string{"UnauthorizedException", "InvalidGrantException", "InvalidClientTokenId"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("access token, refresh token, role credentials (-want +got):\n%s", diff)
		}
	})
	// Last, because reuse detection ends session A.
	t.Run("refresh rotates and detects reuse", func(t *testing.T) {
		tokA3, err := refresh(c2, tokA2.RefreshToken)
		if err != nil {
			t.Fatalf("refresh with the refresh token from before the restart: %v", err)
		}
		if aws.ToString(tokA3.RefreshToken) == "" || aws.ToString(tokA3.RefreshToken) == aws.ToString(tokA2.RefreshToken) {
			t.Error("refresh after the restart did not rotate the refresh token")
		}
		if _, err := c2.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tokA3.AccessToken}); err != nil {
			t.Fatalf("ListAccounts with the refreshed token: %v", err)
		}
		// tokA's refresh token was rotated out before the restart.
		_, rerr := refresh(c2, tokA.RefreshToken)
		_, lerr := c2.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tokA3.AccessToken})
		_, serr := c2.sts(stsCreds(rcA.RoleCredentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		got := []string{errCode(rerr), errCode(lerr), errCode(serr)}
		want := []string{"InvalidGrantException", "UnauthorizedException", "InvalidClientTokenId"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("reused refresh token, newest access token, old role credentials (-want +got):\n%s", diff)
		}
	})
}

// TestStateFileLocked checks that a second server on a data directory whose
// state file is open in another gives an error that names the fix, and
// starts once the first has closed.
func TestStateFileLocked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := idctest.NewServer(t, idctest.WithDataDir(dir), idctest.WithPersistentState())
	_, err := idc.New(idc.Config{DataDir: dir, PersistState: true})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second server on %s: %v, want store.ErrLocked", dir, err)
	}
	for _, want := range []string{filepath.Join(dir, idc.StateFile), "--data-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	srv, err := idc.New(idc.Config{DataDir: dir, PersistState: true})
	if err != nil {
		t.Fatalf("server after the first closed: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Error(err)
	}
}

// TestPersistStateConfig checks the combinations New refuses.
func TestPersistStateConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]idc.Config{
		"without a data directory": {PersistState: true},
		"with a store as well":     {PersistState: true, DataDir: t.TempDir(), Store: store.NewMemory()},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if srv, err := idc.New(cfg); err == nil {
				srv.Close()
				t.Error("New succeeded, want an error")
			}
		})
	}
}

// TestListenAndServeClosesState checks that when ListenAndServe ends it has
// released the state file, so the next server starts on the same directory.
func TestListenAndServeClosesState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := idc.New(idc.Config{DataDir: dir, PersistState: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(string) { cancel() }) }()
	if err := <-served; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
	next, err := idc.New(idc.Config{DataDir: dir, PersistState: true})
	if err != nil {
		t.Fatalf("server after ListenAndServe ended: %v", err)
	}
	if err := next.Close(); err != nil {
		t.Error(err)
	}
}
