package interop

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/testutil/netns"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// The credential-chain interop tests (issue 9, docs/credential-chain.md):
// for one set of ~/.aws files, ssocli, the AWS SDK for JavaScript v3 and
// boto3/botocore must pick the same identity, each against the local
// Identity Center through its CONNECT proxy.

const (
	prodAccount    = directory.DemoProdAccount
	sandboxAccount = directory.DemoSandboxAccount
	deployerArn    = "arn:aws:iam::" + prodAccount + ":role/" + directory.DemoCrossAccountRole
	chainedArn     = "arn:aws:iam::" + sandboxAccount + ":role/Chained"
	deepArn        = "arn:aws:iam::" + account + ":role/Deep"
	partnerArn     = "arn:aws:iam::" + prodAccount + ":role/Partner"
	webArn         = "arn:aws:iam::" + prodAccount + ":role/Web"
	webIssuer      = "https://token.example.com"
	chainRegion    = "us-west-2"
)

// chainDirectory is the demo directory (Deployer in Production trusts
// Development/AdministratorAccess and IAM user ci) with a second hop
// (Chained, trusting Deployer and Web sessions), a third (Deep, trusting
// Chained), a role with an external id and a two-hour maximum for ci
// (Partner), and a web identity role (Web) with its OIDC provider.
func chainDirectory(t *testing.T) *directory.Directory {
	t.Helper()
	d := directory.Demo()
	d.OIDCProviders = append(d.OIDCProviders, idctest.NewOIDCProvider(t, prodAccount, webIssuer, "ES256", "sts.amazonaws.com"))
	d.Roles = append(d.Roles,
		directory.Role{Account: sandboxAccount, Name: "Chained", Trust: []directory.Trust{
			{Kind: directory.TrustRole, Account: prodAccount, Name: directory.DemoCrossAccountRole},
			{Kind: directory.TrustRole, Account: prodAccount, Name: "Web"}}},
		directory.Role{Account: account, Name: "Deep", Trust: []directory.Trust{
			{Kind: directory.TrustRole, Account: sandboxAccount, Name: "Chained"}}},
		directory.Role{Account: prodAccount, Name: "Partner", ExternalID: "ext-123", MaxSessionDuration: 2 * time.Hour, Trust: []directory.Trust{
			{Kind: directory.TrustIAMUser, Account: account, Name: directory.DemoIAMUser}}},
		directory.Role{Account: prodAccount, Name: "Web", Trust: []directory.Trust{
			{Kind: directory.TrustOIDCProvider, Account: prodAccount, Name: webIssuer}}},
	)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	return d
}

// chainConfig is ~/.aws/config of the chain tests.
const chainConfig = `[sso-session corp]
sso_start_url = START
sso_region = SSOREGION
sso_registration_scopes = sso:account:access

[profile sso]
sso_session = corp
sso_account_id = ACCT
sso_role_name = AdministratorAccess

[profile legacy-sso]
sso_start_url = START
sso_region = SSOREGION
sso_account_id = ACCT
sso_role_name = AdministratorAccess

[profile role-on-sso]
role_arn = DEPLOYER
source_profile = sso

[profile role-on-legacy-sso]
role_arn = DEPLOYER
source_profile = legacy-sso

[profile sso-and-role]
sso_session = corp
sso_account_id = ACCT
sso_role_name = ReadOnly
role_arn = DEPLOYER
source_profile = legacy-sso

[profile named-session]
role_arn = DEPLOYER
source_profile = legacy-sso
role_session_name = alice-deploys

[profile two-hops]
role_arn = CHAINED
source_profile = role-on-legacy-sso
role_session_name = hop2

[profile three-hops]
role_arn = DEEP
source_profile = two-hops
role_session_name = hop3

[profile keys-in-config]
aws_access_key_id = AKID
aws_secret_access_key = SECRET

[profile role-on-creds-keys]
role_arn = DEPLOYER
source_profile = ci

[profile role-on-config-keys]
role_arn = DEPLOYER
source_profile = keys-in-config

[profile self-with-keys]
role_arn = DEPLOYER
source_profile = self-with-keys
aws_access_key_id = AKID
aws_secret_access_key = SECRET

[profile source-keys-win]
role_arn = CHAINED
source_profile = keys-in-config
aws_access_key_id = AKID
aws_secret_access_key = SECRET

[profile keys-over-role]
role_arn = DEPLOYER
source_profile = source-keys-win

[profile process]
credential_process = PROCESS

[profile role-on-process]
role_arn = DEPLOYER
source_profile = process

[profile sso-and-process]
sso_session = corp
sso_account_id = ACCT
sso_role_name = AdministratorAccess
credential_process = PROCESS

[profile role-on-env]
role_arn = DEPLOYER
credential_source = Environment

[profile role-on-ecs]
role_arn = DEPLOYER
credential_source = EcsContainer

[profile partner]
role_arn = PARTNER
source_profile = ci
external_id = ext-123
duration_seconds = 7200
role_session_name = partner

[profile web]
role_arn = WEB
web_identity_token_file = TOKENFILE
role_session_name = ci-job

[profile role-on-web]
role_arn = CHAINED
source_profile = web
role_session_name = from-web

[profile empty]
output = json

[profile loop-a]
role_arn = DEPLOYER
source_profile = loop-b

[profile loop-b]
role_arn = DEPLOYER
source_profile = loop-a

[profile missing-source]
role_arn = DEPLOYER
source_profile = nosuch

[profile both-sources]
role_arn = DEPLOYER
source_profile = ci
credential_source = Environment
`

// chainFixture is a fixture with chainDirectory, the chain config, ci's keys
// in the credentials file, a web identity token, a credential_process and a
// container credentials endpoint, where alice has logged in with ssocli
// (sso-session and legacy).
type chainFixture struct {
	*fixture
	tokenFile string
	ecsURL    string
}

func newChainFixture(t *testing.T) *chainFixture {
	t.Helper()
	d := chainDirectory(t)
	f := &chainFixture{fixture: newFixture(t, append(approveAtOnce(), idctest.WithDirectory(d))...)}
	f.dir = d
	aws := filepath.Join(f.home, ".aws")
	f.tokenFile = filepath.Join(f.home, "web-identity-token")
	tok := idctest.WebIdentityToken(t, d.OIDCProviders[len(d.OIDCProviders)-1], idctest.TokenClaims{Subject: "system:serviceaccount:ci:deployer"})
	writeFile(t, f.tokenFile, tok)
	process := filepath.Join(f.home, "print-ci-keys")
	writeFile(t, process, "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}' '"+
		directory.DemoAccessKeyID+"' '"+directory.DemoSecretAccessKey+"'\n")
	if err := os.Chmod(process, 0o700); err != nil {
		t.Fatal(err)
	}
	ecs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": directory.DemoAccessKeyID, "SecretAccessKey": directory.DemoSecretAccessKey,
			"Token": "", "Expiration": time.Now().Add(6 * time.Hour).UTC().Format(time.RFC3339)})
	}))
	t.Cleanup(ecs.Close)
	f.ecsURL = ecs.URL + "/v2/credentials/ci"
	cfg := strings.NewReplacer("START", f.srv.StartURL, "SSOREGION", f.srv.Region, "ACCT", account,
		"DEPLOYER", deployerArn, "CHAINED", chainedArn, "DEEP", deepArn, "PARTNER", partnerArn, "WEB", webArn,
		"AKID", directory.DemoAccessKeyID, "SECRET", directory.DemoSecretAccessKey, "PROCESS", process, "TOKENFILE", f.tokenFile).Replace(chainConfig)
	writeFile(t, filepath.Join(aws, "config"), cfg)
	writeFile(t, filepath.Join(aws, "credentials"), "[ci]\naws_access_key_id = "+directory.DemoAccessKeyID+"\naws_secret_access_key = "+directory.DemoSecretAccessKey+"\n")
	for _, p := range []string{"sso", "legacy-sso"} {
		f.loggedIn(t, f.ssocli(t, viaProxy, "sso", "login", "--profile", p, "--use-device-code"))
	}
	return f
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// peerEnv is the environment of every tool of the table: the proxy and its
// CA, the region, nothing of the machine's.
func (f *chainFixture) peerEnv(extra ...string) []string {
	return setEnv(netns.AWSEnv(f.home, f.srv.URL, f.srv.Server.CAFile()), append([]string{"AWS_REGION=" + chainRegion}, extra...)...)
}

// jsIdentity returns the command that prints the identity the JS SDK's
// default chain picks: testdata/sdkjs/identity.cjs, next to the SDK that
// scripts/test.sh installed (sdkJSDir), as the SDK client tests run theirs.
func jsIdentity(t *testing.T) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		require.Missingf(t, "node is not installed (apt-get install -y nodejs npm): %v", err)
	}
	dir := sdkJSDir(t)
	tmp := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "sdkjs", "identity.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "identity.cjs"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(tmp, "node_modules")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "credential-providers", "package.json")); err != nil {
		require.Missingf(t, "@aws-sdk/credential-providers is not installed in %s: run scripts/test.sh (%v)", dir, err)
	}
	return []string{node, filepath.Join(tmp, "identity.cjs")}
}

// chainShape is one row of the table: a profile (named by --profile, or by
// AWS_PROFILE when env says so, or none), extra environment, and the
// identity botocore's order gives (an ARN; "*" stands for a generated
// session name, which each tool makes its own way). js and boto name the
// documented cases where that SDK picks otherwise.
type chainShape struct {
	name    string
	profile string
	env     []string
	want    string
	js      string // the JS SDK's own answer, when it differs from botocore's order
	boto    string // boto3 1.29's, when it differs
}

// TestChainIdentityMatchesSDKs is the shape table of issue 9.
func TestChainIdentityMatchesSDKs(t *testing.T) {
	f := newChainFixture(t)
	js := jsIdentity(t)
	if _, err := exec.Command("/usr/bin/python3", "-c", "import boto3").CombinedOutput(); err != nil {
		require.Missingf(t, "boto3 is not importable by /usr/bin/python3 (apt-get install python3-boto3): %v", err)
	}
	sso := "arn:aws:sts::" + account + ":assumed-role/" + f.dir.RoleName(account, "AdministratorAccess") + "/" + user
	deployer := "arn:aws:sts::" + prodAccount + ":assumed-role/Deployer/"
	ci := "arn:aws:iam::" + account + ":user/" + directory.DemoIAMUser
	ciEnv := []string{"AWS_ACCESS_KEY_ID=" + directory.DemoAccessKeyID, "AWS_SECRET_ACCESS_KEY=" + directory.DemoSecretAccessKey}
	const failed = "error"
	shapes := []chainShape{
		{name: "IAM Identity Center", profile: "sso", want: sso},
		{name: "legacy IAM Identity Center", profile: "legacy-sso", want: sso},
		// botocore 1.29 (and the AWS CLI before 2.10.2) cannot use an
		// sso-session profile as a source: aws-cli#7496.
		{name: "role on an sso-session profile", profile: "role-on-sso", want: deployer + "*", boto: failed},
		{name: "role on a legacy SSO profile", profile: "role-on-legacy-sso", want: deployer + "*"},
		{name: "role_arn wins over sso keys", profile: "sso-and-role", want: deployer + "*"},
		{name: "configured session name", profile: "named-session", want: deployer + "alice-deploys"},
		{name: "two hops", profile: "two-hops", want: "arn:aws:sts::" + sandboxAccount + ":assumed-role/Chained/hop2"},
		{name: "three hops", profile: "three-hops", want: "arn:aws:sts::" + account + ":assumed-role/Deep/hop3"},
		{name: "keys in the credentials file", profile: "ci", want: ci},
		{name: "keys in the config file", profile: "keys-in-config", want: ci},
		{name: "role on credentials-file keys", profile: "role-on-creds-keys", want: deployer + "*"},
		{name: "role on config-file keys", profile: "role-on-config-keys", want: deployer + "*"},
		{name: "a profile sourcing its own keys", profile: "self-with-keys", want: deployer + "*"},
		{name: "a source's keys win over its role_arn", profile: "keys-over-role", want: deployer + "*"},
		{name: "credential_process", profile: "process", want: ci},
		{name: "role on credential_process", profile: "role-on-process", want: deployer + "*"},
		// The JS SDK tries credential_process before SSO (credential-provider-ini).
		{name: "sso wins over credential_process", profile: "sso-and-process", want: sso, js: ci},
		{name: "credential_source Environment", profile: "role-on-env", env: ciEnv, want: deployer + "*"},
		{name: "credential_source EcsContainer", profile: "role-on-ecs", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + f.ecsURL}, want: deployer + "*"},
		{name: "external id, duration, session name", profile: "partner", want: "arn:aws:sts::" + prodAccount + ":assumed-role/Partner/partner"},
		{name: "web identity in the profile", profile: "web", want: "arn:aws:sts::" + prodAccount + ":assumed-role/Web/ci-job"},
		{name: "web identity from the environment", env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE=" + f.tokenFile, "AWS_ROLE_ARN=" + webArn, "AWS_ROLE_SESSION_NAME=env-job"},
			want: "arn:aws:sts::" + prodAccount + ":assumed-role/Web/env-job"},
		{name: "role on web identity", profile: "role-on-web", want: "arn:aws:sts::" + sandboxAccount + ":assumed-role/Chained/from-web"},
		// botocore: environment keys win over AWS_PROFILE; the JS SDK takes the profile.
		{name: "environment keys over AWS_PROFILE", env: append([]string{"AWS_PROFILE=sso"}, ciEnv...), want: ci, js: sso},
		{name: "--profile over environment keys", profile: "sso", env: ciEnv, want: sso},
		{name: "loop", profile: "loop-a", want: failed},
		{name: "missing source profile", profile: "missing-source", want: failed},
		{name: "source_profile and credential_source", profile: "both-sources", want: failed},
	}
	type tool struct {
		name string
		run  func(t *testing.T, s chainShape) result
		want func(s chainShape) string
	}
	tools := []tool{
		{"ssocli", func(t *testing.T, s chainShape) result {
			// The SDKs cache assumed roles in memory only: start each shape
			// from an empty ~/.aws/cli/cache so that a role cached by an
			// earlier shape cannot stand in for this shape's chain.
			if err := os.RemoveAll(filepath.Join(f.home, ".aws", "cli", "cache")); err != nil {
				t.Fatal(err)
			}
			args := []string{"sts", "get-caller-identity"}
			if s.profile != "" {
				args = append(args, "--profile", s.profile)
			}
			return run(t, ssocliBin, f.peerEnv(s.env...), args...)
		}, func(s chainShape) string { return s.want }},
		{"js-sdk-v3", func(t *testing.T, s chainShape) result {
			return run(t, js[0], f.peerEnv(s.env...), js[1], s.profile)
		}, func(s chainShape) string { return or(s.js, s.want) }},
		{"boto3", func(t *testing.T, s chainShape) result {
			return run(t, "/usr/bin/python3", f.peerEnv(s.env...), filepath.Join(mustAbs(t, "testdata"), "boto3_identity.py"), s.profile)
		}, func(s chainShape) string { return or(s.boto, s.want) }},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			for _, tl := range tools {
				r := tl.run(t, s)
				want := tl.want(s)
				if want == failed {
					if r.code == 0 {
						t.Errorf("%s: succeeded (%s), want a failure", tl.name, r.stdout)
					}
					continue
				}
				var got struct{ Arn string }
				if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil {
					t.Errorf("%s: %s", tl.name, r)
					continue
				}
				if !arnMatches(want, got.Arn) {
					t.Errorf("%s: identity %s, want %s", tl.name, got.Arn, want)
				}
			}
		})
	}
}

// arnMatches compares an ARN with a want where a trailing "*" stands for a
// generated session name.
func arnMatches(want, got string) bool {
	if prefix, ok := strings.CutSuffix(want, "*"); ok {
		return strings.HasPrefix(got, prefix) && regexp.MustCompile(`^[\w+=,.@-]+$`).MatchString(strings.TrimPrefix(got, prefix))
	}
	return got == want
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
