package idc_test

import (
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// countingStore counts the role credentials written to it.
type countingStore struct {
	store.Store
	creds atomic.Int32
}

func (s *countingStore) CreateRoleCredential(c store.RoleCredential) error {
	s.creds.Add(1)
	return s.Store.CreateRoleCredential(c)
}

// TestRoleCredentialsStoreNothing: GetRoleCredentials writes no record (the
// session token carries what STS needs, sealed), STS still answers the
// credentials, and refuses them with another credential's session token or a
// session token altered in one character.
func TestRoleCredentialsStoreNothing(t *testing.T) {
	t.Parallel()
	clk := newClock()
	st := &countingStore{Store: store.NewMemory()}
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now), idctest.WithStore(st))
	c := newClients(ts)
	ctx := t.Context()
	_, tok := login(t, c, clk, []string{"sso:account:access"})
	get := func(role string) aws.Credentials {
		rc, err := c.sso.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(directory.DemoDevAccount), RoleName: aws.String(role)})
		if err != nil {
			t.Fatalf("GetRoleCredentials: %v", err)
		}
		r := rc.RoleCredentials
		return aws.Credentials{AccessKeyID: aws.ToString(r.AccessKeyId), SecretAccessKey: aws.ToString(r.SecretAccessKey), SessionToken: aws.ToString(r.SessionToken)}
	}
	ro, admin := get("ReadOnly"), get("AdministratorAccess")
	if n := st.creds.Load(); n != 0 {
		t.Errorf("GetRoleCredentials stored %d records, want none", n)
	}
	id, err := c.sts(admin).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if want := "arn:aws:sts::" + directory.DemoDevAccount + ":assumed-role/" + directory.Demo().RoleName(directory.DemoDevAccount, "AdministratorAccess") + "/alice"; err != nil || aws.ToString(id.Arn) != want {
		t.Fatalf("GetCallerIdentity = %v, %v; want %s", aws.ToString(id.Arn), err, want)
	}
	swapped := ro
	swapped.SessionToken = admin.SessionToken
	altered := ro
	b := []byte(ro.SessionToken)
	b[len(b)/2] ^= 1
	altered.SessionToken = string(b)
	for name, creds := range map[string]aws.Credentials{"another credential's session token": swapped, "an altered session token": altered} {
		_, err := c.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if got := errCode(err); got != "InvalidClientTokenId" {
			t.Errorf("GetCallerIdentity with %s: %q, want InvalidClientTokenId", name, got)
		}
	}
}
