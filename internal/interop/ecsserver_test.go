package interop

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// roleTTL is the life of the role credentials the server issues in the
// refresh tests: short, so that each SDK sees its first credentials expire
// within seconds, and long enough that credentials fetched for a call are
// still valid when the call reaches STS.
const roleTTL = 4 * time.Second

// refreshFixture is a logged-in fixture whose server issues short-lived role
// credentials and records what STS answered.
func refreshFixture(t *testing.T, ttl time.Duration) (*fixture, *stsRecorder) {
	t.Helper()
	rec := newSTSRecorder()
	opts := []idctest.Option{idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(-1), idctest.WithLogger(slog.New(rec))}
	if ttl > 0 {
		opts = append(opts, idctest.WithRoleCredentialTTL(ttl))
	}
	f := newFixture(t, opts...)
	// A second role of the same session, for the two-profile tests.
	cfg := filepath.Join(f.home, ".aws", "config")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, "\n[profile admin]\nsso_session = "+sessionName+"\nsso_account_id = "+account+"\nsso_role_name = AdministratorAccess\nregion = "+stsRegion+"\n"...)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f.loggedIn(t, f.ssocli(t, viaEndpoint, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	return f, rec
}

// checkRefreshed checks an SDK's run: no failed call, the profile's role,
// at least two access keys that STS answered for while it ran (seenBefore:
// the keys STS had answered for before), and nothing STS refused.
func checkRefreshed(t *testing.T, f *fixture, rec *stsRecorder, name string, sum sdkSummary, role string, seenBefore map[string]bool) {
	t.Helper()
	if sum.Failures != 0 || sum.Calls < 2 {
		t.Errorf("%s: %d of %d calls failed: %q", name, sum.Failures, sum.Calls, sum.Errors)
	}
	wantArn := "arn:aws:sts::" + account + ":assumed-role/" + f.dir.RoleName(account, role) + "/" + user
	if len(sum.Arns) != 1 || sum.Arns[0] != wantArn {
		t.Errorf("%s was told it is %q, want only %s", name, sum.Arns, wantArn)
	}
	seen, refused := rec.snapshot()
	n := 0
	for k := range seen {
		if !seenBefore[k] {
			n++
		}
	}
	if n < 2 {
		t.Errorf("STS answered %s's %d calls for %d access keys, want at least 2 (its first credentials expired)", name, sum.Calls, n)
	}
	if len(refused) > 0 {
		t.Errorf("STS refused %d requests, the first: %q", len(refused), refused[:min(3, len(refused))])
	}
}

// TestExecECSServerKeepsSDKsWorking runs each SDK under `ssocli exec
// --ecs-server`: it gets only the endpoint and its token, and keeps working
// after its first credentials expire (issue 13).
func TestExecECSServerKeepsSDKsWorking(t *testing.T) {
	t.Parallel()
	for _, s := range sdks {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			f, rec := refreshFixture(t, roleTTL)
			before := f.counts()["GetRoleCredentials"]
			seen, _ := rec.snapshot()
			sum := runSDK(t, f.ssocliEnv(s.via), []string{ssocliBin, "exec", "--ecs-server", "--profile", sessionProfile.name, "--"}, s, roleTTL+time.Second)
			checkRefreshed(t, f, rec, s.name, sum, permissionSet, seen)
			if n := f.counts()["GetRoleCredentials"] - before; n < 2 {
				t.Errorf("%d GetRoleCredentials while %s ran, want at least 2", n, s.name)
			}
		})
	}
}

// serverLines matches what credential-server prints for each profile.
var serverLines = regexp.MustCompile(`(?m)^AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)\nAWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)\n`)

// startCredentialServer starts `ssocli credential-server` for profiles and
// returns it with the URI of each profile and the token.
func startCredentialServer(t *testing.T, f *fixture, profiles ...string) (*process, map[string]string, string) {
	t.Helper()
	args := []string{"credential-server"}
	for _, p := range profiles {
		args = append(args, "--profile", p)
	}
	p := start(t, ssocliBin, f.ssocliEnv(viaEndpoint), args...)
	p.waitFor(t, regexp.MustCompile(strings.Repeat(`AWS_CONTAINER_AUTHORIZATION_TOKEN=\S+\n(?s:.*?)`, len(profiles))))
	uris := map[string]string{}
	token := ""
	for _, m := range serverLines.FindAllStringSubmatch(p.stdout.String(), -1) {
		uris[m[1][strings.LastIndex(m[1], "/")+1:]], token = m[1], m[2]
	}
	if len(uris) != len(profiles) {
		t.Fatalf("credential-server printed the lines of %d profiles, want %d:\n%s", len(uris), len(profiles), p.stdout.String())
	}
	return p, uris, token
}

// TestCredentialServerKeepsSDKsWorking runs each SDK against one
// `ssocli credential-server` serving two profiles.
func TestCredentialServerKeepsSDKsWorking(t *testing.T) {
	t.Parallel()
	f, rec := refreshFixture(t, roleTTL)
	_, uris, token := startCredentialServer(t, f, sessionProfile.name, "admin")
	for _, s := range sdks {
		for _, profile := range []string{sessionProfile.name, "admin"} {
			role := map[string]string{sessionProfile.name: permissionSet, "admin": "AdministratorAccess"}[profile]
			t.Run(s.name+"/"+profile, func(t *testing.T) {
				env := setEnv(f.ssocliEnv(s.via), "AWS_CONTAINER_CREDENTIALS_FULL_URI="+uris[profile], "AWS_CONTAINER_AUTHORIZATION_TOKEN="+token, "AWS_REGION="+stsRegion)
				seen, _ := rec.snapshot()
				sum := runSDK(t, env, nil, s, roleTTL+time.Second)
				checkRefreshed(t, f, rec, s.name, sum, role, seen)
			})
		}
	}
}

// get fetches uri with the Authorization header (none when auth is "").
func get(t *testing.T, uri, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := idctest.LoopbackClient().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", uri, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCredentialServerTokenLoginAndStorm: without the right token nothing
// is served; an ended session gets an error body and a message on stderr;
// after the login 50 concurrent clients per profile make one
// GetRoleCredentials per role; SIGTERM ends the server cleanly.
func TestCredentialServerTokenLoginAndStorm(t *testing.T) {
	t.Parallel()
	rec := newSTSRecorder()
	f := newFixture(t, idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(-1), idctest.WithLogger(slog.New(rec)))
	cfg := filepath.Join(f.home, ".aws", "config")
	b, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, append(b, "\n[profile admin]\nsso_session = "+sessionName+"\nsso_account_id = "+account+"\nsso_role_name = AdministratorAccess\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	p, uris, token := startCredentialServer(t, f, sessionProfile.name, "admin")
	// Not logged in yet: said once per profile, and an error the SDKs show.
	p.waitForStderr(t, regexp.MustCompile(`(?s)Profile admin: no credentials to serve: .*run: ssocli sso login --profile admin`))
	code, body := get(t, uris[sessionProfile.name], token)
	var e struct{ Code, Message string }
	if code != 500 || json.Unmarshal([]byte(body), &e) != nil || e.Code != "LoginRequired" || !strings.Contains(e.Message, "run: ssocli sso login --profile p") {
		t.Errorf("before the login: %d %s, want 500 with Code LoginRequired and the login command", code, body)
	}
	for _, auth := range []string{"", "wrong", token + "x"} {
		code, body := get(t, uris["admin"], auth)
		if (auth == "" && code != 401) || (auth != "" && code != 403) || strings.Contains(body, "AccessKeyId") {
			t.Errorf("Authorization %q: %d %s, want 401 without a token, 403 with a wrong one, and no credentials", auth, code, body)
		}
	}

	f.loggedIn(t, f.ssocli(t, viaEndpoint, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	before := f.counts()["GetRoleCredentials"]
	const clients = 50
	var wg sync.WaitGroup
	keys := make(chan string, 2*clients)
	failed := make(chan string, 2*clients)
	for i := 0; i < clients; i++ {
		for _, name := range []string{sessionProfile.name, "admin"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, body := get(t, uris[name], token)
				var c struct{ AccessKeyId string }
				if code != 200 || json.Unmarshal([]byte(body), &c) != nil || c.AccessKeyId == "" {
					failed <- name + ": " + body
					return
				}
				keys <- name + " " + c.AccessKeyId
			}()
		}
	}
	wg.Wait()
	close(keys)
	close(failed)
	for msg := range failed {
		t.Errorf("a client got no credentials: %s", msg)
	}
	distinct := map[string]bool{}
	for k := range keys {
		distinct[k] = true
	}
	if n := f.counts()["GetRoleCredentials"] - before; n != 2 || len(distinct) != 2 {
		t.Errorf("%d clients per profile made %d GetRoleCredentials and got %d distinct keys, want one per role (2)", clients, n, len(distinct))
	}
	p.waitForStderr(t, regexp.MustCompile(`Profile p: serving credentials again\.`))

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if r := p.wait(t); r.code != 0 {
		t.Errorf("after SIGTERM: %s", r)
	}
	if code, _ := getNoFail(uris["admin"], token); code != 0 {
		t.Errorf("the endpoint still answers (%d) after SIGTERM", code)
	}
}

// getNoFail returns 0 when uri cannot be reached.
func getNoFail(uri, auth string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, uri, nil)
	req.Header.Set("Authorization", auth)
	resp, err := idctest.LoopbackClient().Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
