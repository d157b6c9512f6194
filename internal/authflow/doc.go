// Package authflow runs the two ways of getting an IAM Identity Center access token:
// the device authorization grant (RFC 8628) and the authorization code grant with
// PKCE (RFC 7636) through a loopback redirect (RFC 8252 §7.3).
//
// The flows never touch the terminal or the browser and never read or write cache
// files: they take the SSO OIDC API as a small interface and report through
// callbacks (show a code, open a URL, show the time left). They return
// typed errors (ErrPendingExpired, ErrAuthorizationFailed, *ListenError, and
// the API's own) and leave the wording and the exit code to the caller. Which client
// registration to use, and where the token goes, is decided by internal/creds.
//
// The wire behaviour follows the AWS CLI (spec/aws-cli-sso.md §2.2 and §2.3):
// the same request bodies, the same polling rules and the same authorize URL.
package authflow

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

// OIDC is the part of the SSO OIDC API the flows use; *ssooidc.Client satisfies it.
type OIDC interface {
	RegisterClient(ctx context.Context, in *ssooidc.RegisterClientInput, optFns ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error)
	StartDeviceAuthorization(ctx context.Context, in *ssooidc.StartDeviceAuthorizationInput, optFns ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error)
	CreateToken(ctx context.Context, in *ssooidc.CreateTokenInput, optFns ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error)
}

// Client is a registered OIDC client.
type Client struct {
	ID     string
	Secret string
}

// Token is what CreateToken returned.
type Token struct {
	AccessToken  string
	RefreshToken string // empty when the server gave none
	ExpiresIn    time.Duration
}

// Grant types, as RegisterClient and CreateToken spell them.
const (
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// DefaultScope is the scope the AWS CLI registers for PKCE when none is configured.
const DefaultScope = "sso:account:access"

// RegisterInput returns the RegisterClient request the AWS CLI sends (spec §2.2
// step 1 and §2.3): the device flow never sends grant types; PKCE sends the
// authorization code grant, the port-less loopback redirect, the issuer URL and
// the scopes (the default scope when none are configured).
func RegisterInput(clientName, issuerURL string, scopes []string, pkce bool) *ssooidc.RegisterClientInput {
	in := &ssooidc.RegisterClientInput{
		ClientName: &clientName,
		ClientType: ptr("public"),
	}
	if !pkce {
		if len(scopes) > 0 {
			in.Scopes = scopes
		}
		return in
	}
	if len(scopes) == 0 {
		scopes = []string{DefaultScope}
	}
	in.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
	in.RedirectUris = []string{"http://127.0.0.1/oauth/callback"}
	in.IssuerUrl = &issuerURL
	in.Scopes = scopes
	return in
}

// Refresh exchanges a refresh token for a new access token (spec §4 step 3).
func Refresh(ctx context.Context, api OIDC, c Client, refreshToken string) (*Token, error) {
	out, err := api.CreateToken(ctx, &ssooidc.CreateTokenInput{
		GrantType:    ptr(GrantRefreshToken),
		ClientId:     &c.ID,
		ClientSecret: &c.Secret,
		RefreshToken: &refreshToken,
	})
	if err != nil {
		return nil, err
	}
	return tokenFrom(out)
}

func tokenFrom(out *ssooidc.CreateTokenOutput) (*Token, error) {
	if out == nil || out.AccessToken == nil || *out.AccessToken == "" {
		return nil, errors.New("create token: the response has no access token")
	}
	t := &Token{AccessToken: *out.AccessToken, ExpiresIn: time.Duration(out.ExpiresIn) * time.Second}
	if out.RefreshToken != nil {
		t.RefreshToken = *out.RefreshToken
	}
	return t, nil
}

// ErrPendingExpired is returned when the authorization was not completed in
// time (the AWS CLI's PendingAuthorizationExpiredError). Like every error of
// this package it says what happened, not how to tell a person: the caller
// words it.
var ErrPendingExpired = errors.New("the pending authorization expired")

// errorCode returns the API error code of err ("AuthorizationPendingException"), or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
