package idc_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// staleSessions reads sessions as they were before any refresh, when stale
// is set: what a refresh racing another one sees between its read of the
// session and its write.
type staleSessions struct {
	store.Store
	stale atomic.Bool
}

func (s *staleSessions) GetSession(id string) (store.Session, error) {
	x, err := s.Store.GetSession(id)
	if s.stale.Load() {
		x.RefreshGen = 0
	}
	return x, err
}

// TestRefreshRaceAtTheWrite: a refresh that read the session before another
// refresh with the same token rotated it is decided again at the write, and
// answered with the tokens the winner got, not with a second rotation (which
// would leave the winner's refresh token a replay).
func TestRefreshRaceAtTheWrite(t *testing.T) {
	t.Parallel()
	clk := newClock()
	st := &staleSessions{Store: store.NewMemory()}
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now), idctest.WithStore(st))
	c := newClients(ts)
	reg, tok := login(t, c, clk, []string{"sso:account:access"})
	refresh := func(rt *string) (*ssooidc.CreateTokenOutput, error) {
		return c.oidc.CreateToken(t.Context(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: rt})
	}
	first, err := refresh(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	st.stale.Store(true)
	second, err := refresh(tok.RefreshToken)
	st.stale.Store(false)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(second.RefreshToken) != aws.ToString(first.RefreshToken) || aws.ToString(second.AccessToken) != aws.ToString(first.AccessToken) {
		t.Error("the racing refresh rotated again instead of getting the winner's tokens")
	}
	if _, err := refresh(first.RefreshToken); err != nil {
		t.Errorf("the winner's refresh token after the race: %v", err)
	}
}

// TestRefreshTokenOtherClient: a refresh token works only for the client it
// was issued to, and another client's try ends nothing.
func TestRefreshTokenOtherClient(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
	c := newClients(ts)
	reg, tok := login(t, c, clk, []string{"sso:account:access"})
	other, err := c.oidc.RegisterClient(t.Context(), &ssooidc.RegisterClientInput{ClientName: aws.String("other"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.oidc.CreateToken(t.Context(), &ssooidc.CreateTokenInput{ClientId: other.ClientId, ClientSecret: other.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
	var ig *oidctypes.InvalidGrantException
	if !errors.As(err, &ig) {
		t.Fatalf("another client's refresh token: %v, want InvalidGrantException", err)
	}
	if _, err := c.sso.ListAccounts(t.Context(), &sso.ListAccountsInput{AccessToken: tok.AccessToken}); err != nil {
		t.Errorf("the session after another client's try: %v", err)
	}
	if _, err := c.oidc.CreateToken(t.Context(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken}); err != nil {
		t.Errorf("refresh by its own client: %v", err)
	}
}
