package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// The profiles every fixture's ~/.aws/config holds: "p" in the sso-session
// form (session "corp") and "legacy" with the SSO keys in the profile. Both
// use the demo directory's Development account and ReadOnly, which alice has
// through her developers group.
const (
	sessionName   = "corp"
	account       = directory.DemoDevAccount
	permissionSet = "ReadOnly"
	// stsRegion differs from the demo's sso_region (us-east-1), so a peer
	// that sent SSO calls to the profile's region would fail.
	stsRegion = "us-west-2"
	user      = "alice"
)

var sessionScopes = []string{"sso:account:access"}

// hangGuard bounds one command or one wait, so that a peer that never ends
// fails its test with the reason instead of hanging until go test's timeout.
// It is not a speed requirement.
const hangGuard = 90 * time.Second

// fixture is one test's world: a local Identity Center on the namespace's
// loopback, with a CA for the CONNECT proxy, and a temporary HOME whose ~/.aws
// the AWS CLI and ssocli share.
type fixture struct {
	t    *testing.T
	srv  *idctest.TestServer
	dir  *directory.Directory
	home string
}

// newFixture starts a server (opts add to a CA-holding data dir) and writes
// ~/.aws/config. The test is skipped (failed under CI=true) outside the
// network namespace.
func newFixture(t *testing.T, opts ...idctest.Option) *fixture {
	t.Helper()
	netns.Required(t)
	if ssocliBin == "" {
		t.Fatal("no ssocli binary: TestMain did not build one")
	}
	srv := idctest.NewServer(t, append([]idctest.Option{idctest.WithDataDir("")}, opts...)...)
	f := &fixture{t: t, srv: srv, dir: directory.Demo(), home: t.TempDir()}
	if f.dir.Instance.StartURL != srv.StartURL {
		t.Fatalf("the server runs a directory other than directory.Demo: start URL %s", srv.StartURL)
	}
	cfg := strings.NewReplacer("START", srv.StartURL, "SSOREGION", srv.Region, "SESSION", sessionName,
		"ACCT", account, "ROLE", permissionSet, "REGION", stsRegion).Replace(`[sso-session SESSION]
sso_start_url = START
sso_region = SSOREGION
sso_registration_scopes = sso:account:access

[profile p]
sso_session = SESSION
sso_account_id = ACCT
sso_role_name = ROLE
region = REGION
output = json

[profile legacy]
sso_start_url = START
sso_region = SSOREGION
sso_account_id = ACCT
sso_role_name = ROLE
region = REGION
output = json
`)
	path := filepath.Join(f.home, ".aws", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// profile names a profile of the fixture's config and the cache files it uses.
type profile struct {
	name    string
	session string // "" for the legacy form
}

var (
	sessionProfile = profile{name: "p", session: sessionName}
	legacyProfile  = profile{name: "legacy"}
)

func (f *fixture) tokenPath(p profile) string {
	return ssocache.TokenPath(f.home, p.session, f.srv.StartURL)
}

// registrationPath is the client registration's file: the scopes are read
// only from an sso-session section (spec §1.3), so legacy has none.
func (f *fixture) registrationPath(p profile) string {
	var scopes []string
	if p.session != "" {
		scopes = sessionScopes
	}
	return ssocache.RegistrationPath(f.home, f.srv.StartURL, f.srv.Region, scopes, p.session)
}

func (f *fixture) roleCachePath(p profile) string {
	return ssocache.RoleCredsPath(f.home, account, permissionSet, p.session, f.srv.StartURL)
}

// via is how ssocli reaches the server.
type via int

const (
	// viaEndpoint sets AWS_ENDPOINT_URL=http://127.0.0.1:PORT (AWS CLI ≥2.13 style).
	viaEndpoint via = iota
	// viaProxy sets HTTPS_PROXY and AWS_CA_BUNDLE, as the AWS CLI 2.9.19 needs (spec §12).
	viaProxy
)

func (v via) String() string {
	if v == viaProxy {
		return "proxy"
	}
	return "endpoint"
}

// ssocliEnv is the whole environment of an ssocli run: nothing is inherited
// but PATH, so no AWS_* or proxy variable of the machine leaks in. BROWSER is
// /bin/false as for the AWS CLI; extra ("K=V", or "K=" to drop K) overrides.
func (f *fixture) ssocliEnv(v via, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + f.home,
		"AWS_EC2_METADATA_DISABLED=true",
		"BROWSER=/bin/false",
	}
	if v == viaProxy {
		env = append(env, "HTTPS_PROXY="+f.srv.URL, "AWS_CA_BUNDLE="+f.srv.Server.CAFile())
	} else {
		env = append(env, "AWS_ENDPOINT_URL="+f.srv.URL)
	}
	return setEnv(env, extra...)
}

// awsEnv is the AWS CLI's environment (netns.AWSEnv) with extra applied.
func (f *fixture) awsEnv(extra ...string) []string {
	return setEnv(netns.AWSEnv(f.home, f.srv.URL, f.srv.Server.CAFile()), extra...)
}

// setEnv applies "K=V" settings to env; "K=" removes K.
func setEnv(env []string, kv ...string) []string {
	out := slices.Clone(env)
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		out = slices.DeleteFunc(out, func(e string) bool { return strings.HasPrefix(e, k+"=") })
		if v != "" {
			out = append(out, s)
		}
	}
	return out
}

// result is how a command ended.
type result struct {
	cmd    string
	code   int
	stdout string
	stderr string
	// secret is set when stdout holds credentials: String never shows it.
	secret bool
}

// String describes the run for a failure message: stderr (errors never carry
// secrets) and stdout unless it holds credentials.
func (r result) String() string {
	out := r.stdout
	if r.secret {
		out = fmt.Sprintf("(%d bytes of credentials, not shown)", len(r.stdout))
	}
	return fmt.Sprintf("%s: exit %d\n--- stdout:\n%s\n--- stderr:\n%s", r.cmd, r.code, out, r.stderr)
}

// aws runs the AWS CLI with the fixture's environment.
func (f *fixture) aws(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, netns.AWSCLI(t), f.awsEnv(), args...)
}

// ssocli runs the ssocli binary, reaching the server as v says.
func (f *fixture) ssocli(t *testing.T, v via, args ...string) result {
	t.Helper()
	return run(t, ssocliBin, f.ssocliEnv(v), args...)
}

// run runs bin with exactly env and returns how it ended; only a failure to
// start (or a hang) fails the test here.
func run(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	return runStdin(t, bin, env, "", args...)
}

// runStdin is run with stdin.
func runStdin(t *testing.T, bin string, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Dir = envValue(env, "HOME")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{
		cmd:    filepath.Base(bin) + " " + strings.Join(args, " "),
		stdout: stdout.String(),
		stderr: stderr.String(),
		secret: slices.Contains(args, "export-credentials"),
	}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s did not end within %v", r.cmd, hangGuard)
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", r.cmd, err)
	}
	return r
}

func envValue(env []string, key string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, key+"="); ok {
			return v
		}
	}
	return ""
}

// mustSucceed fails the test now unless r exited 0.
func mustSucceed(t *testing.T, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
}

// loggedIn checks the success line of `sso login` (spec §2.1).
func (f *fixture) loggedIn(t *testing.T, r result) {
	t.Helper()
	mustSucceed(t, r)
	want := "Successfully logged into Start URL: " + f.srv.StartURL + "\n"
	if !strings.HasSuffix(r.stdout, want) {
		t.Errorf("stdout does not end with %q\n%s", want, r)
	}
}

// identity is the JSON output of sts get-caller-identity (spec §8).
type identity struct {
	UserId  string
	Account string
	Arn     string
}

// arnPattern is the form of an Identity Center role session's ARN (spec §8).
var arnPattern = regexp.MustCompile(`^arn:aws:sts::\d{12}:assumed-role/AWSReservedSSO_[A-Za-z0-9+=,.@_-]+_[0-9a-f]{16}/[^/]+$`)

// checkIdentity checks that r printed alice's identity in the profile's
// account and permission set, as the directory names them.
func (f *fixture) checkIdentity(t *testing.T, r result) {
	t.Helper()
	mustSucceed(t, r)
	var got identity
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%s: output is not JSON: %v", r.cmd, err)
	}
	want := identity{
		UserId:  f.dir.RoleID(account, permissionSet) + ":" + user,
		Account: account,
		Arn:     "arn:aws:sts::" + account + ":assumed-role/" + f.dir.RoleName(account, permissionSet) + "/" + user,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: identity (-want +got):\n%s", r.cmd, diff)
	}
	if !arnPattern.MatchString(got.Arn) {
		t.Errorf("%s: Arn %q is not of the form arn:aws:sts::<acct>:assumed-role/AWSReservedSSO_<PermissionSet>_<16hex>/<user>", r.cmd, got.Arn)
	}
}

// counts is a snapshot of the server's call counts.
func (f *fixture) counts() map[string]int { return f.srv.Server.Counts() }

// loginOps are the calls a login or a refresh makes.
var loginOps = []string{
	"RegisterClient", "StartDeviceAuthorization", "CreateToken/device_code",
	"CreateToken/authorization_code", "CreateToken/refresh_token",
}

// newCalls returns how many calls of each op the server answered since before.
func (f *fixture) newCalls(before map[string]int, ops ...string) map[string]int {
	now := f.counts()
	out := map[string]int{}
	for _, op := range ops {
		out[op] = now[op] - before[op]
	}
	return out
}

// noNewLogin checks that no login or refresh call reached the server since before.
func (f *fixture) noNewLogin(t *testing.T, what string, before map[string]int) {
	t.Helper()
	want := map[string]int{}
	for _, op := range loginOps {
		want[op] = 0
	}
	if diff := cmp.Diff(want, f.newCalls(before, loginOps...)); diff != "" {
		t.Errorf("%s made login calls (-want +got):\n%s", what, diff)
	}
}

// exists reports whether path exists, failing the test on other errors.
func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// credentials are role credentials as export-credentials prints them or the
// role cache holds them.
type credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// processCredentials parses export-credentials' default (process) format.
func processCredentials(t *testing.T, r result) credentials {
	t.Helper()
	mustSucceed(t, r)
	var out struct {
		Version         int
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%s: output is not JSON: %v", r.cmd, err)
	}
	if out.Version != 1 {
		t.Errorf("%s: Version = %d, want 1", r.cmd, out.Version)
	}
	exp, err := time.Parse("2006-01-02T15:04:05-07:00", out.Expiration)
	if err != nil || !strings.HasSuffix(out.Expiration, "+00:00") {
		t.Errorf("%s: Expiration %q is not of the form 2006-01-02T15:04:05+00:00 (spec §7.3)", r.cmd, out.Expiration)
	}
	return credentials{out.AccessKeyId, out.SecretAccessKey, out.SessionToken, exp.UTC()}
}

// cachedCredentials reads a role cache file.
func cachedCredentials(t *testing.T, path string) credentials {
	t.Helper()
	c, err := ssocache.ReadRoleCredentials(path)
	if err != nil {
		t.Fatalf("read role cache: %v", err)
	}
	return credentials{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.UTC()}
}

// sameCredentials checks got == want field by field, naming the fields that
// differ but never showing a secret.
func sameCredentials(t *testing.T, what string, got, want credentials) {
	t.Helper()
	if got.AccessKeyID == "" || got.SecretAccessKey == "" || got.SessionToken == "" {
		t.Errorf("%s: credentials are incomplete", what)
	}
	if got.AccessKeyID != want.AccessKeyID {
		t.Errorf("%s: AccessKeyId = %s, want %s", what, got.AccessKeyID, want.AccessKeyID)
	}
	if got.SecretAccessKey != want.SecretAccessKey {
		t.Errorf("%s: SecretAccessKey differs (%s)", what, fingerprints(got.SecretAccessKey, want.SecretAccessKey))
	}
	if got.SessionToken != want.SessionToken {
		t.Errorf("%s: SessionToken differs (%s)", what, fingerprints(got.SessionToken, want.SessionToken))
	}
	if !got.Expiration.Equal(want.Expiration) {
		t.Errorf("%s: Expiration = %v, want %v", what, got.Expiration, want.Expiration)
	}
}

// fingerprints tells two secrets apart in a message without revealing them.
func fingerprints(got, want string) string {
	fp := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return fmt.Sprintf("len %d sha256 %x…", len(s), sum[:4])
	}
	return "got " + fp(got) + ", want " + fp(want)
}

// readToken reads a token cache file.
func readToken(t *testing.T, path string) *ssocache.Token {
	t.Helper()
	tok, err := ssocache.ReadToken(path)
	if err != nil {
		t.Fatalf("read token cache: %v", err)
	}
	return tok
}

// moveIntoRefreshWindow rewrites the token file so that it expires in ten
// minutes: inside the 15-minute window in which every peer refreshes before
// fetching role credentials (spec §4), and yet not expired.
func moveIntoRefreshWindow(t *testing.T, path string) {
	t.Helper()
	tok := readToken(t, path)
	tok.ExpiresAt = time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
	if err := ssocache.WriteToken(path, tok); err != nil {
		t.Fatalf("rewrite token cache: %v", err)
	}
}

// removeRoleCache deletes the role cache file, so that the next command must
// use the token to fetch role credentials.
func removeRoleCache(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatalf("remove role cache: %v", err)
	}
}

// secretValue matches the values of the cache files' secret keys.
var secretValue = regexp.MustCompile(`"(accessToken|refreshToken|clientSecret|SecretAccessKey|SessionToken)": "(?:[^"\\]|\\.)*"`)

// redact hides the secret values of a cache file, keeping everything else.
func redact(b []byte) string {
	return secretValue.ReplaceAllString(string(b), `"$1": "<secret>"`)
}

// isoDate is the date format of every cache file (spec §3.2, §5).
var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// shape describes a JSON cache file as its keys in order, nested ones as
// "Outer.Inner", each with the kind of its value ("date" for the cache's date
// format): two files of the same shape differ only in values.
func shape(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []string
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '[' {
				for dec.More() {
					var skip any
					if err := dec.Decode(&skip); err != nil {
						return err
					}
				}
				out = append(out, path+"=list")
			} else {
				for dec.More() {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					if err := walk(strings.TrimPrefix(path+"."+k.(string), ".")); err != nil {
						return err
					}
				}
			}
			_, err := dec.Token() // the closing ']' or '}'
			return err
		case string:
			kind := "string"
			if isoDate.MatchString(v) {
				kind = "date"
			}
			out = append(out, path+"="+kind)
		default:
			out = append(out, fmt.Sprintf("%s=%T", path, v))
		}
		return nil
	}
	if err := walk(""); err != nil {
		t.Fatalf("cache file is not JSON: %v", err)
	}
	return out
}

// checkWrittenLikeSSOCLI checks that the token file at path, written by
// another program, holds exactly the bytes ssocli writes for the same values
// (spec §3.2: key order, spacing, date format).
func checkWrittenLikeSSOCLI(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tok := readToken(t, path)
	// A Token built afresh, as ssocli's login builds it (no unknown keys).
	ours := (&ssocache.Token{
		StartURL:              tok.StartURL,
		Region:                tok.Region,
		AccessToken:           tok.AccessToken,
		ExpiresAt:             tok.ExpiresAt,
		ClientID:              tok.ClientID,
		ClientSecret:          tok.ClientSecret,
		RegistrationExpiresAt: tok.RegistrationExpiresAt,
		RefreshToken:          tok.RefreshToken,
	}).Marshal()
	if !bytes.Equal(raw, ours) {
		if diff := cmp.Diff(redact(ours), redact(raw)); diff != "" {
			t.Errorf("token file differs from what ssocli writes for its values (-ssocli +file):\n%s", diff)
		} else {
			t.Errorf("token file differs from what ssocli writes for its values, inside a secret value")
		}
	}
}

// treeSnapshot maps every file under dir to its mode and a digest of its
// bytes, so that a test can tell whether anything changed without keeping
// secrets around in messages.
func treeSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[rel] = fmt.Sprintf("%s %x %s", info.Mode(), sum[:8], info.ModTime().UTC().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", dir, err)
	}
	return out
}

// process is a command running in the background, whose output the test
// watches while it runs.
type process struct {
	cmd    *exec.Cmd
	name   string
	stdout *watchedBuffer
	stderr *watchedBuffer
	done   chan struct{}
	err    error
}

// start starts bin with exactly env in the background; it is killed when the
// test ends if it is still running.
func start(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{
		cmd:    exec.Command(bin, args...),
		name:   filepath.Base(bin) + " " + strings.Join(args, " "),
		stdout: &watchedBuffer{changed: make(chan struct{}, 1)},
		stderr: &watchedBuffer{changed: make(chan struct{}, 1)},
		done:   make(chan struct{}),
	}
	p.cmd.Env = env
	p.cmd.Dir = envValue(env, "HOME")
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitFor waits until the process's stdout matches re and returns the match
// and its groups; it fails the test if the process ends first.
func (p *process) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	return p.waitIn(t, p.stdout, re)
}

// waitForStderr is waitFor on the process's stderr.
func (p *process) waitForStderr(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	return p.waitIn(t, p.stderr, re)
}

func (p *process) waitIn(t *testing.T, out *watchedBuffer, re *regexp.Regexp) []string {
	t.Helper()
	guard := time.NewTimer(hangGuard)
	defer guard.Stop()
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m
		}
		select {
		case <-out.changed:
		case <-p.done:
			if m := re.FindStringSubmatch(out.String()); m != nil {
				return m
			}
			t.Fatalf("%s ended before printing %s\n%s", p.name, re, p.result())
		case <-guard.C:
			t.Fatalf("%s printed no %s within %v", p.name, re, hangGuard)
		}
	}
}

// wait waits for the process to end and returns how it ended.
func (p *process) wait(t *testing.T) result {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(hangGuard):
		t.Fatalf("%s did not end within %v", p.name, hangGuard)
	}
	return p.result()
}

// resultSoFar describes the process for a failure message, ended or not.
func (p *process) resultSoFar() string {
	select {
	case <-p.done:
		return p.result().String()
	default:
		return p.name + ": still running\n--- stdout so far:\n" + p.stdout.String()
	}
}

// result is only valid once p.done is closed.
func (p *process) result() result {
	r := result{cmd: p.name, stdout: p.stdout.String(), stderr: p.stderr.String()}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else if p.err != nil {
		r.code = -1
		r.stderr += "\n(wait: " + p.err.Error() + ")"
	}
	return r
}

// watchedBuffer is a buffer that signals each write.
type watchedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.b.Write(p)
	w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
