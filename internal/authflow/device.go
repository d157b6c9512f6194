package authflow

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

// DeviceCode is what the user needs to approve a device authorization.
type DeviceCode struct {
	VerificationURI         string
	VerificationURIComplete string
	UserCode                string
	ExpiresAt               time.Time
}

// DeviceFlow is the device authorization grant (RFC 8628).
type DeviceFlow struct {
	API      OIDC
	Client   Client
	StartURL string

	// DisplayCode is called once, when the first token request is still
	// pending: a pre-authorised client never shows a code (spec §2.2 step 3).
	DisplayCode func(DeviceCode) error
	// Waiting, if set, is called before each pause with the time left.
	Waiting func(left time.Duration)
	// Now defaults to time.Now. The pauses use the runtime's timers, which
	// testing/synctest fakes.
	Now func() time.Time
}

// Run starts the device authorization and polls for the token.
//
// Polling follows RFC 8628 §3.5 as the AWS CLI does: the interval the server
// gave (5 s when none), 5 s more after every slow_down, keep going on
// authorization_pending, stop on expired_token. Unlike the AWS CLI it also stops
// by itself when the code's lifetime has passed, so a server that never answers
// expired_token cannot keep it waiting forever.
func (f *DeviceFlow) Run(ctx context.Context) (*Token, error) {
	now := f.Now
	if now == nil {
		now = time.Now
	}
	start, err := f.API.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId:     &f.Client.ID,
		ClientSecret: &f.Client.Secret,
		StartUrl:     &f.StartURL,
	})
	if err != nil {
		return nil, err
	}
	if start.DeviceCode == nil || start.UserCode == nil {
		return nil, errors.New("start device authorization: the response has no device code")
	}
	interval := 5 * time.Second
	if start.Interval > 0 {
		interval = time.Duration(start.Interval) * time.Second
	}
	lifetime := 600 * time.Second
	if start.ExpiresIn > 0 {
		lifetime = time.Duration(start.ExpiresIn) * time.Second
	}
	deadline := now().Add(lifetime)
	code := DeviceCode{UserCode: *start.UserCode, ExpiresAt: deadline}
	if start.VerificationUri != nil {
		code.VerificationURI = *start.VerificationUri
	}
	if start.VerificationUriComplete != nil {
		code.VerificationURIComplete = *start.VerificationUriComplete
	}
	in := &ssooidc.CreateTokenInput{
		GrantType:    ptr(GrantDeviceCode),
		ClientId:     &f.Client.ID,
		ClientSecret: &f.Client.Secret,
		DeviceCode:   start.DeviceCode,
	}
	shown := false
	for {
		out, err := f.API.CreateToken(ctx, in)
		if err == nil {
			return tokenFrom(out)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch errorCode(err) {
		case "AuthorizationPendingException":
		case "SlowDownException":
			interval += 5 * time.Second
		case "ExpiredTokenException":
			return nil, ErrPendingExpired
		default:
			return nil, err
		}
		if !shown {
			shown = true
			if f.DisplayCode != nil {
				if err := f.DisplayCode(code); err != nil {
					return nil, err
				}
			}
			// The AWS CLI asks again at once after showing the code.
			continue
		}
		left := deadline.Sub(now())
		if left <= 0 {
			return nil, ErrPendingExpired
		}
		if f.Waiting != nil {
			f.Waiting(left)
		}
		if err := sleep(ctx, min(interval, left)); err != nil {
			return nil, err
		}
	}
}
