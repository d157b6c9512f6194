package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
)

func TestLoginCallerIdentityLogout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	out := h.mustRun("sso", "login", "--profile", "p", "--use-device-code", "--no-browser")
	if !strings.HasSuffix(out, "Successfully logged into Start URL: "+h.srv.StartURL+"\n") {
		t.Errorf("login output does not end with the success line:\n%s", out)
	}
	// A pre-authorised client shows no code (spec §2.2 step 3).
	if strings.Contains(out, "Then enter the code") {
		t.Errorf("an approved-at-once login printed a code:\n%s", out)
	}
	tok, err := ssocache.ReadToken(ssocache.TokenPath(h.home, "corp", ""))
	if err != nil {
		t.Fatalf("token cache: %v", err)
	}
	if tok.StartURL != h.srv.StartURL || tok.Region != h.srv.Region || tok.RefreshToken == "" || tok.ClientID == "" {
		t.Errorf("token cache misses fields: startUrl=%q region=%q refresh=%t client=%t", tok.StartURL, tok.Region, tok.RefreshToken != "", tok.ClientID != "")
	}

	out = h.mustRun("sts", "get-caller-identity", "--profile", "p")
	var id struct{ UserId, Account, Arn string }
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if id.Account != testAccount || !regexp.MustCompile(`^arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}/alice$`).MatchString(id.Arn) ||
		!strings.HasSuffix(id.UserId, ":alice") {
		t.Errorf("identity = %+v", id)
	}
	if !strings.HasPrefix(out, "{\n    \"UserId\": ") {
		t.Errorf("JSON is not 4-space indented in model order:\n%s", out)
	}
	text := h.mustRun("sts", "get-caller-identity", "--profile", "p", "--output", "text")
	if want := id.Account + "\t" + id.Arn + "\t" + id.UserId + "\n"; text != want {
		t.Errorf("text output = %q, want %q", text, want)
	}
	if got := h.count("GetRoleCredentials"); got != 1 {
		t.Errorf("GetRoleCredentials calls = %d, want 1 (the second command uses the cache)", got)
	}

	regs := h.files("sso/cache")
	if len(regs) != 2 {
		t.Fatalf("sso cache holds %v, want a token and a registration", regs)
	}
	if len(h.files("cli/cache")) != 1 {
		t.Fatalf("cli cache holds %v, want one role credential file", h.files("cli/cache"))
	}
	// An assume-role entry shares the directory and must survive logout.
	other := h.path(".aws", "cli", "cache", "assume.json")
	if err := os.WriteFile(other, []byte(`{"Credentials": {"AccessKeyId": "x"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := h.mustRun("sso", "logout"); out != "" {
		t.Errorf("logout printed %q, want nothing", out)
	}
	if got := h.count("Logout"); got != 1 {
		t.Errorf("Logout calls = %d, want 1", got)
	}
	if diff := cmp.Diff([]string{ssocache.RegistrationFileName(h.srv.StartURL, h.srv.Region, []string{"sso:account:access"}, "corp")}, h.files("sso/cache")); diff != "" {
		t.Errorf("after logout the sso cache should hold only the registration (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"assume.json"}, h.files("cli/cache")); diff != "" {
		t.Errorf("after logout the cli cache (-want +got):\n%s", diff)
	}
	_, errs, code := h.run("sts", "get-caller-identity", "--profile", "p")
	if code != 255 || !strings.Contains(errs, "Error loading SSO Token: Token for corp does not exist") || !strings.Contains(errs, "run: ssocli sso login --profile p") {
		t.Errorf("after logout: exit %d, stderr %q", code, errs)
	}
}

func TestExportCredentialsFormats(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code", "--no-browser")
	rc, err := func() (*ssocache.RoleCredentials, error) {
		h.mustRun("configure", "export-credentials", "--profile", "p")
		return ssocache.ReadRoleCredentials(ssocache.RoleCredsPath(h.home, testAccount, testRole, "corp", ""))
	}()
	if err != nil {
		t.Fatal(err)
	}
	exp := rc.Expiration.UTC().Format("2006-01-02T15:04:05") + "+00:00"
	// Compare with the secrets replaced by placeholders, so that a failure
	// message never shows one.
	hide := strings.NewReplacer(rc.AccessKeyID, "AKID", rc.SecretAccessKey, "SECRET", rc.SessionToken, "TOKEN", exp, "EXP")
	tests := []struct{ format, want string }{
		{"process", "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKID\",\n  \"SecretAccessKey\": \"SECRET\",\n  \"SessionToken\": \"TOKEN\",\n  \"Expiration\": \"EXP\"\n}\n"},
		{"env", "export AWS_ACCESS_KEY_ID=AKID\nexport AWS_SECRET_ACCESS_KEY=SECRET\nexport AWS_SESSION_TOKEN=TOKEN\nexport AWS_CREDENTIAL_EXPIRATION=EXP\n"},
		{"env-no-export", "AWS_ACCESS_KEY_ID=AKID\nAWS_SECRET_ACCESS_KEY=SECRET\nAWS_SESSION_TOKEN=TOKEN\nAWS_CREDENTIAL_EXPIRATION=EXP\n"},
		{"powershell", "$Env:AWS_ACCESS_KEY_ID=\"AKID\"\n$Env:AWS_SECRET_ACCESS_KEY=\"SECRET\"\n$Env:AWS_SESSION_TOKEN=\"TOKEN\"\n$Env:AWS_CREDENTIAL_EXPIRATION=\"EXP\"\n"},
		{"windows-cmd", "set AWS_ACCESS_KEY_ID=AKID\nset AWS_SECRET_ACCESS_KEY=SECRET\nset AWS_SESSION_TOKEN=TOKEN\nset AWS_CREDENTIAL_EXPIRATION=EXP\n"},
		{"fish", "set -gx AWS_ACCESS_KEY_ID \"AKID\"\nset -gx AWS_SECRET_ACCESS_KEY \"SECRET\"\nset -gx AWS_SESSION_TOKEN \"TOKEN\"\nset -gx AWS_CREDENTIAL_EXPIRATION \"EXP\"\n"},
	}
	for _, tt := range tests {
		got := h.mustRun("configure", "export-credentials", "--profile", "p", "--format", tt.format)
		if diff := cmp.Diff(tt.want, hide.Replace(got)); diff != "" {
			t.Errorf("--format %s (-want +got):\n%s", tt.format, diff)
		}
	}
	if got := h.count("GetRoleCredentials"); got != 1 {
		t.Errorf("GetRoleCredentials calls = %d, want 1: the cache serves the rest", got)
	}
	_, errs, code := h.run("configure", "export-credentials", "--profile", "p", "--format", "yaml")
	if code != 252 || !strings.Contains(errs, "Found invalid choice 'yaml'") {
		t.Errorf("bad format: exit %d, stderr %q", code, errs)
	}
}

// TestConfigurationErrors checks the AWS CLI's messages and exit codes for bad
// configuration (spec §1.4, §2.1), and that each names the fix.
func TestConfigurationErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name     string
		config   string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown profile", "", []string{"sts", "get-caller-identity", "--profile", "nope"}, 255, "The config profile (nope) could not be found"},
		{"missing sso-session", "[profile x]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = r\n", []string{"configure", "export-credentials", "--profile", "x"}, 253,
			`Unable to retrieve credentials: The specified sso-session does not exist: "gone"`},
		{"missing keys", "[profile x]\nsso_role_name = r\n", []string{"configure", "export-credentials", "--profile", "x"}, 253,
			`The profile "x" is configured to use SSO but is missing required configuration: sso_account_id, sso_start_url, sso_region`},
		{"login without start url", "[profile x]\nsso_region = us-east-1\n", []string{"sso", "login", "--profile", "x"}, 253,
			"Missing the following required SSO configuration values: sso_start_url. To make sure this profile is properly configured to use SSO, please run: aws configure sso"},
		{"login session missing", "", []string{"sso", "login", "--sso-session", "nope"}, 253, `The specified sso-session does not exist: "nope"`},
		{"malformed config", "[profile x\nkey = v\n", []string{"sts", "get-caller-identity", "--profile", "x"}, 255, "Unable to parse config file: "},
		{"no region", "[profile x]\naws_access_key_id = a\naws_secret_access_key = b\n", []string{"sts", "get-caller-identity", "--profile", "x"}, 253,
			`ssocli: [ERROR]: An error occurred (NoRegion): You must specify a region. You can also configure your region by running "aws configure".`},
		{"no credentials", "[profile x]\nregion = us-east-1\n", []string{"sts", "get-caller-identity", "--profile", "x"}, 253, "\nssocli: [ERROR]: An error occurred (NoCredentials): Unable to locate credentials. You can configure credentials by running \"aws login\".\n"},
		{"not logged in", "", []string{"sts", "get-caller-identity", "--profile", "p"}, 255, "Error loading SSO Token: Token for corp does not exist\nssocli: [HINT]: run: ssocli sso login --profile p"},
		// export-credentials wraps resolution errors only (W1); fetching
		// errors keep their text and code, as the AWS CLI 2.9.19's.
		{"legacy not logged in", "", []string{"configure", "export-credentials", "--profile", "legacy"}, 255, "\nssocli: [ERROR]: Error loading SSO Token: Token for START does not exist\nssocli: [HINT]: run: ssocli sso login --profile legacy"},
		{"export: malformed config", "[profile x\nkey = v\n", []string{"configure", "export-credentials", "--profile", "x"}, 255, "\nssocli: [ERROR]: Unable to parse config file: "},
		{"export: no credentials", "[profile x]\nregion = us-east-1\n", []string{"configure", "export-credentials", "--profile", "x"}, 253, "\nssocli: [ERROR]: An error occurred (Configuration): Unable to retrieve credentials: no credentials found\n"},
		{"export: unknown profile", "", []string{"configure", "export-credentials", "--profile", "nope"}, 253, "\nssocli: [ERROR]: Unable to retrieve credentials: The config profile (nope) could not be found"},
		{"unknown flag", "", []string{"sso", "login", "--bogus"}, 252, "Unknown options: --bogus"},
		// W3: the latest AWS CLI refuses a start URL that is not https before any call.
		{"http start url", "[sso-session plain]\nsso_start_url = http://d-0000000000.awsapps.com/start\nsso_region = us-east-1\n", []string{"sso", "login", "--sso-session", "plain"}, 253,
			"\nssocli: [ERROR]: An error occurred (Configuration): The sso_start_url must use the https scheme.\n"},
		{"start url without scheme", "[profile bare]\nsso_start_url = d-0000000000.awsapps.com/start\nsso_region = us-east-1\n", []string{"sso", "login", "--profile", "bare"}, 253,
			"\nssocli: [ERROR]: An error occurred (Configuration): The sso_start_url must use the https scheme.\n"},
		// W2: botocore's message, not the SDK's "failed to bind endpoint params".
		{"bad region", "", []string{"sts", "get-caller-identity", "--profile", "p", "--region", "us east-1"}, 255, "\nssocli: [ERROR]: Provided region_name 'us east-1' doesn't match a supported format.\n"},
		{"bad sso_region", "[sso-session bad]\nsso_start_url = " + testStartURL + "\nsso_region = us-east-1/../x\n", []string{"sso", "login", "--sso-session", "bad"}, 255,
			"\nssocli: [ERROR]: Provided region_name 'us-east-1/../x' doesn't match a supported format.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := h.defaultConfig() + "\n" + tt.config
			if tt.name == "malformed config" || tt.name == "export: malformed config" {
				cfg = tt.config
			}
			h.writeConfig(cfg)
			out, errs, code := h.run(tt.args...)
			want := strings.ReplaceAll(tt.wantErr, "START", h.srv.StartURL)
			if code != tt.wantCode || !strings.Contains(errs, want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain:\n%s", code, tt.wantCode, errs, want)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestBrokenCacheFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	tokenPath := ssocache.TokenPath(h.home, "corp", "")
	if err := os.WriteFile(tokenPath, []byte(`{"startUrl": "x", "accessTo`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code := h.run("sts", "get-caller-identity", "--profile", "p")
	if code != 255 || !strings.Contains(errs, tokenPath) || !strings.Contains(errs, "run: ssocli sso login --profile p") {
		t.Errorf("broken token: exit %d, stderr %q", code, errs)
	}
	// sso status says the same, not "not logged in" (W8).
	_, statusErrs, code := h.run("sso", "status", "--sso-session", "corp")
	if code != 255 || statusErrs != strings.Replace(errs, "--profile p", "--sso-session corp", 1) {
		t.Errorf("sso status of the broken token: exit %d, stderr %q; want 255 and %q", code, statusErrs, errs)
	}
	if out, _, code := h.run("sso", "status"); code != ExitNotLoggedIn || !strings.Contains(out, "Access token:  unreadable: Error loading SSO Token: Token for "+h.srv.StartURL+" is invalid") {
		t.Errorf("sso status of every session: exit %d, table:\n%s", code, out)
	}
	// A broken role cache is fetched again, not fatal.
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	rolePath := ssocache.RoleCredsPath(h.home, testAccount, testRole, "corp", "")
	if err := os.MkdirAll(h.path(".aws", "cli", "cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rolePath, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustRun("configure", "export-credentials", "--profile", "p")
	if _, err := ssocache.ReadRoleCredentials(rolePath); err != nil {
		t.Errorf("the role cache was not rewritten: %v", err)
	}
}

// TestRefresh covers spec §4: a token in its refresh window is refreshed
// once, rotated, and written back; the next command needs no refresh.
func TestRefresh(t *testing.T) {
	t.Parallel()
	clock := idctest.NewClock(time.Now())
	h := newHarness(t, idctest.WithNow(clock.Now))
	h.now = clock.Now
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	before, err := ssocache.ReadToken(ssocache.TokenPath(h.home, "corp", ""))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(50 * time.Minute) // 10 minutes left: inside the 15-minute window
	h.mustRun("configure", "export-credentials", "--profile", "p")
	h.mustRun("configure", "export-credentials", "--profile", "ro")
	if got := h.count("CreateToken/refresh_token"); got != 1 {
		t.Errorf("refreshes = %d, want 1", got)
	}
	after, err := ssocache.ReadToken(ssocache.TokenPath(h.home, "corp", ""))
	if err != nil {
		t.Fatal(err)
	}
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken || !after.ExpiresAt.After(before.ExpiresAt) {
		t.Errorf("token was not rotated and written back (expires %v -> %v)", before.ExpiresAt, after.ExpiresAt)
	}
	if after.ClientID != before.ClientID || !after.RegistrationExpiresAt.Equal(before.RegistrationExpiresAt) {
		t.Errorf("refresh lost the registration fields")
	}

	// Past the session's end the refresh fails and the token has expired.
	clock.Advance(9 * time.Hour)
	_, errs, code := h.run("configure", "export-credentials", "--profile", "p")
	// A fetch-time error: its own message and code, as the AWS CLI (W1).
	if code != 255 || !strings.Contains(errs, "\nssocli: [ERROR]: Error when retrieving token from sso: Token has expired and refresh failed\n") || !strings.Contains(errs, "run: ssocli sso login --profile p") {
		t.Errorf("expired session: exit %d, stderr %q", code, errs)
	}
}

// TestLegacyExpiredIsLocal: a legacy token is never refreshed, and an expired
// one is refused without a network call (AWS CLI ≥ 2.25.3).
func TestLegacyExpiredIsLocal(t *testing.T) {
	t.Parallel()
	clock := idctest.NewClock(time.Now())
	h := newHarness(t, idctest.WithNow(clock.Now))
	h.now = clock.Now
	h.mustRun("sso", "login", "--profile", "legacy")
	h.mustRun("configure", "export-credentials", "--profile", "legacy")
	calls := h.srv.Server.Counts()
	clock.Advance(9 * time.Hour)
	_, errs, code := h.run("configure", "export-credentials", "--profile", "legacy")
	if code != 255 || !strings.Contains(errs, "\nssocli: [ERROR]: The SSO session associated with this profile has expired or is otherwise invalid.") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if diff := cmp.Diff(calls, h.srv.Server.Counts()); diff != "" {
		t.Errorf("an expired legacy token made calls (-before +after):\n%s", diff)
	}
}

// TestRevokedSession: a 401 from GetRoleCredentials is the expired-session message.
func TestRevokedSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	tok, err := ssocache.ReadToken(ssocache.TokenPath(h.home, "corp", ""))
	if err != nil {
		t.Fatal(err)
	}
	// Revoke on the server only, as another machine's logout would.
	h2 := &harness{t: t, srv: h.srv, home: t.TempDir(), vars: h.vars}
	if err := ssocache.WriteToken(ssocache.TokenPath(h2.home, "corp", ""), tok); err != nil {
		t.Fatal(err)
	}
	h2.vars = map[string]string{"HOME": h2.home, "AWS_ENDPOINT_URL": h.srv.URL}
	h2.mustRun("sso", "logout")
	_, errs, code := h.run("sts", "get-caller-identity", "--profile", "p")
	if code != 255 || !strings.Contains(errs, "The SSO session associated with this profile has expired or is otherwise invalid.") || !strings.Contains(errs, "run: ssocli sso login --profile p") {
		t.Errorf("revoked: exit %d, stderr %q", code, errs)
	}
}

func TestLogoutOneSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	h.mustRun("sso", "login", "--profile", "legacy")
	h.mustRun("configure", "export-credentials", "--profile", "p")
	h.mustRun("configure", "export-credentials", "--profile", "legacy")
	h.mustRun("sso", "logout", "--sso-session", "corp")
	if _, _, code := h.run("configure", "export-credentials", "--profile", "p"); code == 0 {
		t.Errorf("the logged-out session still gives credentials")
	}
	h.mustRun("configure", "export-credentials", "--profile", "legacy")
	// With the server unreachable, logout still deletes the files and says so.
	h.vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
	_, errs, code := h.run("sso", "logout")
	if code == 0 || !strings.Contains(errs, "Could not revoke the session on the server for: "+h.srv.StartURL) {
		t.Errorf("logout with the server down: exit %d, stderr %q", code, errs)
	}
	for _, f := range h.files("sso/cache") {
		if tok, err := ssocache.ReadToken(h.path(".aws", "sso", "cache", f)); err == nil {
			t.Errorf("token for %s survived the logout", tok.StartURL)
		}
	}
	if n := len(h.files("cli/cache")); n != 0 {
		t.Errorf("%d role credential files survived the logout", n)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if _, _, code := h.run("sso", "status", "--sso-session", "corp"); code != ExitNotLoggedIn {
		t.Errorf("status before login: exit %d, want %d", code, ExitNotLoggedIn)
	}
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	h.mustRun("configure", "export-credentials", "--profile", "p")
	out := h.mustRun("sso", "status", "--sso-session", "corp", "--output", "json")
	var got struct {
		Sessions []struct {
			Session, StartUrl, Region string
			Valid, CanRefresh         bool
			RoleCredentials           []struct{ Profile, AccountId, RoleName string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Sessions) != 1 || got.Sessions[0].Session != "corp" || !got.Sessions[0].Valid || !got.Sessions[0].CanRefresh ||
		len(got.Sessions[0].RoleCredentials) != 1 || got.Sessions[0].RoleCredentials[0].Profile != "p" {
		t.Errorf("status = %s", out)
	}
	tok, _ := ssocache.ReadToken(ssocache.TokenPath(h.home, "corp", ""))
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken, tok.ClientSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("status printed a secret")
		}
	}
	table := h.mustRun("sso", "status")
	if !strings.Contains(table, "Session:") || !strings.Contains(table, "corp") {
		t.Errorf("table status:\n%s", table)
	}
}

func TestParallelLoginsShareOneFlow(t *testing.T) {
	t.Parallel()
	const n = 4
	// The login that takes the lock is approved only once the n-1 others
	// have said they wait for it, however slowly they start.
	var waiting atomic.Int32
	h := newHarness(t, idctest.WithApproveWhen(func() bool { return waiting.Load() == n-1 }))
	type result struct {
		out, errs string
		code      int
	}
	results := make(chan result, n)
	for range n {
		go func() {
			// Stderr goes through a pipe read line by line, to count the
			// "waiting" lines while the logins run.
			pr, pw := io.Pipe()
			var errs strings.Builder
			read := make(chan struct{})
			go func() {
				defer close(read)
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					errs.WriteString(sc.Text() + "\n")
					if strings.Contains(sc.Text(), "waiting for it to finish") {
						waiting.Add(1)
					}
				}
			}()
			var out bytes.Buffer
			env := h.env(&out, nil)
			env.Stderr = pw
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			code := Run(ctx, env, []string{"sso", "login", "--profile", "p", "--use-device-code", "--no-browser"})
			pw.Close()
			<-read
			results <- result{out.String(), errs.String(), code}
		}()
	}
	waited := 0
	for range n {
		r := <-results
		if r.code != 0 || !strings.Contains(r.out, "Successfully logged into Start URL") {
			t.Errorf("a login failed: exit %d\n%s%s", r.code, r.out, r.errs)
		}
		if strings.Contains(r.errs, "waiting for it to finish") {
			waited++
		}
	}
	if got := h.count("StartDeviceAuthorization"); got != 1 {
		t.Errorf("device authorizations = %d, want 1", got)
	}
	if waited != n-1 {
		t.Errorf("%d logins said they waited, want %d", waited, n-1)
	}
}

func TestListProfiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.writeConfig("[profile b]\n[default]\n[profile \"a b\"]\n[sso-session s]\n")
	if err := os.WriteFile(h.path(".aws", "credentials"), []byte("[c]\n[b]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(h.mustRun("configure", "list-profiles")), "\n")
	if want := []string{"b", "default", "a b", "c"}; !slices.Equal(got, want) {
		t.Errorf("list-profiles = %q, want %q", got, want)
	}
}

// TestAutoLogin: with --auto-login (or sso_auto_login = true) and a person at
// a terminal, an ended session is logged in again and the command goes on;
// stdout keeps only what was asked for. Without a terminal it does not.
func TestAutoLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, errs, code := h.run("configure", "export-credentials", "--profile", "p", "--auto-login")
	if code == 0 || !strings.Contains(errs, "does not exist") {
		t.Fatalf("without a terminal auto-login must not start: exit %d, stderr %q", code, errs)
	}
	h.tty = true
	out, errs, code := h.run("configure", "export-credentials", "--profile", "p", "--auto-login")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var v struct{ Version int }
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Version != 1 {
		t.Errorf("stdout is not the credential_process JSON alone (%v)", err)
	}
	if !strings.Contains(errs, "has expired; logging in again") || !strings.Contains(errs, "Successfully logged into Start URL") {
		t.Errorf("stderr does not tell about the login: %q", errs)
	}
	// The profile key does the same.
	h.mustRun("sso", "logout")
	h.writeConfig(strings.Replace(h.defaultConfig(), "[profile p]\n", "[profile p]\nsso_auto_login = true\n", 1))
	if _, errs, code := h.run("configure", "export-credentials", "--profile", "p"); code != 0 {
		t.Errorf("sso_auto_login = true: exit %d, stderr %q", code, errs)
	}
}

// TestExportCredentialsServiceError: a service error while fetching keeps
// its own message and exit code (254), without the "Unable to retrieve
// credentials" prefix, as in the AWS CLI 2.9.19 (W1).
func TestExportCredentialsServiceError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	h.writeConfig(strings.Replace(h.defaultConfig(), "sso_role_name = ReadOnly", "sso_role_name = NoSuchRole", 1))
	out, errs, code := h.run("configure", "export-credentials", "--profile", "ro")
	if code != 254 || !strings.HasPrefix(errs, "\nssocli: [ERROR]: An error occurred (ForbiddenException) when calling the GetRoleCredentials operation") || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 254 and the service's error", code, out, errs)
	}
}

// TestUnreadableConfig: a config file that cannot be read is named with the
// cause, so the fix can be seen (W12; the cause used to show only with --debug).
func TestUnreadableConfig(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path, why := unreadableConfig(t, h)
	h.vars["AWS_CONFIG_FILE"] = path
	_, errs, code := h.run("sts", "get-caller-identity", "--profile", "p")
	want := "\nssocli: [ERROR]: Unable to read config file " + path + ": " + why + "\nssocli: [HINT]: make the file readable by you"
	if code != 255 || !strings.HasPrefix(errs, want) {
		t.Errorf("exit %d, stderr %q; want 255 and %q", code, errs, want)
	}
}

// TestRelTime: how sso status says when something expires (W13: dates
// beyond a time.Duration's 292 years, and a token that expired this minute).
func TestRelTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(42 * time.Minute), "in 42m"},
		{now.Add(-(3*time.Hour + 10*time.Minute)), "3h10m ago"},
		{now.Add(47*time.Hour + 59*time.Minute), "in 47h59m"},
		{now.Add(12*24*time.Hour + 3*time.Hour), "in 12d03h"},
		{now.Add(-10 * time.Second), "less than a minute ago"},
		{now, "less than a minute ago"},
		{now.Add(20 * time.Second), "in less than a minute"},
		// Python: (datetime(9999,12,31,23,59,59) - datetime(2026,12,1,12)) is 2912108 days, 11:59:59.
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "in 2912108d12h"},
		{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), "740316d12h ago"},
	} {
		if got := relTime(tc.t, now); got != tc.want {
			t.Errorf("relTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
