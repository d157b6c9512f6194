package creds_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/store"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// world is a local Identity Center and a client home that share one clock,
// which moves only when a test says so.
type world struct {
	ts    *idctest.TestServer
	clock *idctest.Clock
	home  string
	m     *creds.Manager

	mu    sync.Mutex
	warns []string
}

func newWorld(t *testing.T, opts ...idctest.Option) *world {
	t.Helper()
	w := &world{clock: idctest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)), home: t.TempDir()}
	w.ts = idctest.NewServer(t, append([]idctest.Option{idctest.WithNow(w.clock.Now)}, opts...)...)
	w.m = w.manager()
	return w
}

// manager returns a Manager for the world's home, as another process would
// have: nothing is shared with w.m but the files.
func (w *world) manager() *creds.Manager {
	return &creds.Manager{
		Home:       w.home,
		Now:        w.clock.Now,
		HTTPClient: func() (*http.Client, error) { return w.ts.Client(), nil },
		Warn: func(msg string) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.warns = append(w.warns, msg)
		},
	}
}

// target is alice's ReadOnly role in the development account, through the
// sso-session "corp".
func (w *world) target() *creds.Target {
	return &creds.Target{
		Profile: "dev", SessionName: "corp", StartURL: w.ts.StartURL, Region: w.ts.Region, Scopes: []string{"sso:account:access"},
		AccountID: directory.DemoDevAccount, RoleName: "ReadOnly",
		OIDCEndpoint: w.ts.URL, PortalEndpoint: w.ts.URL,
	}
}

// legacy is the same role through a legacy (start URL only) profile.
func (w *world) legacy() *creds.Target {
	t := w.target()
	t.Profile, t.SessionName, t.Scopes = "legacy", "", nil
	return t
}

// approve resolves the pending device authorization of userCode as alice,
// through the server's store, as the device page does.
func (w *world) approve(t *testing.T, userCode string) {
	t.Helper()
	st := w.ts.Server.Store()
	d, err := st.GetDeviceAuthByUserCode(userCode)
	if err != nil {
		t.Fatalf("approve %s: %v", userCode, err)
	}
	if _, err := st.UpdateDeviceAuth(d.DeviceCode, func(d store.DeviceAuth) (store.DeviceAuth, error) {
		if d.Status != store.DevicePending {
			return d, errors.New("not pending")
		}
		d.Status, d.User = store.DeviceApproved, "alice"
		return d, nil
	}); err != nil {
		t.Fatalf("approve %s: %v", userCode, err)
	}
}

// approving is the callback of a user who approves the device code as soon
// as it is shown.
func (w *world) approving(t *testing.T) func(authflow.DeviceCode) error {
	return func(c authflow.DeviceCode) error {
		w.approve(t, c.UserCode)
		return nil
	}
}

// login runs a device login for tg and approves it as soon as the code is shown.
func (w *world) login(t *testing.T, m *creds.Manager, tg *creds.Target) *creds.LoginResult {
	t.Helper()
	res, err := m.Login(context.Background(), tg, creds.LoginOptions{DisplayCode: w.approving(t)})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return res
}

// loggedIn is a world where alice has logged in through the sso-session and
// through the legacy profile, with role credentials cached for both.
func loggedIn(t *testing.T) (w *world, sess, leg *creds.Target) {
	t.Helper()
	w = newWorld(t)
	sess, leg = w.target(), w.legacy()
	for _, tg := range []*creds.Target{sess, leg} {
		w.login(t, w.m, tg)
		if _, err := w.m.RoleCredentials(context.Background(), tg); err != nil {
			t.Fatal(err)
		}
	}
	return w, sess, leg
}

// token reads tg's cached token.
func (w *world) token(t *testing.T, tg *creds.Target) *ssocache.Token {
	t.Helper()
	tok, err := ssocache.ReadToken(ssocache.TokenPath(w.home, tg.SessionName, tg.StartURL))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// count is how many calls of op the server answered.
func (w *world) count(op string) int { return w.ts.Server.Counts()[op] }

// otherSession logs alice in with the SDK's own OIDC client, as another tool
// would, and returns the access token; nothing is written to the home.
func (w *world) otherSession(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	api := ssooidc.New(ssooidc.Options{Region: w.ts.Region, BaseEndpoint: aws.String(w.ts.URL), HTTPClient: w.ts.Client(), Credentials: aws.AnonymousCredentials{}})
	reg, err := api.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("other-sdk"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := api.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(w.ts.StartURL)})
	if err != nil {
		t.Fatal(err)
	}
	w.approve(t, aws.ToString(dev.UserCode))
	tok, err := api.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(authflow.GrantDeviceCode), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(tok.AccessToken)
}
