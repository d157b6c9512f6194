package idc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// The accounts, keys and roles of chainDirectory.
const (
	devAcct  = "111122223333"
	prodAcct = "444455556666"

	ciKeyID     = "AKIAIOSFODNN7EXAMPLE"
	ciSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	otherKeyID  = "AKIAOTHERKEY00000001"
	otherSecret = "other-secret-0123456789abcdefghijklmnop"

	ciPhone     = "arn:aws:iam::" + devAcct + ":mfa/ci-phone"
	sharedPhone = "arn:aws:iam::" + devAcct + ":mfa/shared-phone"

	webIssuer = "https://token.example.com"
	rsaIssuer = "https://rsa.example.com"
)

func roleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// chainDirectory is alice (Development: AdministratorAccess and ReadOnly),
// IAM users ci and other in Development, two MFA devices, two OIDC
// providers in Production, and Production's roles:
//
//	Deployer    trusts Development/AdministratorAccess and ci; 2h maximum
//	Partner     trusts ci with external id "ext-123"
//	BreakGlass  trusts ci and Development/AdministratorAccess, requires MFA; 12h maximum
//	Chained     trusts sessions of Deployer
//	Vault       trusts sessions of BreakGlass and Deployer, requires MFA
//	WebApp      trusts the ES256 provider; 2h maximum
//	RSAApp      trusts the RS256 provider
//	WebMFA      trusts the ES256 provider, requires MFA
func chainDirectory(t *testing.T) *directory.Directory {
	t.Helper()
	es := idctest.NewOIDCProvider(t, prodAcct, webIssuer, "ES256", "sts.amazonaws.com", "second-audience")
	rs := idctest.NewOIDCProvider(t, prodAcct, rsaIssuer, "RS256", "app")
	d := &directory.Directory{
		Users:          []directory.User{{Name: "alice", Password: "wonderland"}},
		Accounts:       []directory.Account{{ID: devAcct, Name: "Development"}, {ID: prodAcct, Name: "Production"}},
		PermissionSets: []directory.PermissionSet{{Name: "AdministratorAccess", SessionDuration: time.Hour}, {Name: "ReadOnly", SessionDuration: time.Hour}},
		Assignments: []directory.Assignment{
			{User: "alice", Account: devAcct, PermissionSet: "AdministratorAccess"},
			{User: "alice", Account: devAcct, PermissionSet: "ReadOnly"},
		},
		IAMUsers: []directory.IAMUser{
			{Account: devAcct, Name: "ci", AccessKeys: []directory.AccessKey{{ID: ciKeyID, Secret: ciSecret}}},
			{Account: devAcct, Name: "other", AccessKeys: []directory.AccessKey{{ID: otherKeyID, Secret: otherSecret}}},
		},
		MFADevices: []directory.MFADevice{
			{Account: devAcct, Name: "ci-phone", Secret: "CPY7K24MBI4F7JIJPELNFUEVA7ALL7FR", User: "ci"},
			{Account: devAcct, Name: "shared-phone", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
		},
		OIDCProviders: []directory.OIDCProvider{es, rs},
		Roles: []directory.Role{
			{Account: prodAcct, Name: "Deployer", MaxSessionDuration: 2 * time.Hour, Trust: []directory.Trust{
				{Kind: directory.TrustPermissionSet, Account: devAcct, Name: "AdministratorAccess"},
				{Kind: directory.TrustIAMUser, Account: devAcct, Name: "ci"},
			}},
			{Account: prodAcct, Name: "Partner", ExternalID: "ext-123", Trust: []directory.Trust{{Kind: directory.TrustIAMUser, Account: devAcct, Name: "ci"}}},
			{Account: prodAcct, Name: "BreakGlass", RequireMFA: true, MaxSessionDuration: 12 * time.Hour, Trust: []directory.Trust{
				{Kind: directory.TrustIAMUser, Account: devAcct, Name: "ci"},
				{Kind: directory.TrustPermissionSet, Account: devAcct, Name: "AdministratorAccess"},
			}},
			{Account: prodAcct, Name: "Chained", Trust: []directory.Trust{{Kind: directory.TrustRole, Account: prodAcct, Name: "Deployer"}}},
			{Account: prodAcct, Name: "Vault", RequireMFA: true, Trust: []directory.Trust{
				{Kind: directory.TrustRole, Account: prodAcct, Name: "BreakGlass"},
				{Kind: directory.TrustRole, Account: prodAcct, Name: "Deployer"},
			}},
			{Account: prodAcct, Name: "WebApp", MaxSessionDuration: 2 * time.Hour, Trust: []directory.Trust{{Kind: directory.TrustOIDCProvider, Account: prodAcct, Name: webIssuer}}},
			{Account: prodAcct, Name: "RSAApp", Trust: []directory.Trust{{Kind: directory.TrustOIDCProvider, Account: prodAcct, Name: rsaIssuer}}},
			{Account: prodAcct, Name: "WebMFA", RequireMFA: true, Trust: []directory.Trust{{Kind: directory.TrustOIDCProvider, Account: prodAcct, Name: webIssuer}}},
		},
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	return d
}

// chainServer is a server over chainDirectory that approves alice at once.
func chainServer(t *testing.T, clk *idctest.Clock, opts ...idctest.Option) *idctest.TestServer {
	t.Helper()
	return idctest.NewServer(t, append([]idctest.Option{idctest.WithDirectory(chainDirectory(t)), idctest.WithAutoApprove("alice"),
		idctest.WithAutoApproveDelay(-1), idctest.WithNow(clk.Now)}, opts...)...)
}

func fromSTS(c *ststypes.Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

var (
	ciKeys    = aws.Credentials{AccessKeyID: ciKeyID, SecretAccessKey: ciSecret}
	otherKeys = aws.Credentials{AccessKeyID: otherKeyID, SecretAccessKey: otherSecret}
)

// identity is what GetCallerIdentity answers.
type identity struct{ Account, Arn, UserID string }

func callerIdentity(t *testing.T, ts *idctest.TestServer, creds aws.Credentials) (identity, error) {
	t.Helper()
	out, err := newClients(ts).sts(creds).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		return identity{}, err
	}
	return identity{aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId)}, nil
}

// TestAssumeRoleChain follows the usual chain: IAM Identity Center role
// credentials from the portal assume a role in another account, whose
// credentials assume a third; each set answers GetCallerIdentity with its
// assumed-role ARN; logging out of the session ends the whole chain.
func TestAssumeRoleChain(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := chainServer(t, clk)
	ctx := t.Context()
	dir := ts.Directory
	sso1 := ts.SSORoleCredentials(t, devAcct, "AdministratorAccess")

	out, err := newClients(ts).sts(sso1).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")), RoleSessionName: aws.String("alice-deploys")})
	if err != nil {
		t.Fatalf("AssumeRole from the SSO role credentials: %v", err)
	}
	roleID := dir.IAMRoleID(prodAcct, "Deployer")
	got := []string{aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId), aws.ToTime(out.Credentials.Expiration).UTC().Format(time.RFC3339)}
	want := []string{"arn:aws:sts::" + prodAcct + ":assumed-role/Deployer/alice-deploys", roleID + ":alice-deploys", clk.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AssumeRole answer (-want +got):\n%s", diff)
	}
	if out.PackedPolicySize != nil || out.SourceIdentity != nil {
		t.Errorf("PackedPolicySize = %v, SourceIdentity = %v; want both absent", out.PackedPolicySize, out.SourceIdentity)
	}
	deployer := fromSTS(out.Credentials)
	if !strings.HasPrefix(deployer.AccessKeyID, "ASIA") || deployer.AccessKeyID == sso1.AccessKeyID {
		t.Errorf("access key id %q is not a new ASIA key", deployer.AccessKeyID)
	}
	id, err := callerIdentity(t, ts, deployer)
	if err != nil {
		t.Fatalf("GetCallerIdentity with the assumed role: %v", err)
	}
	if diff := cmp.Diff(identity{prodAcct, "arn:aws:sts::" + prodAcct + ":assumed-role/Deployer/alice-deploys", roleID + ":alice-deploys"}, id); diff != "" {
		t.Errorf("identity of the assumed role (-want +got):\n%s", diff)
	}

	// Second hop: the role's session assumes a role that trusts it.
	out2, err := newClients(ts).sts(deployer).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Chained")), RoleSessionName: aws.String("hop2")})
	if err != nil {
		t.Fatalf("AssumeRole from an assumed role: %v", err)
	}
	chained := fromSTS(out2.Credentials)
	if id, err := callerIdentity(t, ts, chained); err != nil || id.Arn != "arn:aws:sts::"+prodAcct+":assumed-role/Chained/hop2" {
		t.Errorf("identity of the second hop = %+v, %v", id, err)
	}

}

// TestAssumeRoleLogout checks that logging out of an IAM Identity Center
// session ends the roles assumed from its role credentials, however long the
// chain, while roles assumed from an IAM user's keys stay.
func TestAssumeRoleLogout(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := chainServer(t, clk)
	c := newClients(ts)
	ctx := t.Context()
	_, tok := login(t, c, clk, []string{"sso:account:access"})
	rc, err := c.sso.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(devAcct), RoleName: aws.String("AdministratorAccess")})
	if err != nil {
		t.Fatal(err)
	}
	ssoCreds := aws.Credentials{AccessKeyID: aws.ToString(rc.RoleCredentials.AccessKeyId), SecretAccessKey: aws.ToString(rc.RoleCredentials.SecretAccessKey), SessionToken: aws.ToString(rc.RoleCredentials.SessionToken)}
	hop1, err := newClients(ts).sts(ssoCreds).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	hop2, err := newClients(ts).sts(fromSTS(hop1.Credentials)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Chained")), RoleSessionName: aws.String("s2")})
	if err != nil {
		t.Fatal(err)
	}
	fromKeys, err := newClients(ts).sts(ciKeys).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")), RoleSessionName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.sso.Logout(ctx, &sso.LogoutInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	for name, creds := range map[string]aws.Credentials{"SSO role credentials": ssoCreds, "first hop": fromSTS(hop1.Credentials), "second hop": fromSTS(hop2.Credentials)} {
		if _, err := callerIdentity(t, ts, creds); errCode(err) != "InvalidClientTokenId" {
			t.Errorf("%s after logout: %v, want InvalidClientTokenId", name, err)
		}
	}
	if _, err := callerIdentity(t, ts, fromSTS(fromKeys.Credentials)); err != nil {
		t.Errorf("a role assumed from an IAM user's keys after another session's logout: %v", err)
	}
}

// TestAssumeRoleCounts checks that the server counts AssumeRole and
// AssumeRoleWithWebIdentity like its other operations (Server.Counts, what
// the storm tests read): one per call.
func TestAssumeRoleCounts(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := chainServer(t, clk)
	ctx := t.Context()
	es, _ := ts.Directory.OIDCProvider(prodAcct, webIssuer)
	before := ts.Server.Counts()
	for i := 0; i < 3; i++ {
		if _, err := newClients(ts).sts(ciKeys).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")), RoleSessionName: aws.String("count")}); err != nil {
			t.Fatal(err)
		}
	}
	anon := sts.New(sts.Options{Region: ts.Region, HTTPClient: ts.Client(), BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1})
	for i := 0; i < 2; i++ {
		if _, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN(prodAcct, "WebApp")),
			RoleSessionName: aws.String("count"), WebIdentityToken: aws.String(idctest.WebIdentityToken(t, es, idctest.TokenClaims{IssuedAt: clk.Now()}))}); err != nil {
			t.Fatal(err)
		}
	}
	after := ts.Server.Counts()
	got := map[string]int{}
	for _, op := range []string{"AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity"} {
		got[op] = after[op] - before[op]
	}
	if diff := cmp.Diff(map[string]int{"AssumeRole": 3, "AssumeRoleWithWebIdentity": 2, "GetCallerIdentity": 0}, got); diff != "" {
		t.Errorf("counted calls (-want +got):\n%s", diff)
	}
}

// TestAssumeRoleSurvivesRestart checks that a server keeping its state on
// disk honours, after a restart, the credentials of a role assumed before.
func TestAssumeRoleSurvivesRestart(t *testing.T) {
	t.Parallel()
	clk := newClock()
	dir := chainDirectory(t)
	data := t.TempDir()
	opts := []idctest.Option{idctest.WithDirectory(dir), idctest.WithNow(clk.Now), idctest.WithDataDir(data), idctest.WithPersistentState()}
	first := idctest.NewServer(t, opts...)
	out, err := newClients(first).sts(ciKeys).AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")), RoleSessionName: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := idctest.NewServer(t, opts...)
	if id, err := callerIdentity(t, second, fromSTS(out.Credentials)); err != nil || id.Arn != "arn:aws:sts::"+prodAcct+":assumed-role/Deployer/kept" {
		t.Errorf("after the restart: %+v, %v", id, err)
	}
}

// TestDemoCrossAccountRole walks the demo directory's chains as `ssocli
// demo` and the docs do: alice's Development/AdministratorAccess credentials
// assume Production's Deployer; ci's static keys assume Auditor with an MFA
// code.
func TestDemoCrossAccountRole(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1), idctest.WithNow(clk.Now))
	ctx := t.Context()
	src := ts.SSORoleCredentials(t, directory.DemoDevAccount, "AdministratorAccess")
	out, err := newClients(ts).sts(src).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN(directory.DemoProdAccount, directory.DemoCrossAccountRole)), RoleSessionName: aws.String("botocore-session-1796172956")})
	if err != nil {
		t.Fatalf("AssumeRole of the demo's cross-account role: %v", err)
	}
	if id, err := callerIdentity(t, ts, fromSTS(out.Credentials)); err != nil || id.Arn != "arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-1796172956" {
		t.Errorf("identity = %+v, %v", id, err)
	}
	keys := aws.Credentials{AccessKeyID: directory.DemoAccessKeyID, SecretAccessKey: directory.DemoSecretAccessKey}
	code := idctest.MFACode(t, ts.Directory, directory.DemoMFASerial, clk.Now())
	if _, err := newClients(ts).sts(keys).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(directory.DemoProdAccount, directory.DemoMFARole)),
		RoleSessionName: aws.String("audit"), SerialNumber: aws.String(directory.DemoMFASerial), TokenCode: aws.String(code)}); err != nil {
		t.Errorf("AssumeRole of the demo's MFA role: %v", err)
	}
}
