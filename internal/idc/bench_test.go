package idc_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// BenchmarkGetRoleCredentials measures GetRoleCredentials calls through the
// server's handler (no network), from concurrent callers, with each store:
// every call reads the access token and the session and writes the issued
// credentials, which for bolt is a synced write transaction.
func BenchmarkGetRoleCredentials(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []idctest.Option
	}{
		{"memory", nil},
		{"bolt", []idctest.Option{idctest.WithPersistentState()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ts := idctest.NewServer(b, append([]idctest.Option{idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1)}, bc.opts...)...)
			token := benchLogin(b, newClients(ts))
			target := "/federation/credentials?" + url.Values{"account_id": {directory.DemoDevAccount}, "role_name": {"ReadOnly"}}.Encode()
			h := ts.Server.Handler()
			b.ReportAllocs()
			// Many callers at once, like a storm of processes (or a CI
			// fleet) behind one server.
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+target, nil)
					r.Header.Set("x-amz-sso_bearer_token", token)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Errorf("GetRoleCredentials: status %d", w.Code)
						return
					}
				}
			})
		})
	}
}

// benchLogin registers a client and completes a device authorization that
// the server approves at once, returning the access token.
func benchLogin(b *testing.B, c clients) string {
	b.Helper()
	ctx := b.Context()
	reg, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("bench"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		b.Fatalf("RegisterClient: %v", err)
	}
	dev, err := c.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(c.ts.StartURL)})
	if err != nil {
		b.Fatalf("StartDeviceAuthorization: %v", err)
	}
	tok, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		b.Fatalf("CreateToken: %v", err)
	}
	return aws.ToString(tok.AccessToken)
}
