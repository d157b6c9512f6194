package creds

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// chainConfig is the config file of the shape tests: an SSO profile, static
// keys in each file, roles on top of each kind of source, and the bad cases.
const chainConfig = `[sso-session corp]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile keys-in-config]
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = s

[profile process]
credential_process = /bin/true

[profile process-and-config-keys]
credential_process = /bin/true
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = s

[profile process-and-creds-keys]
credential_process = /bin/true

[profile sso-and-process]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
credential_process = /bin/true

[profile role-on-sso]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = sso

[profile sso-and-role]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = sso

[profile role-on-role]
role_arn = arn:aws:iam::444455556666:role/Auditor
source_profile = role-on-sso

[profile three-hops]
role_arn = arn:aws:iam::777788889999:role/X
source_profile = role-on-role

[profile role-on-keys]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = keys-in-creds

[profile role-on-process]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = process

[profile role-on-env]
role_arn = arn:aws:iam::444455556666:role/Deployer
credential_source = Environment

[profile self-with-keys]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = self-with-keys
aws_access_key_id = AKIDSELF
aws_secret_access_key = s

[profile keys-win-over-role]
role_arn = arn:aws:iam::444455556666:role/Auditor
source_profile = keys-in-config
aws_access_key_id = AKIDKEYS
aws_secret_access_key = s

[profile role-on-keys-and-role]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = keys-win-over-role

[profile web]
role_arn = arn:aws:iam::444455556666:role/Auditor
web_identity_token_file = /tmp/token

[profile role-on-web]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = web

[profile loop-a]
role_arn = arn:aws:iam::1:role/a
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::1:role/b
source_profile = loop-a

[profile self]
role_arn = arn:aws:iam::1:role/a
source_profile = self

[profile deep-loop]
role_arn = arn:aws:iam::1:role/a
source_profile = loop-a

[profile missing-source]
role_arn = arn:aws:iam::1:role/a
source_profile = nosuch

[profile both]
role_arn = arn:aws:iam::1:role/a
source_profile = sso
credential_source = Environment

[profile neither]
role_arn = arn:aws:iam::1:role/a

[profile bad-source]
role_arn = arn:aws:iam::1:role/a
credential_source = environment

[profile empty]
region = us-east-1

[profile source-without-credentials]
role_arn = arn:aws:iam::1:role/a
source_profile = empty

[profile web-without-role]
web_identity_token_file = /tmp/token

[profile partial-config]
aws_access_key_id = AKID

[profile ecs-without-env]
role_arn = arn:aws:iam::1:role/a
credential_source = EcsContainer
`

const chainCredentials = `[keys-in-creds]
aws_access_key_id = AKIDCREDS
aws_secret_access_key = s

[process-and-creds-keys]
aws_access_key_id = AKIDCREDS
aws_secret_access_key = s

[partial-creds]
aws_access_key_id = AKID
`

func chainTestConfig(t *testing.T) *awsconfig.Config {
	t.Helper()
	cfg, err := awsconfig.Parse([]byte(chainConfig), []byte(chainCredentials), "config")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func envOf(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// path describes a loaded chain as "method(profile) <- method(profile) …",
// top first, for comparison with what botocore picks for the same files.
func path(n *node) string {
	var parts []string
	for ; n != nil; n = n.source {
		s := n.method
		if n.profile != "" {
			s += "(" + n.profile + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " <- ")
}

// TestChainOrder: which provider botocore's order picks for each shape
// (docs/credential-chain.md §1, §3), seen on the loaded chain, before
// anything is fetched.
func TestChainOrder(t *testing.T) {
	t.Parallel()
	cfg := chainTestConfig(t)
	keys := []string{"AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "s", "AWS_EC2_METADATA_DISABLED", "true"}
	tests := []struct {
		name    string
		profile string
		flag    bool // named by --profile
		env     []string
		want    string
	}{
		{name: "sso", profile: "sso", want: "sso(sso)"},
		{name: "keys in the credentials file", profile: "keys-in-creds", want: "shared-credentials-file(keys-in-creds)"},
		{name: "keys in the config file", profile: "keys-in-config", want: "config-file(keys-in-config)"},
		{name: "process", profile: "process", want: "custom-process(process)"},
		{name: "process wins over config-file keys", profile: "process-and-config-keys", want: "custom-process(process-and-config-keys)"},
		{name: "credentials-file keys win over process", profile: "process-and-creds-keys", want: "shared-credentials-file(process-and-creds-keys)"},
		{name: "sso wins over process", profile: "sso-and-process", want: "sso(sso-and-process)"},
		{name: "role on sso", profile: "role-on-sso", want: "assume-role(role-on-sso) <- sso(sso)"},
		{name: "role_arn wins over sso keys", profile: "sso-and-role", want: "assume-role(sso-and-role) <- sso(sso)"},
		{name: "two hops", profile: "role-on-role", want: "assume-role(role-on-role) <- assume-role(role-on-sso) <- sso(sso)"},
		{name: "three hops", profile: "three-hops", want: "assume-role(three-hops) <- assume-role(role-on-role) <- assume-role(role-on-sso) <- sso(sso)"},
		{name: "role on keys", profile: "role-on-keys", want: "assume-role(role-on-keys) <- shared-credentials-file(keys-in-creds)"},
		{name: "role on process", profile: "role-on-process", want: "assume-role(role-on-process) <- custom-process(process)"},
		{name: "role on the environment", profile: "role-on-env", flag: true, env: keys, want: "assume-role(role-on-env) <- env"},
		{name: "a profile may source its own keys", profile: "self-with-keys", want: "assume-role(self-with-keys) <- config-file(self-with-keys)"},
		{name: "a source's keys win over its role", profile: "role-on-keys-and-role", want: "assume-role(role-on-keys-and-role) <- config-file(keys-win-over-role)"},
		{name: "web identity", profile: "web", want: "assume-role-with-web-identity(web)"},
		{name: "role on web identity", profile: "role-on-web", want: "assume-role(role-on-web) <- assume-role-with-web-identity(web)"},
		{name: "web identity from the environment", profile: "empty", env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/t", "AWS_ROLE_ARN", "arn:aws:iam::1:role/w"},
			want: "assume-role-with-web-identity(empty)"},
		{name: "web identity variables off with --profile", profile: "keys-in-config", flag: true, env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/t", "AWS_ROLE_ARN", "arn:aws:iam::1:role/w"},
			want: "config-file(keys-in-config)"},
		{name: "environment wins over AWS_PROFILE", profile: "sso", env: keys, want: "env"},
		{name: "--profile turns the environment off", profile: "sso", flag: true, env: keys, want: "sso(sso)"},
		{name: "a secret alone is not credentials", profile: "sso", env: []string{"AWS_SECRET_ACCESS_KEY", "s"}, want: "sso(sso)"},
		{name: "container at the end", profile: "empty", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", "AWS_EC2_METADATA_DISABLED", "true"},
			want: "container-role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &Manager{Home: t.TempDir()}
			n, err := m.loadChain(ChainOptions{Config: cfg, Profile: tt.profile, Explicit: true, ProfileFlag: tt.flag, Getenv: envOf(tt.env...)})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if diff := cmp.Diff(tt.want, path(n)); diff != "" {
				t.Errorf("chain (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChainConfigErrors: the configuration errors of the chain, each with
// botocore's message (seen from the AWS CLI 2.9.19, docs/credential-chain.md
// §3, §7), its exit code, a hint, and as a LoadError, found before anything
// is fetched.
func TestChainConfigErrors(t *testing.T) {
	t.Parallel()
	cfg := chainTestConfig(t)
	tests := []struct {
		profile string
		env     []string
		want    string
	}{
		{"loop-a", nil, "Infinite loop in credential configuration detected. Attempting to load from profile loop-a which has already been visited. Visited profiles: ['loop-a', 'loop-b']"},
		{"deep-loop", nil, "Infinite loop in credential configuration detected. Attempting to load from profile loop-a which has already been visited. Visited profiles: ['deep-loop', 'loop-a', 'loop-b']"},
		{"self", nil, "Infinite loop in credential configuration detected. Attempting to load from profile self which has already been visited. Visited profiles: ['self']"},
		{"missing-source", nil, `The source_profile "nosuch" referenced in the profile "missing-source" does not exist.`},
		{"both", nil, `The profile "both" contains both source_profile and credential_source.`},
		{"neither", nil, "Partial credentials found in assume-role, missing: source_profile or credential_source"},
		{"bad-source", nil, `The credential source "environment" referenced in profile "bad-source" is not valid.`},
		{"source-without-credentials", nil, `The source profile "empty" must have credentials.`},
		{"web-without-role", nil, "The provided profile or the current environment is configured to assume role with web identity but has no role ARN configured. Ensure that the profile has the role_arnconfiguration set or the AWS_ROLE_ARN env var is set."},
		{"partial-config", nil, "Partial credentials found in config-file, missing: aws_secret_access_key"},
		{"partial-creds", nil, "Partial credentials found in shared-credentials-file, missing: aws_secret_access_key"},
		{"sso", []string{"AWS_ACCESS_KEY_ID", "AKID"}, "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY"},
		{"role-on-env", nil, "Error when retrieving credentials from Environment: No credentials found in credential_source referenced in profile role-on-env"},
		{"ecs-without-env", nil, "Error when retrieving credentials from EcsContainer: No credentials found in credential_source referenced in profile ecs-without-env"},
		{"nope", nil, "The config profile (nope) could not be found"},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			t.Parallel()
			m := &Manager{Home: t.TempDir()}
			n, err := m.loadChain(ChainOptions{Config: cfg, Profile: tt.profile, Explicit: true, Getenv: envOf(tt.env...)})
			if err == nil {
				t.Fatalf("loaded %s, want an error", path(n))
			}
			u := usererr.As(err)
			if u == nil {
				t.Fatalf("error %v is not a usererr.Error", err)
			}
			if u.Msg != tt.want {
				t.Errorf("message:\n got %s\nwant %s", u.Msg, tt.want)
			}
			if u.Code != usererr.CodeOther {
				t.Errorf("exit code %d, want 255", u.Code)
			}
			if u.Hint == "" {
				t.Error("no hint naming the fix")
			}
			if !IsLoadError(err) {
				t.Error("not a LoadError")
			}
		})
	}
}

func TestPyInt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"900": 900, " 1800 ": 1800, "+60": 60, "-5": -5, "1_800": 1800} {
		if got, ok := pyInt(in); !ok || got != want {
			t.Errorf("pyInt(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1h", "1.5", "_1", "1_", "1__0", "+-1", "0x10"} {
		if got, ok := pyInt(in); ok {
			t.Errorf("pyInt(%q) = %d; Python's int() refuses it", in, got)
		}
	}
}

func TestPyList(t *testing.T) {
	t.Parallel()
	if got, want := pyList([]string{"a", "it's", `q"'`, "t\tb"}), `['a', "it's", 'q"\'', 't\tb']`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestAssumedRoles: sso status's list of roles assumed from a session's
// credentials, read from the configuration and the cache alone.
func TestAssumedRoles(t *testing.T) {
	t.Parallel()
	cfg := chainTestConfig(t)
	m := &Manager{Home: t.TempDir()}
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, arn := range []string{"arn:aws:iam::444455556666:role/Deployer", "arn:aws:iam::444455556666:role/Auditor"} {
		a := &ssocache.AssumedRole{AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: exp}
		if err := ssocache.WriteAssumedRole(ssocache.AssumedRolePath(m.Home, ssocache.AssumeRoleKey{RoleArn: arn}), a); err != nil {
			t.Fatal(err)
		}
	}
	got := m.AssumedRoles(cfg, envOf())
	file := ssocache.TokenFileName("corp", "https://d-0000000000.awsapps.com/start")
	// Deployer's file serves role-on-sso and sso-and-role (same parameters);
	// role-on-keys uses it too but its source is not IAM Identity Center.
	want := []AssumedRoleStatus{
		{Profile: "role-on-sso", RoleArn: "arn:aws:iam::444455556666:role/Deployer", Expiration: exp, TokenFile: file},
		{Profile: "sso-and-role", RoleArn: "arn:aws:iam::444455556666:role/Deployer", Expiration: exp, TokenFile: file},
		{Profile: "role-on-role", RoleArn: "arn:aws:iam::444455556666:role/Auditor", Expiration: exp, TokenFile: file},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestLogoutKeepsAssumedRoles: sso logout deletes what the AWS CLI deletes
// (ProviderType "sso" entries) and nothing more: assumed-role entries,
// written by ssocli or by the AWS CLI, stay.
func TestLogoutKeepsAssumedRoles(t *testing.T) {
	t.Parallel()
	m := &Manager{Home: t.TempDir()}
	ours := ssocache.AssumedRolePath(m.Home, ssocache.AssumeRoleKey{RoleArn: "arn:aws:iam::1:role/a"})
	if err := ssocache.WriteAssumedRole(ours, &ssocache.AssumedRole{AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sso := ssocache.RoleCredsPath(m.Home, "1", "r", "corp", "")
	if err := ssocache.WriteRoleCredentials(sso, &ssocache.RoleCredentials{AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	res, err := m.Logout(t.Context(), LogoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Roles != 1 {
		t.Errorf("removed %d role credential files, want 1 (the SSO one)", res.Roles)
	}
	if _, err := ssocache.ReadAssumedRole(ours); err != nil {
		t.Errorf("the assumed-role entry was removed: %v", err)
	}
}
