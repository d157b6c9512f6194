package idc_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestPKCESecurity refuses each attack on the authorization code flow
// (issue 3), with the real store behind the pages and the token endpoint.
func TestPKCESecurity(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"))
	c := newClients(ts)
	ctx := t.Context()
	register := func() *ssooidc.RegisterClientOutput {
		t.Helper()
		reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-s"), ClientType: aws.String("public"),
			GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{"http://127.0.0.1/oauth/callback"},
			IssuerUrl: aws.String(ts.StartURL), Scopes: []string{"sso:account:access"}})
		if err != nil {
			t.Fatal(err)
		}
		return reg
	}
	const verifier = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._~"
	const challenge = "7SjWf5Of9twuEYtSj6OLPS7Cghq5qnlkvYWqFFxRvWo"
	const redirect = "http://127.0.0.1:45325/oauth/callback"
	hc := ts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// authorize returns the redirect's query, or nil when the server answered
	// without a redirect (an error page).
	authorize := func(clientID, redirectURI, method, chal string) url.Values {
		t.Helper()
		q := "response_type=code&client_id=" + url.QueryEscape(clientID) + "&redirect_uri=" + url.QueryEscape(redirectURI) +
			"&state=st&code_challenge_method=" + method + "&scopes=sso%3Aaccount%3Aaccess&code_challenge=" + chal
		resp, err := hc.Get(ts.URL + "/authorize?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 3 {
			return nil
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return loc.Query()
	}
	exchange := func(reg *ssooidc.RegisterClientOutput, code, redirectURI, verifier string) error {
		_, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("authorization_code"), RedirectUri: aws.String(redirectURI), CodeVerifier: aws.String(verifier), Code: aws.String(code)})
		return err
	}
	a, b := register(), register()

	t.Run("redirect URI of another host gets no redirect", func(t *testing.T) {
		if q := authorize(*a.ClientId, "http://evil.example/oauth/callback", "S256", challenge); q != nil {
			t.Errorf("redirected to another host")
		}
	})
	t.Run("plain challenge is refused", func(t *testing.T) {
		if q := authorize(*a.ClientId, redirect, "plain", verifier); q != nil {
			t.Errorf("a plain challenge was accepted")
		}
	})
	t.Run("unknown client gets no redirect", func(t *testing.T) {
		if q := authorize("no-such-client", redirect, "S256", challenge); q != nil {
			t.Errorf("an unknown client was redirected")
		}
	})
	t.Run("loopback redirect matches whatever the port", func(t *testing.T) {
		q := authorize(*a.ClientId, "http://127.0.0.1:1234/oauth/callback", "S256", challenge)
		if q == nil || q.Get("code") == "" || q.Get("state") != "st" {
			t.Errorf("loopback redirect with another port was refused")
		}
	})

	var ig *oidctypes.InvalidGrantException
	wants := []struct {
		name string
		run  func(code string) error
		want any
	}{
		{"wrong verifier", func(code string) error { return exchange(a, code, redirect, strings.Repeat("x", 64)) }, &ig},
		{"code for another client", func(code string) error { return exchange(b, code, redirect, verifier) }, &ig},
		{"other redirect URI", func(code string) error { return exchange(a, code, "http://127.0.0.1:1/oauth/callback", verifier) }, &ig},
		{"wrong client secret", func(code string) error {
			bad := *a
			bad.ClientSecret = aws.String("not-the-secret")
			return exchange(&bad, code, redirect, verifier)
		}, new(*oidctypes.InvalidClientException)},
	}
	for _, tt := range wants {
		t.Run(tt.name, func(t *testing.T) {
			q := authorize(*a.ClientId, redirect, "S256", challenge)
			if q == nil {
				t.Fatal("authorize refused a valid request")
			}
			if err := tt.run(q.Get("code")); err == nil || !errors.As(err, tt.want) {
				t.Errorf("got %v, want %T", err, tt.want)
			}
		})
	}
	// exchangeToken is exchange that keeps the tokens.
	exchangeToken := func(reg *ssooidc.RegisterClientOutput, code string) (*ssooidc.CreateTokenOutput, error) {
		return c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("authorization_code"), RedirectUri: aws.String(redirect), CodeVerifier: aws.String(verifier), Code: aws.String(code)})
	}
	// revoked checks that the tokens of tok no longer work.
	revoked := func(t *testing.T, tok *ssooidc.CreateTokenOutput) {
		t.Helper()
		_, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
		if got := errCode(err); got != "UnauthorizedException" {
			t.Errorf("access token of the first use: %q, want UnauthorizedException", got)
		}
		_, err = c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: a.ClientId, ClientSecret: a.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
		if got := errCode(err); got != "InvalidGrantException" {
			t.Errorf("refresh token of the first use: %q, want InvalidGrantException", got)
		}
	}
	t.Run("reused code", func(t *testing.T) {
		q := authorize(*a.ClientId, redirect, "S256", challenge)
		tok, err := exchangeToken(a, q.Get("code"))
		if err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		if _, err := c.sso.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken}); err != nil {
			t.Fatalf("token of the first use: %v", err)
		}
		if err := exchange(a, q.Get("code"), redirect, verifier); !errors.As(err, &ig) {
			t.Errorf("second exchange: got %v, want InvalidGrantException", err)
		}
		// RFC 6749 §4.1.2: the tokens of the first use are revoked.
		revoked(t, tok)
	})
	t.Run("code redeemed at once by several", func(t *testing.T) {
		q := authorize(*a.ClientId, redirect, "S256", challenge)
		const n = 8
		toks, errs := make([]*ssooidc.CreateTokenOutput, n), make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { toks[i], errs[i] = exchangeToken(a, q.Get("code")) })
		}
		wg.Wait()
		for i, err := range errs {
			if err == nil {
				revoked(t, toks[i])
			} else if !errors.As(err, &ig) {
				t.Errorf("exchange %d: %v, want success or InvalidGrantException", i+1, err)
			}
		}
	})
	t.Run("a registration mixing device code and authorization code is refused", func(t *testing.T) {
		_, err := c.oidc.RegisterClient(context.Background(), &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public"),
			GrantTypes:   []string{"urn:ietf:params:oauth:grant-type:device_code", "authorization_code", "refresh_token"},
			RedirectUris: []string{"http://127.0.0.1/oauth/callback"}, IssuerUrl: aws.String(ts.StartURL)})
		var icm *oidctypes.InvalidClientMetadataException
		if !errors.As(err, &icm) {
			t.Errorf("got %v, want InvalidClientMetadataException", err)
		}
	})
}
