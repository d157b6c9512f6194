package creds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// The roles of the chain tests, on top of the demo directory's Deployer
// (trusting Development/AdministratorAccess and IAM user ci) and Auditor
// (ci with MFA). IAM Identity Center credentials are role sessions, so a
// role assumed from them is a chain, limited to one hour as in AWS.
const (
	deployerArn = "arn:aws:iam::" + directory.DemoProdAccount + ":role/" + directory.DemoCrossAccountRole
	auditorArn  = "arn:aws:iam::" + directory.DemoProdAccount + ":role/" + directory.DemoMFARole
	chainedArn  = "arn:aws:iam::" + directory.DemoSandboxAccount + ":role/Chained"
	partnerArn  = "arn:aws:iam::" + directory.DemoProdAccount + ":role/Partner"
	webArn      = "arn:aws:iam::" + directory.DemoProdAccount + ":role/Web"
	issuer      = "https://token.example.com"
)

// chainDirectory is the demo directory with a role trusting Deployer's
// sessions (Chained), one with an external id and a two-hour maximum
// (Partner), and one for web identity tokens of an OIDC provider (Web).
func chainDirectory(t *testing.T) *directory.Directory {
	d := directory.Demo()
	d.OIDCProviders = append(d.OIDCProviders, idctest.NewOIDCProvider(t, directory.DemoProdAccount, issuer, "ES256", "sts.amazonaws.com"))
	d.Roles = append(d.Roles,
		directory.Role{Account: directory.DemoSandboxAccount, Name: "Chained", Trust: []directory.Trust{
			{Kind: directory.TrustRole, Account: directory.DemoProdAccount, Name: directory.DemoCrossAccountRole}}},
		directory.Role{Account: directory.DemoProdAccount, Name: "Partner", ExternalID: "ext-123", MaxSessionDuration: 2 * time.Hour, Trust: []directory.Trust{
			{Kind: directory.TrustIAMUser, Account: directory.DemoDevAccount, Name: directory.DemoIAMUser}}},
		directory.Role{Account: directory.DemoProdAccount, Name: "Web", Trust: []directory.Trust{
			{Kind: directory.TrustOIDCProvider, Account: directory.DemoProdAccount, Name: issuer}}},
	)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	return d
}

// chainWorld is a world whose directory has the chain roles, where alice is
// logged in to the sso-session "corp".
type chainWorld struct {
	*world
	dir       *directory.Directory
	tokenFile string
}

func newChainWorld(t *testing.T) *chainWorld {
	t.Helper()
	d := chainDirectory(t)
	w := &chainWorld{world: newWorld(t, idctest.WithDirectory(d)), dir: d}
	// SigV4 signatures are checked against the server's clock, and the
	// signer reads the Manager's: bring the clock to the real time, on a
	// whole second as STS's expiry times are.
	w.clock.Advance(time.Since(w.clock.Now()).Truncate(time.Second))
	w.login(t, w.m, w.target())
	w.tokenFile = filepath.Join(w.home, "web-token")
	w.writeToken(t, "system:serviceaccount:ci:deployer")
	return w
}

// writeToken writes a fresh web identity token for subject.
func (w *chainWorld) writeToken(t *testing.T, subject string) {
	t.Helper()
	tok := idctest.WebIdentityToken(t, w.dir.OIDCProviders[len(w.dir.OIDCProviders)-1], idctest.TokenClaims{Subject: subject, IssuedAt: w.clock.Now()})
	if err := os.WriteFile(w.tokenFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
}

// config is the shape tests' config: "sso" is alice's Development
// AdministratorAccess through the sso-session; the rest are roles on top.
func (w *chainWorld) config(t *testing.T, extra string) *awsconfig.Config {
	t.Helper()
	cfg := strings.NewReplacer("START", w.ts.StartURL, "REGION", w.ts.Region, "DEV", directory.DemoDevAccount,
		"DEPLOYER", deployerArn, "AUDITOR", auditorArn, "CHAINED", chainedArn, "PARTNER", partnerArn, "WEB", webArn,
		"SERIAL", directory.DemoMFASerial, "TOKENFILE", w.tokenFile).Replace(`[sso-session corp]
sso_start_url = START
sso_region = REGION
sso_registration_scopes = sso:account:access

[profile sso]
sso_session = corp
sso_account_id = DEV
sso_role_name = AdministratorAccess

[profile deployer]
role_arn = DEPLOYER
source_profile = sso

[profile sso-and-role]
sso_session = corp
sso_account_id = DEV
sso_role_name = ReadOnly
role_arn = DEPLOYER
source_profile = sso

[profile chained]
role_arn = CHAINED
source_profile = deployer
role_session_name = two-hops

[profile on-keys]
role_arn = DEPLOYER
source_profile = ci

[profile mfa]
role_arn = AUDITOR
source_profile = ci
mfa_serial = SERIAL

[profile partner]
role_arn = PARTNER
source_profile = ci
external_id = ext-123
duration_seconds = 7200
role_session_name = alice-partner

[profile partner-no-id]
role_arn = PARTNER
source_profile = ci

[profile partner-too-long]
role_arn = PARTNER
source_profile = ci
external_id = ext-123
duration_seconds = 10800

[profile on-env]
role_arn = DEPLOYER
credential_source = Environment

[profile on-ecs]
role_arn = DEPLOYER
credential_source = EcsContainer

[profile on-imds]
role_arn = DEPLOYER
credential_source = Ec2InstanceMetadata

[profile web]
role_arn = WEB
web_identity_token_file = TOKENFILE
role_session_name = ci-job

[profile web-missing]
role_arn = WEB
web_identity_token_file = TOKENFILE.missing
` + extra)
	keys := "[ci]\naws_access_key_id = " + directory.DemoAccessKeyID + "\naws_secret_access_key = " + directory.DemoSecretAccessKey + "\n"
	c, err := awsconfig.Parse([]byte(cfg), []byte(keys), "config")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// opts are the chain options of a command run for profile.
func (w *chainWorld) opts(cfg *awsconfig.Config, profile string, env ...string) creds.ChainOptions {
	env = append([]string{"AWS_ENDPOINT_URL", w.ts.URL, "AWS_EC2_METADATA_DISABLED", "true"}, env...)
	return creds.ChainOptions{Config: cfg, Profile: profile, Explicit: true, ProfileFlag: true, Region: "us-west-2", Getenv: getenv(env...)}
}

func getenv(kv ...string) func(string) string {
	return func(k string) string {
		v := ""
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				v = kv[i+1]
			}
		}
		return v
	}
}

// identity is the ARN STS answers GetCallerIdentity with for c.
func (w *chainWorld) identity(t *testing.T, c *creds.Credentials) string {
	t.Helper()
	api := sts.New(sts.Options{Region: "us-west-2", BaseEndpoint: aws.String(w.ts.URL), HTTPClient: w.ts.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)})
	out, err := api.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return aws.ToString(out.Arn)
}

func (w *chainWorld) resolve(t *testing.T, o creds.ChainOptions) *creds.Credentials {
	t.Helper()
	c, err := w.manager().Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("resolve %s: %v", o.Profile, err)
	}
	return c
}

// TestAssumeRoleShapes: the identity each role shape ends with, the AWS
// CLI's cache file it leaves, and that a second process reuses that file
// without a call.
func TestAssumeRoleShapes(t *testing.T) {
	t.Parallel()
	session := func(name string) string { return name }
	tests := []struct {
		profile  string
		env      []string
		wantArn  string // %d is botocore's generated session name's epoch
		wantKey  ssocache.AssumeRoleKey
		wantDur  time.Duration
		wantAcct string
	}{
		{profile: "deployer", wantArn: "arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-%d", wantKey: ssocache.AssumeRoleKey{RoleArn: deployerArn}, wantDur: time.Hour},
		{profile: "sso-and-role", wantArn: "arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-%d", wantKey: ssocache.AssumeRoleKey{RoleArn: deployerArn}, wantDur: time.Hour},
		{profile: "chained", wantArn: "arn:aws:sts::777788889999:assumed-role/Chained/" + session("two-hops"), wantKey: ssocache.AssumeRoleKey{RoleArn: chainedArn, RoleSessionName: "two-hops"}, wantDur: time.Hour},
		{profile: "on-keys", wantArn: "arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-%d", wantKey: ssocache.AssumeRoleKey{RoleArn: deployerArn}, wantDur: time.Hour},
		{profile: "partner", wantArn: "arn:aws:sts::444455556666:assumed-role/Partner/alice-partner",
			wantKey: ssocache.AssumeRoleKey{RoleArn: partnerArn, RoleSessionName: "alice-partner", ExternalID: aws.String("ext-123"), DurationSeconds: aws.Int(7200)}, wantDur: 2 * time.Hour},
		{profile: "on-env", env: []string{"AWS_ACCESS_KEY_ID", directory.DemoAccessKeyID, "AWS_SECRET_ACCESS_KEY", directory.DemoSecretAccessKey},
			wantArn: "arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-%d", wantKey: ssocache.AssumeRoleKey{RoleArn: deployerArn}, wantDur: time.Hour},
		{profile: "web", wantArn: "arn:aws:sts::444455556666:assumed-role/Web/ci-job", wantKey: ssocache.AssumeRoleKey{RoleArn: webArn, RoleSessionName: "ci-job"}, wantDur: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			t.Parallel()
			w := newChainWorld(t)
			cfg := w.config(t, "")
			c := w.resolve(t, w.opts(cfg, tt.profile, tt.env...))
			if want := strings.ReplaceAll(tt.wantArn, "%d", fmt.Sprint(w.clock.Now().Unix())); w.identity(t, c) != want {
				t.Errorf("identity %s, want %s", w.identity(t, c), want)
			}
			if c.AccountID != strings.Split(tt.wantArn, ":")[4] {
				t.Errorf("AccountID = %q, want the role's account", c.AccountID)
			}
			if got := c.Expiration.Sub(w.clock.Now()); got != tt.wantDur {
				t.Errorf("credentials last %v, want %v", got, tt.wantDur)
			}
			path := ssocache.AssumedRolePath(w.home, tt.wantKey)
			cached, err := ssocache.ReadAssumedRole(path)
			if err != nil {
				t.Fatalf("the AWS CLI's cache file %s: %v", filepath.Base(path), err)
			}
			if cached.AccessKeyID != c.AccessKeyID {
				t.Errorf("the cache file holds other credentials")
			}
			before := w.ts.Server.Counts()
			again := w.resolve(t, w.opts(cfg, tt.profile, tt.env...))
			if diff := cmp.Diff(before, w.ts.Server.Counts()); diff != "" {
				t.Errorf("a second process made calls (-before +after):\n%s", diff)
			}
			if again.AccessKeyID != c.AccessKeyID {
				t.Errorf("a second process got other credentials")
			}
		})
	}
}

// TestAssumedRoleCacheWindow: cached role credentials are used while at
// least 15 minutes are left, then assumed again (without a login: the SSO
// source is refreshed or re-fetched as needed).
func TestAssumedRoleCacheWindow(t *testing.T) {
	t.Parallel()
	w := newChainWorld(t)
	cfg := w.config(t, "")
	first := w.resolve(t, w.opts(cfg, "on-keys"))
	w.clock.Advance(45 * time.Minute) // exactly 15 minutes left
	if c := w.resolve(t, w.opts(cfg, "on-keys")); c.AccessKeyID != first.AccessKeyID || w.count("AssumeRole") != 1 {
		t.Errorf("with 15 minutes left: AssumeRole calls %d, want 1 (reuse)", w.count("AssumeRole"))
	}
	w.clock.Advance(time.Second)
	if c := w.resolve(t, w.opts(cfg, "on-keys")); c.AccessKeyID == first.AccessKeyID || w.count("AssumeRole") != 2 {
		t.Errorf("with less than 15 minutes left: AssumeRole calls %d, want 2", w.count("AssumeRole"))
	}
}

// TestWarmRoleLeavesTheSourceAlone: with the role cached, the source is not
// touched: no token read (the token file is gone), no MFA prompt.
func TestWarmRoleLeavesTheSourceAlone(t *testing.T) {
	t.Parallel()
	w := newChainWorld(t)
	cfg := w.config(t, "")
	o := w.opts(cfg, "deployer")
	w.resolve(t, o)
	if err := os.Remove(ssocache.TokenPath(w.home, "corp", w.ts.StartURL)); err != nil {
		t.Fatal(err)
	}
	w.resolve(t, o)

	prompts := 0
	o = w.opts(cfg, "mfa")
	o.MFA = func(_ context.Context, prompt string) (string, error) {
		prompts++
		if want := "Enter MFA code for " + directory.DemoMFASerial + ": "; prompt != want {
			t.Errorf("prompt %q, want %q", prompt, want)
		}
		return idctest.MFACode(t, w.dir, directory.DemoMFASerial, w.clock.Now()), nil
	}
	c := w.resolve(t, o)
	if got, want := w.identity(t, c), fmt.Sprintf("arn:aws:sts::444455556666:assumed-role/Auditor/botocore-session-%d", w.clock.Now().Unix()); got != want {
		t.Errorf("identity %s, want %s", got, want)
	}
	w.resolve(t, o)
	if prompts != 1 {
		t.Errorf("MFA prompts = %d, want 1: a cached MFA role is not prompted again", prompts)
	}
	key := ssocache.AssumeRoleKey{RoleArn: auditorArn, SerialNumber: aws.String(directory.DemoMFASerial)}
	if _, err := ssocache.ReadAssumedRole(ssocache.AssumedRolePath(w.home, key)); err != nil {
		t.Errorf("the MFA role's cache file: %v", err)
	}
}

// TestWebIdentityRereadsTheToken: after the cached credentials run out, the
// token file is read again: the first token has expired by then, so only a
// re-read token gets through.
func TestWebIdentityRereadsTheToken(t *testing.T) {
	t.Parallel()
	w := newChainWorld(t)
	cfg := w.config(t, "")
	w.resolve(t, w.opts(cfg, "web"))
	w.clock.Advance(2 * time.Hour)
	w.writeToken(t, "system:serviceaccount:ci:rotated")
	w.resolve(t, w.opts(cfg, "web"))
	if n := w.count("AssumeRoleWithWebIdentity"); n != 2 {
		t.Errorf("AssumeRoleWithWebIdentity calls = %d, want 2", n)
	}
}

// TestChainFetchErrors: the refusals met while fetching, with the AWS CLI's
// messages and codes; nothing is cached after any of them.
func TestChainFetchErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		profile  string
		mfa      func(w *chainWorld) func(context.Context, string) (string, error)
		wantMsg  string
		wantCode int
	}{
		{name: "wrong MFA code", profile: "mfa", mfa: func(*chainWorld) func(context.Context, string) (string, error) {
			return func(context.Context, string) (string, error) { return "000000", nil }
		}, wantMsg: "An error occurred (AccessDenied) when calling the AssumeRole operation: MultiFactorAuthentication failed with invalid MFA one time pass code.", wantCode: 254},
		{name: "no terminal for the MFA code", profile: "mfa", mfa: func(*chainWorld) func(context.Context, string) (string, error) {
			return func(context.Context, string) (string, error) { return "", creds.ErrNoTerminal }
		}, wantMsg: `The profile "mfa" needs an MFA code for ` + directory.DemoMFASerial + " (mfa_serial), and there is no terminal to ask for it.", wantCode: 255},
		{name: "no MFA callback", profile: "mfa",
			wantMsg: `The profile "mfa" needs an MFA code for ` + directory.DemoMFASerial + " (mfa_serial), and there is no terminal to ask for it.", wantCode: 255},
		{name: "duration above the role's maximum", profile: "partner-too-long",
			wantMsg: "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", wantCode: 254},
		{name: "external id missing", profile: "partner-no-id",
			wantMsg: "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::111122223333:user/ci is not authorized to perform: sts:AssumeRole on resource: " + partnerArn, wantCode: 254},
		{name: "missing token file", profile: "web-missing", wantMsg: "[Errno 2] No such file or directory: 'TOKENFILE.missing'", wantCode: 255},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newChainWorld(t)
			o := w.opts(w.config(t, ""), tt.profile)
			if tt.mfa != nil {
				o.MFA = tt.mfa(w)
			}
			_, err := w.manager().Resolve(context.Background(), o)
			u := usererr.As(usererr.FromAPI(err))
			if u == nil {
				t.Fatalf("got %v, want an error", err)
			}
			// Python's repr of the path: a backslash (Windows) is doubled.
			want := strings.ReplaceAll(tt.wantMsg, "TOKENFILE", strings.ReplaceAll(w.tokenFile, `\`, `\\`))
			if !strings.HasPrefix(u.Msg, want) || u.Code != tt.wantCode {
				t.Errorf("got %d %q\nwant %d %q", u.Code, u.Msg, tt.wantCode, want)
			}
			if creds.IsLoadError(err) {
				t.Error("a fetch error is marked as a load error")
			}
			entries, _ := os.ReadDir(ssocache.CLIDir(w.home))
			for _, e := range entries {
				if _, err := ssocache.ReadAssumedRole(filepath.Join(ssocache.CLIDir(w.home), e.Name())); err == nil {
					t.Errorf("an assumed role was cached: %s", e.Name())
				}
			}
		})
	}
}

// TestCredentialSourceEndpoints: EcsContainer and Ec2InstanceMetadata, through
// the SDK's endpointcreds and ec2rolecreds, against local stand-ins for the
// container agent and the instance metadata service that hand out ci's keys.
func TestCredentialSourceEndpoints(t *testing.T) {
	t.Parallel()
	keys := map[string]string{"AccessKeyId": directory.DemoAccessKeyID, "SecretAccessKey": directory.DemoSecretAccessKey, "Token": "",
		"Expiration": time.Now().Add(6 * time.Hour).UTC().Format(time.RFC3339)}
	var authSeen []string
	var mu sync.Mutex
	ecs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		authSeen = append(authSeen, r.Header.Get("Authorization"))
		mu.Unlock()
		json.NewEncoder(rw).Encode(keys)
	}))
	t.Cleanup(ecs.Close)
	imds := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			rw.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			rw.Write([]byte("imds-token"))
		case r.Header.Get("X-Aws-Ec2-Metadata-Token") != "imds-token":
			http.Error(rw, "no token", http.StatusUnauthorized)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			rw.Write([]byte("instance-role"))
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/instance-role":
			m := map[string]string{"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": time.Now().UTC().Format(time.RFC3339)}
			for k, v := range keys {
				m[k] = v
			}
			json.NewEncoder(rw).Encode(m)
		default:
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(imds.Close)
	tests := []struct {
		profile string
		env     []string
	}{
		{"on-ecs", []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "agent-token"}},
		{"on-imds", []string{"AWS_EC2_METADATA_DISABLED", "", "AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			w := newChainWorld(t)
			c := w.resolve(t, w.opts(w.config(t, ""), tt.profile, tt.env...))
			if got, want := w.identity(t, c), fmt.Sprintf("arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-%d", w.clock.Now().Unix()); got != want {
				t.Errorf("identity %s, want %s", got, want)
			}
		})
	}
	if len(authSeen) != 1 || authSeen[0] != "agent-token" {
		t.Errorf("the container agent saw Authorization %q, want [agent-token]", authSeen)
	}
}

// TestOneAssumeRoleForMany: many processes (Managers that share only the
// files) asking for a chained profile with empty role caches make one
// GetRoleCredentials and one AssumeRole per role.
func TestOneAssumeRoleForMany(t *testing.T) {
	t.Parallel()
	w := newChainWorld(t)
	cfg := w.config(t, "")
	const n = 16
	var wg sync.WaitGroup
	keys := make([]string, n)
	for i := range n {
		wg.Go(func() {
			c, err := w.manager().Resolve(context.Background(), w.opts(cfg, "chained"))
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = c.AccessKeyID
		})
	}
	wg.Wait()
	got := map[string]int{"GetRoleCredentials": w.count("GetRoleCredentials"), "AssumeRole": w.count("AssumeRole")}
	if diff := cmp.Diff(map[string]int{"GetRoleCredentials": 1, "AssumeRole": 2}, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	for _, k := range keys {
		if k != keys[0] {
			t.Fatalf("the processes got different credentials")
		}
	}
}
