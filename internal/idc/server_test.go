package idc_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/oidc"
)

// clients are the real SDK clients pointed at a test server.
type clients struct {
	oidc *ssooidc.Client
	sso  *sso.Client
	ts   *idctest.TestServer
}

func newClients(ts *idctest.TestServer) clients {
	cfg := aws.Config{
		Region:           ts.Region,
		HTTPClient:       ts.Client(),
		BaseEndpoint:     aws.String(ts.URL),
		RetryMaxAttempts: 1,
		Credentials:      aws.AnonymousCredentials{},
	}
	return clients{oidc: ssooidc.NewFromConfig(cfg), sso: sso.NewFromConfig(cfg), ts: ts}
}

func (c clients) sts(creds aws.Credentials) *sts.Client {
	return sts.New(sts.Options{
		Region:           c.ts.Region,
		HTTPClient:       c.ts.Client(),
		BaseEndpoint:     aws.String(c.ts.URL),
		RetryMaxAttempts: 1,
		Credentials:      credentials.StaticCredentialsProvider{Value: creds},
	})
}

// errCode returns the API error code of err, or its text when it is none.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return "not an API error: " + err.Error()
}

// login registers a device client and completes a device authorization with
// an auto-approving server, advancing clk past the approval delay.
func login(t *testing.T, c clients, clk *idctest.Clock, scopes []string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	ctx := t.Context()
	reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public"), Scopes: scopes})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	dev, err := c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(c.ts.StartURL)})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	clk.Advance(2 * time.Second)
	tok, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return reg, tok
}

func newClock() *idctest.Clock {
	// Near the real time: the SDK signs STS requests with its own clock,
	// and the server refuses signatures more than 15 minutes off.
	return idctest.NewClock(time.Now().Truncate(time.Second))
}

// TestDeviceFlowEndToEnd drives the whole device flow with the SDK clients:
// register, pending, slow down, approved, single use, accounts and roles
// across pages, role credentials, and a signed GetCallerIdentity.
func TestDeviceFlowEndToEnd(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
	c := newClients(ts)
	ctx := t.Context()

	reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-test"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := reg.ClientSecretExpiresAt, clk.Now().Add(90*24*time.Hour).Unix(); got != want {
		t.Errorf("clientSecretExpiresAt = %d, want %d (90 days)", got, want)
	}
	dev, err := c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ts.StartURL)})
	if err != nil {
		t.Fatal(err)
	}
	wantDev := []any{ts.URL + "/device", ts.URL + "/device?user_code=" + aws.ToString(dev.UserCode), int32(600), int32(1)}
	if diff := cmp.Diff(wantDev, []any{aws.ToString(dev.VerificationUri), aws.ToString(dev.VerificationUriComplete), dev.ExpiresIn, dev.Interval}); diff != "" {
		t.Errorf("device authorization (-want +got):\n%s", diff)
	}
	if code := aws.ToString(dev.UserCode); len(code) != 9 || code[4] != '-' || strings.ToUpper(code) != code {
		t.Errorf("user code %q is not like ABCD-EFGH", code)
	}

	poll := func() (*ssooidc.CreateTokenOutput, error) {
		return c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	}
	_, err = poll()
	var pending *oidctypes.AuthorizationPendingException
	if !errors.As(err, &pending) {
		t.Fatalf("first poll: got %v, want AuthorizationPendingException", err)
	}
	if aws.ToString(pending.Error_) != "authorization_pending" {
		t.Errorf("pending error = %q, want authorization_pending", aws.ToString(pending.Error_))
	}
	// The AWS CLI and ssocli ask again at once after showing the code:
	// still pending. A third poll at once is hammering.
	if _, err = poll(); !errors.As(err, &pending) {
		t.Fatalf("immediate second poll: got %v, want AuthorizationPendingException", err)
	}
	_, err = poll()
	var slow *oidctypes.SlowDownException
	if !errors.As(err, &slow) {
		t.Fatalf("immediate third poll: got %v, want SlowDownException", err)
	}
	clk.Advance(6 * time.Second)
	tok, err := poll()
	if err != nil {
		t.Fatalf("poll after approval: %v", err)
	}
	if aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn != 3600 || aws.ToString(tok.RefreshToken) == "" || aws.ToString(tok.AccessToken) == "" {
		t.Errorf("token: type %q, expiresIn %d, refresh token present %v; want Bearer, 3600, true",
			aws.ToString(tok.TokenType), tok.ExpiresIn, aws.ToString(tok.RefreshToken) != "")
	}
	_, err = poll()
	var invalidGrant *oidctypes.InvalidGrantException
	if !errors.As(err, &invalidGrant) {
		t.Errorf("reused device code: got %v, want InvalidGrantException", err)
	}

	// Accounts across pages of one.
	var accounts []string
	p := sso.NewListAccountsPaginator(c.sso, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		pages++
		for _, a := range out.AccountList {
			accounts = append(accounts, aws.ToString(a.AccountId)+" "+aws.ToString(a.AccountName)+" "+aws.ToString(a.EmailAddress))
		}
	}
	wantAccounts := []string{"111122223333 Development aws-dev@example.com", "444455556666 Production aws-prod@example.com", "777788889999 Sandbox aws-sandbox@example.com"}
	if diff := cmp.Diff(wantAccounts, accounts); diff != "" || pages != 3 {
		t.Errorf("ListAccounts in %d pages (-want +got):\n%s", pages, diff)
	}
	var roles []string
	rp := sso.NewListAccountRolesPaginator(c.sso, &sso.ListAccountRolesInput{AccessToken: tok.AccessToken, AccountId: aws.String(directory.DemoProdAccount), MaxResults: aws.Int32(1)})
	for rp.HasMorePages() {
		out, err := rp.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccountRoles: %v", err)
		}
		for _, r := range out.RoleList {
			roles = append(roles, aws.ToString(r.AccountId)+"/"+aws.ToString(r.RoleName))
		}
	}
	if diff := cmp.Diff([]string{"444455556666/AdministratorAccess", "444455556666/ReadOnly"}, roles); diff != "" {
		t.Errorf("ListAccountRoles (-want +got):\n%s", diff)
	}

	rc, err := c.sso.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(directory.DemoProdAccount), RoleName: aws.String("ReadOnly")})
	if err != nil {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	cr := rc.RoleCredentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || len(aws.ToString(cr.AccessKeyId)) != 20 {
		t.Errorf("access key id %q is not ASIA + 16 characters", aws.ToString(cr.AccessKeyId))
	}
	if got, want := cr.Expiration, clk.Now().Add(8*time.Hour).UnixMilli(); got != want {
		t.Errorf("expiration = %d, want %d (ReadOnly lasts 8h)", got, want)
	}
	creds := aws.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey), SessionToken: aws.ToString(cr.SessionToken)}
	id, err := c.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	dir := directory.Demo()
	want := []string{directory.DemoProdAccount,
		"arn:aws:sts::444455556666:assumed-role/" + dir.RoleName(directory.DemoProdAccount, "ReadOnly") + "/alice",
		dir.RoleID(directory.DemoProdAccount, "ReadOnly") + ":alice"}
	if diff := cmp.Diff(want, []string{aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId)}); diff != "" {
		t.Errorf("GetCallerIdentity (-want +got):\n%s", diff)
	}

	tampered := creds
	flip := map[bool]string{true: "y", false: "x"}[creds.SecretAccessKey[0] == 'x']
	tampered.SecretAccessKey = flip + creds.SecretAccessKey[1:]
	_, err = c.sts(tampered).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if got := errCode(err); got != "SignatureDoesNotMatch" {
		t.Errorf("GetCallerIdentity with a tampered signature: code %q, want SignatureDoesNotMatch", got)
	}

	counts := ts.Server.Counts()
	wantCounts := map[string]int{"RegisterClient": 1, "StartDeviceAuthorization": 1, "CreateToken/device_code": 5,
		"ListAccounts": 3, "ListAccountRoles": 2, "GetRoleCredentials": 1, "GetCallerIdentity": 2}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
}

// TestRefreshRotationAndReuse checks that refresh rotates the refresh token,
// and that reusing a rotated-out one revokes the whole session.
func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
	c := newClients(ts)
	ctx := t.Context()
	reg, tok := login(t, c, clk, []string{"sso:account:access"})
	rc, err := c.sso.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(directory.DemoDevAccount), RoleName: aws.String("ReadOnly")})
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(rt *string) (*ssooidc.CreateTokenOutput, error) {
		return c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("refresh_token"), RefreshToken: rt})
	}
	clk.Advance(time.Minute) // small: STS refuses signatures 15 min off its clock
	tok2, err := refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if aws.ToString(tok2.RefreshToken) == "" || aws.ToString(tok2.RefreshToken) == aws.ToString(tok.RefreshToken) || tok2.ExpiresIn != 3600 {
		t.Errorf("refresh did not rotate the refresh token or gave expiresIn %d", tok2.ExpiresIn)
	}
	if _, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok2.AccessToken}); err != nil {
		t.Fatalf("ListAccounts with the refreshed token: %v", err)
	}

	clk.Advance(oidc.DefaultRefreshGrace) // past the grace window for racing clients
	_, err = refresh(tok.RefreshToken)
	var ig *oidctypes.InvalidGrantException
	if !errors.As(err, &ig) {
		t.Fatalf("reused refresh token: got %v, want InvalidGrantException", err)
	}
	// The whole session is gone: both access tokens, the newest refresh
	// token and the role credentials.
	for name, at := range map[string]*string{"first": tok.AccessToken, "refreshed": tok2.AccessToken} {
		_, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: at})
		if got := errCode(err); got != "UnauthorizedException" {
			t.Errorf("ListAccounts with the %s access token after reuse: %q, want UnauthorizedException", name, got)
		}
	}
	if _, err := refresh(tok2.RefreshToken); !errors.As(err, &ig) {
		t.Errorf("newest refresh token after reuse: got %v, want InvalidGrantException", err)
	}
	cr := rc.RoleCredentials
	_, err = c.sts(aws.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey), SessionToken: aws.ToString(cr.SessionToken)}).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if got := errCode(err); got != "InvalidClientTokenId" {
		t.Errorf("GetCallerIdentity with revoked role credentials: %q, want InvalidClientTokenId", got)
	}
}

// TestConcurrentRefresh: SDK processes sharing one cache refresh with the
// same refresh token at once (they do not lock across processes). All get
// the same new tokens and the session lives on; the old token used again
// after the grace window is a replay and ends the session. With no grace
// window, the racing refreshes end it.
func TestConcurrentRefresh(t *testing.T) {
	t.Parallel()
	const n = 8
	// refreshAll refreshes with rt from n goroutines at once.
	refreshAll := func(c clients, reg *ssooidc.RegisterClientOutput, rt *string) ([]*ssooidc.CreateTokenOutput, []error) {
		outs, errs := make([]*ssooidc.CreateTokenOutput, n), make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				outs[i], errs[i] = c.oidc.CreateToken(t.Context(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
					GrantType: aws.String("refresh_token"), RefreshToken: rt})
			})
		}
		wg.Wait()
		return outs, errs
	}
	t.Run("grace window", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
		c := newClients(ts)
		reg, tok := login(t, c, clk, []string{"sso:account:access"})
		outs, errs := refreshAll(c, reg, tok.RefreshToken)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("refresh %d of %d: %v", i+1, n, err)
			}
			if got, want := aws.ToString(outs[i].RefreshToken), aws.ToString(outs[0].RefreshToken); got != want || aws.ToString(outs[i].AccessToken) != aws.ToString(outs[0].AccessToken) {
				t.Errorf("refresh %d got other tokens than refresh 1", i+1)
			}
		}
		if aws.ToString(outs[0].RefreshToken) == aws.ToString(tok.RefreshToken) {
			t.Fatal("the refresh token was not rotated")
		}
		if _, err := c.sso.ListAccounts(t.Context(), &sso.ListAccountsInput{AccessToken: outs[0].AccessToken}); err != nil {
			t.Fatalf("ListAccounts with the new token: %v", err)
		}

		clk.Advance(oidc.DefaultRefreshGrace)
		_, err := c.oidc.CreateToken(t.Context(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
		if got := errCode(err); got != "InvalidGrantException" {
			t.Fatalf("old refresh token after the grace window: %q, want InvalidGrantException", got)
		}
		_, err = c.sso.ListAccounts(t.Context(), &sso.ListAccountsInput{AccessToken: outs[0].AccessToken})
		if got := errCode(err); got != "UnauthorizedException" {
			t.Errorf("new access token after the replay: %q, want UnauthorizedException (session revoked)", got)
		}
	})
	t.Run("older token within the window", func(t *testing.T) {
		t.Parallel()
		// The window covers the token rotated out last only: one two
		// rotations old is a replay even a moment later.
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
		c := newClients(ts)
		reg, tok := login(t, c, clk, []string{"sso:account:access"})
		refresh := func(rt *string) (*ssooidc.CreateTokenOutput, error) {
			return c.oidc.CreateToken(t.Context(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
				GrantType: aws.String("refresh_token"), RefreshToken: rt})
		}
		tok2, err := refresh(tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		tok3, err := refresh(tok2.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := refresh(tok.RefreshToken); errCode(err) != "InvalidGrantException" {
			t.Errorf("token two rotations old: %v, want InvalidGrantException", err)
		}
		_, err = c.sso.ListAccounts(t.Context(), &sso.ListAccountsInput{AccessToken: tok3.AccessToken})
		if got := errCode(err); got != "UnauthorizedException" {
			t.Errorf("newest access token after the replay: %q, want UnauthorizedException", got)
		}
	})
	t.Run("strict", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now), idctest.WithRefreshGrace(-1))
		c := newClients(ts)
		reg, tok := login(t, c, clk, []string{"sso:account:access"})
		outs, errs := refreshAll(c, reg, tok.RefreshToken)
		refused := 0
		for _, err := range errs {
			if got := errCode(err); got == "InvalidGrantException" {
				refused++
			} else if got != "" {
				t.Errorf("refresh: %q, want success or InvalidGrantException", got)
			}
		}
		if refused != n-1 {
			t.Errorf("%d of %d refreshes refused, want %d", refused, n, n-1)
		}
		for _, out := range outs {
			if out == nil {
				continue
			}
			_, err := c.sso.ListAccounts(t.Context(), &sso.ListAccountsInput{AccessToken: out.AccessToken})
			if got := errCode(err); got != "UnauthorizedException" {
				t.Errorf("the one new token after the reuses: %q, want UnauthorizedException (session revoked)", got)
			}
		}
	})
}

// TestErrors checks the typed errors of the OIDC and portal APIs.
func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	t.Run("wrong client secret", func(t *testing.T) {
		t.Parallel()
		c := newClients(idctest.NewServer(t))
		reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: aws.String("wrong"), StartUrl: aws.String(c.ts.StartURL)})
		var ic *oidctypes.InvalidClientException
		if !errors.As(err, &ic) {
			t.Fatalf("got %v, want InvalidClientException", err)
		}
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", re.HTTPStatusCode())
		}
	})

	t.Run("unknown grant type", func(t *testing.T) {
		t.Parallel()
		c := newClients(idctest.NewServer(t))
		reg, _ := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
		_, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("password")})
		var ug *oidctypes.UnsupportedGrantTypeException
		if !errors.As(err, &ug) {
			t.Errorf("got %v, want UnsupportedGrantTypeException", err)
		}
	})

	t.Run("mixed grant types", func(t *testing.T) {
		t.Parallel()
		c := newClients(idctest.NewServer(t))
		_, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public"),
			GrantTypes:   []string{"urn:ietf:params:oauth:grant-type:device_code", "authorization_code"},
			RedirectUris: []string{"http://127.0.0.1/oauth/callback"}, IssuerUrl: aws.String(c.ts.StartURL)})
		var icm *oidctypes.InvalidClientMetadataException
		if !errors.As(err, &icm) {
			t.Errorf("got %v, want InvalidClientMetadataException", err)
		}
	})

	t.Run("legacy registration gets one 8-hour token", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("bob"), idctest.WithNow(clk.Now))
		_, tok := login(t, newClients(ts), clk, nil)
		if tok.ExpiresIn != 8*3600 || tok.RefreshToken != nil {
			t.Errorf("expiresIn %d, refresh token %v; want 28800 and none", tok.ExpiresIn, tok.RefreshToken != nil)
		}
	})

	t.Run("forbidden role and expired token", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("bob"), idctest.WithNow(clk.Now))
		c := newClients(ts)
		_, tok := login(t, c, clk, []string{"sso:account:access"})
		_, err := c.sso.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(directory.DemoProdAccount), RoleName: aws.String("AdministratorAccess")})
		if got := errCode(err); got != "ForbiddenException" {
			t.Errorf("bob as Production admin: %q, want ForbiddenException", got)
		}
		clk.Advance(time.Hour)
		_, err = c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
		var ue interface{ ErrorMessage() string }
		if got := errCode(err); got != "UnauthorizedException" {
			t.Errorf("expired token: %q, want UnauthorizedException", got)
		} else if errors.As(err, &ue) && ue.ErrorMessage() != "Session token not found or invalid" {
			t.Errorf("message %q", ue.ErrorMessage())
		}
	})

	t.Run("expired device code", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		c := newClients(idctest.NewServer(t, idctest.WithNow(clk.Now)))
		reg, _ := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
		dev, err := c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(c.ts.StartURL)})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Minute)
		_, err = c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
		var et *oidctypes.ExpiredTokenException
		if !errors.As(err, &et) {
			t.Errorf("got %v, want ExpiredTokenException", err)
		}
	})

	t.Run("logout revokes", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
		c := newClients(ts)
		reg, tok := login(t, c, clk, []string{"sso:account:access"})
		if _, err := c.sso.Logout(ctx, &sso.LogoutInput{AccessToken: tok.AccessToken}); err != nil {
			t.Fatal(err)
		}
		_, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
		if got := errCode(err); got != "UnauthorizedException" {
			t.Errorf("after logout: %q, want UnauthorizedException", got)
		}
		_, err = c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
		var ig *oidctypes.InvalidGrantException
		if !errors.As(err, &ig) {
			t.Errorf("refresh after logout: got %v, want InvalidGrantException", err)
		}
	})

	t.Run("missing account id", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
		c := newClients(ts)
		_, tok := login(t, c, clk, []string{"sso:account:access"})
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/assignment/roles", nil)
		req.Header.Set("x-amz-sso_bearer_token", aws.ToString(tok.AccessToken))
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := []any{resp.StatusCode, resp.Header.Get("x-amzn-ErrorType")}; !cmp.Equal(got, []any{400, "InvalidRequestException"}) {
			t.Errorf("got %v, want 400 InvalidRequestException", got)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now), idctest.WithRateLimit(2))
		c := newClients(ts)
		_, tok := login(t, c, clk, []string{"sso:account:access"})
		var codes []string
		for range 3 {
			_, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
			codes = append(codes, errCode(err))
		}
		clk.Advance(time.Second)
		_, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
		codes = append(codes, errCode(err))
		if diff := cmp.Diff([]string{"", "", "TooManyRequestsException", ""}, codes); diff != "" {
			t.Errorf("codes (-want +got):\n%s", diff)
		}
	})
}

// TestAuthorizationCodeFlow runs the PKCE flow: register, /authorize (granted
// at once by auto-approve), CreateToken with the code and verifier.
func TestAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
	c := newClients(ts)
	ctx := t.Context()
	reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-s"), ClientType: aws.String("public"),
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{"http://127.0.0.1/oauth/callback"},
		IssuerUrl: aws.String(ts.StartURL), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	const verifier = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._~"
	const challenge = "7SjWf5Of9twuEYtSj6OLPS7Cghq5qnlkvYWqFFxRvWo" // base64url(sha256(verifier))
	redirect := "http://127.0.0.1:45325/oauth/callback"
	authorize := ts.URL + "/authorize?response_type=code&client_id=" + url.QueryEscape(aws.ToString(reg.ClientId)) +
		"&redirect_uri=" + url.QueryEscape(redirect) + "&state=st&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=" + challenge
	hc := ts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 || !strings.HasPrefix(loc.String(), redirect) || loc.Query().Get("state") != "st" {
		t.Fatalf("GET /authorize: status %d, redirect to %s://%s%s, state %q", resp.StatusCode, loc.Scheme, loc.Host, loc.Path, loc.Query().Get("state"))
	}
	code := loc.Query().Get("code")
	exchange := func(verifier string) (*ssooidc.CreateTokenOutput, error) {
		return c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("authorization_code"),
			RedirectUri: aws.String(redirect), CodeVerifier: aws.String(verifier), Code: aws.String(code)})
	}
	tok, err := exchange(verifier)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tok.ExpiresIn != 3600 || aws.ToString(tok.RefreshToken) == "" {
		t.Errorf("expiresIn %d, refresh token present %v", tok.ExpiresIn, aws.ToString(tok.RefreshToken) != "")
	}
	var ig *oidctypes.InvalidGrantException
	if _, err := exchange(verifier); !errors.As(err, &ig) {
		t.Errorf("reused code: got %v, want InvalidGrantException", err)
	}
}

// TestDevicePolling: the polls of the AWS CLI and ssocli (one at once, one at
// once after showing the code, then one per interval) are never told to slow
// down; a client polling faster than the interval again and again is.
func TestDevicePolling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		gaps  []time.Duration // before each poll after the first
		codes []string        // the answer to each poll
	}{
		{name: "the AWS CLI's pattern", gaps: []time.Duration{0, time.Second, time.Second, time.Second},
			codes: []string{"AuthorizationPendingException", "AuthorizationPendingException", "AuthorizationPendingException", "AuthorizationPendingException", "AuthorizationPendingException"}},
		{name: "hammering", gaps: []time.Duration{0, 0, 100 * time.Millisecond, 500 * time.Millisecond},
			codes: []string{"AuthorizationPendingException", "AuthorizationPendingException", "SlowDownException", "SlowDownException", "SlowDownException"}},
		{name: "back on the interval after slow_down", gaps: []time.Duration{0, 0, 6 * time.Second, 0},
			codes: []string{"AuthorizationPendingException", "AuthorizationPendingException", "SlowDownException", "AuthorizationPendingException", "AuthorizationPendingException"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			c := newClients(idctest.NewServer(t, idctest.WithNow(clk.Now)))
			ctx := t.Context()
			reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
			if err != nil {
				t.Fatal(err)
			}
			dev, err := c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(c.ts.StartURL)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range len(tt.codes) {
				if i > 0 {
					clk.Advance(tt.gaps[i-1])
				}
				_, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
					GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
				got = append(got, errCode(err))
			}
			if diff := cmp.Diff(tt.codes, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApproveWhen: an auto-approved device authorization waits for the
// ApproveWhen hook.
func TestApproveWhen(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var ready atomic.Bool
	c := newClients(idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1), idctest.WithNow(clk.Now),
		idctest.WithApproveWhen(ready.Load)))
	ctx := t.Context()
	reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(c.ts.StartURL)})
	if err != nil {
		t.Fatal(err)
	}
	poll := func() string {
		clk.Advance(time.Second)
		_, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
		return errCode(err)
	}
	got := []string{poll(), poll()}
	ready.Store(true)
	got = append(got, poll())
	if diff := cmp.Diff([]string{"AuthorizationPendingException", "AuthorizationPendingException", ""}, got); diff != "" {
		t.Errorf("polls (-want +got):\n%s", diff)
	}
}
