package awsconfig

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ssocli/ssocli/internal/usererr"
)

const ssoConfig = `[default]
region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2
output = json

[profile legacy]
sso_start_url = https://d-1.awsapps.com/start#/
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin
sso_registration_scopes = ignored:for:legacy

[profile legacy-partial]
sso_role_name = Admin
sso_start_url = https://d-1.awsapps.com/start

[profile consistent]
sso_session = corp
sso_start_url = https://d-corp.awsapps.com/start
sso_account_id = 1
sso_role_name = R

[profile inconsistent]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 1
sso_role_name = R

[profile no-session]
sso_session = nope
sso_account_id = 1

[profile bad-session]
sso_session = half
sso_account_id = 1

[profile empty-values]
sso_account_id =
sso_role_name =
sso_start_url =
sso_region =

[profile static]
region = us-east-1
aws_access_key_id = AKIDEXAMPLE

[profile session-only]
sso_session = corp

[sso-session corp]
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access, ,codewhisperer:completions,

[sso-session half]
sso_region = eu-central-1

[sso-session noscopes]
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-east-1
`

func wantUserErr(t *testing.T, err error, code int, msg string) {
	t.Helper()
	ue := usererr.As(err)
	if ue == nil {
		t.Fatalf("error = %v, want *usererr.Error %q", err, msg)
	}
	if diff := cmp.Diff([2]any{code, msg}, [2]any{ue.Code, ue.Msg}); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestSSOCredentials(t *testing.T) {
	t.Parallel()
	c := mustParse(t, ssoConfig, "")
	tests := []struct {
		name     string
		profile  string
		explicit bool
		want     *SSOProfile
		wantErr  string // exact message, exit code 255
		notSSO   bool
	}{
		{
			name: "sso-session form", profile: "dev", explicit: true,
			want: &SSOProfile{Profile: "dev", SessionName: "corp", StartURL: "https://d-corp.awsapps.com/start", SSORegion: "us-east-1",
				AccountID: "111122223333", RoleName: "ReadOnly", Region: "us-west-2",
				Scopes: []string{"sso:account:access", "codewhisperer:completions"},
				Values: vals{"sso_session": "corp", "sso_account_id": "111122223333", "sso_role_name": "ReadOnly", "region": "us-west-2", "output": "json",
					"sso_start_url": "https://d-corp.awsapps.com/start", "sso_region": "us-east-1", "sso_registration_scopes": "sso:account:access, ,codewhisperer:completions,"}},
		},
		{
			name: "legacy form ignores its scopes", profile: "legacy", explicit: true,
			want: &SSOProfile{Profile: "legacy", StartURL: "https://d-1.awsapps.com/start#/", SSORegion: "us-east-1", AccountID: "111122223333", RoleName: "Admin",
				Values: vals{"sso_start_url": "https://d-1.awsapps.com/start#/", "sso_region": "us-east-1", "sso_account_id": "111122223333", "sso_role_name": "Admin", "sso_registration_scopes": "ignored:for:legacy"}},
		},
		{
			name: "same value in profile and session is fine", profile: "consistent", explicit: true,
			want: &SSOProfile{Profile: "consistent", SessionName: "corp", StartURL: "https://d-corp.awsapps.com/start", SSORegion: "us-east-1", AccountID: "1", RoleName: "R",
				Scopes: []string{"sso:account:access", "codewhisperer:completions"},
				Values: vals{"sso_session": "corp", "sso_start_url": "https://d-corp.awsapps.com/start", "sso_account_id": "1", "sso_role_name": "R", "sso_region": "us-east-1", "sso_registration_scopes": "sso:account:access, ,codewhisperer:completions,"}},
		},
		{
			name: "empty values count as set", profile: "empty-values", explicit: true,
			want: &SSOProfile{Profile: "empty-values", Values: vals{"sso_account_id": "", "sso_role_name": "", "sso_start_url": "", "sso_region": ""}},
		},
		{name: "missing keys, in botocore's order", profile: "legacy-partial", explicit: true,
			wantErr: `The profile "legacy-partial" is configured to use SSO but is missing required configuration: sso_account_id, sso_region`},
		{name: "inconsistent value", profile: "inconsistent", explicit: true,
			wantErr: "The value for sso_start_url is inconsistent between profile (https://other.awsapps.com/start) and sso-session (https://d-corp.awsapps.com/start)."},
		{name: "missing sso-session", profile: "no-session", explicit: true,
			wantErr: `The specified sso-session does not exist: "nope"`},
		{name: "incomplete sso-session", profile: "bad-session", explicit: true,
			wantErr: `The profile "bad-session" is configured to use SSO but is missing required configuration: sso_role_name, sso_start_url`},
		{name: "explicit unknown profile", profile: "ghost", explicit: true, wantErr: "The config profile (ghost) could not be found"},
		{name: "implicit default without sso keys", profile: "default", notSSO: true},
		{name: "static keys are not sso", profile: "static", explicit: true, notSSO: true},
		{name: "sso_session alone does not activate the provider", profile: "session-only", explicit: true, notSSO: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.SSOCredentials(tt.profile, tt.explicit)
			switch {
			case tt.notSSO:
				if !errors.Is(err, ErrNotSSO) {
					t.Fatalf("error = %v, want ErrNotSSO", err)
				}
			case tt.wantErr != "":
				wantUserErr(t, err, usererr.CodeOther, tt.wantErr)
			default:
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("SSOCredentials (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestSSOCredentialsImplicitMissingDefault(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "[profile x]\nsso_role_name = r\n", "")
	if _, err := c.SSOCredentials("default", false); !errors.Is(err, ErrNotSSO) {
		t.Errorf("error = %v, want ErrNotSSO (scoped config is {})", err)
	}
	_, err := c.SSOCredentials("default", true)
	wantUserErr(t, err, usererr.CodeOther, "The config profile (default) could not be found")
}

func TestSSOLogin(t *testing.T) {
	t.Parallel()
	c := mustParse(t, ssoConfig, "")
	tests := []struct {
		name       string
		profile    string
		session    string
		explicit   bool
		want       *SSOProfile
		wantCode   int
		wantErrMsg string
	}{
		{
			name: "session from the profile", profile: "dev", explicit: true,
			want: &SSOProfile{Profile: "dev", SessionName: "corp", StartURL: "https://d-corp.awsapps.com/start", SSORegion: "us-east-1",
				AccountID: "111122223333", RoleName: "ReadOnly", Region: "us-west-2", Scopes: []string{"sso:account:access", "codewhisperer:completions"},
				Values: vals{"sso_session": "corp", "sso_account_id": "111122223333", "sso_role_name": "ReadOnly", "region": "us-west-2", "output": "json",
					"sso_start_url": "https://d-corp.awsapps.com/start", "sso_region": "us-east-1", "sso_registration_scopes": "sso:account:access, ,codewhisperer:completions,"}},
		},
		{
			name: "--sso-session wins and is not cross-checked", profile: "inconsistent", session: "noscopes", explicit: true,
			want: &SSOProfile{Profile: "inconsistent", SessionName: "noscopes", StartURL: "https://d-corp.awsapps.com/start", SSORegion: "us-east-1", AccountID: "1", RoleName: "R",
				Values: vals{"sso_session": "corp", "sso_start_url": "https://d-corp.awsapps.com/start", "sso_account_id": "1", "sso_role_name": "R", "sso_region": "us-east-1"}},
		},
		{
			name: "--sso-session with an implicit default profile", profile: "default", session: "corp",
			want: &SSOProfile{Profile: "default", SessionName: "corp", StartURL: "https://d-corp.awsapps.com/start", SSORegion: "us-east-1", Region: "eu-west-1",
				Scopes: []string{"sso:account:access", "codewhisperer:completions"},
				Values: vals{"region": "eu-west-1", "sso_start_url": "https://d-corp.awsapps.com/start", "sso_region": "us-east-1", "sso_registration_scopes": "sso:account:access, ,codewhisperer:completions,"}},
		},
		{
			name: "legacy needs only start URL and region", profile: "legacy", explicit: true,
			want: &SSOProfile{Profile: "legacy", StartURL: "https://d-1.awsapps.com/start#/", SSORegion: "us-east-1", AccountID: "111122223333", RoleName: "Admin",
				Values: vals{"sso_start_url": "https://d-1.awsapps.com/start#/", "sso_region": "us-east-1", "sso_account_id": "111122223333", "sso_role_name": "Admin", "sso_registration_scopes": "ignored:for:legacy"}},
		},
		{name: "legacy missing region", profile: "legacy-partial", explicit: true, wantCode: 253,
			wantErrMsg: "Missing the following required SSO configuration values: sso_region. To make sure this profile is properly configured to use SSO, please run: aws configure sso"},
		{name: "no sso config at all", profile: "default", wantCode: 253,
			wantErrMsg: "Missing the following required SSO configuration values: sso_start_url, sso_region. To make sure this profile is properly configured to use SSO, please run: aws configure sso"},
		{name: "session missing keys (trailing space)", profile: "bad-session", explicit: true, wantCode: 253,
			wantErrMsg: "Missing the following required SSO configuration values: sso_start_url. "},
		{name: "unknown --sso-session", profile: "dev", session: "ghost", explicit: true, wantCode: 253,
			wantErrMsg: `The specified sso-session does not exist: "ghost"`},
		{name: "profile's unknown session", profile: "no-session", explicit: true, wantCode: 253,
			wantErrMsg: `The specified sso-session does not exist: "nope"`},
		{name: "explicit unknown profile, even with --sso-session", profile: "ghost", session: "corp", explicit: true, wantCode: 255,
			wantErrMsg: "The config profile (ghost) could not be found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.SSOLogin(tt.profile, tt.session, tt.explicit)
			if tt.wantErrMsg != "" {
				wantUserErr(t, err, tt.wantCode, tt.wantErrMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SSOLogin (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"sso:account:access", []string{"sso:account:access"}},
		{" a , b,,c ,", []string{"a", "b", "c"}},
		{"", []string{}},
		{" , ", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := ParseScopes(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" || got == nil {
				t.Errorf("ParseScopes(%q) = %#v (-want +got):\n%s", tt.in, got, diff)
			}
		})
	}
}
