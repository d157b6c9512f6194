package robust

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/cli"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// recorder is an HTTP transport that keeps a copy of every response body, so
// the test learns every secret the server handed out, including those later
// replaced (rotated refresh tokens, the device code of a finished login).
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen [][]byte
}

func (rt *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	rt.mu.Lock()
	rt.seen = append(rt.seen, b)
	rt.mu.Unlock()
	return resp, err
}

// secretKeys are the JSON keys under which the APIs and the cache files carry
// secrets (OIDC, portal and the cache files spell some differently).
var secretKeys = map[string]string{
	"clientSecret": "client secret", "deviceCode": "device code", "accessToken": "access token",
	"refreshToken": "refresh token", "secretAccessKey": "secret key", "SecretAccessKey": "secret key",
	"sessionToken": "session token", "SessionToken": "session token",
}

// collectSecrets adds to into every secret value found in a JSON document.
func collectSecrets(doc []byte, into map[string]string) {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if s, ok := val.(string); ok && secretKeys[k] != "" && len(s) >= 8 {
					into[secretKeys[k]+" "+s[len(s)-4:]] = s // the name tells them apart; the tail is not a secret
				}
				walk(val)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

// cacheSecrets reads the secrets out of every cache file under home.
func cacheSecrets(t *testing.T, home string, into map[string]string) {
	t.Helper()
	for _, dir := range []string{ssocache.SSODir(home), ssocache.CLIDir(home)} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				collectSecrets(b, into)
			}
		}
	}
}

// serveInProcess runs `ssocli serve` with args until stop is called or the
// test ends, and returns its URL and its output streams.
func serveInProcess(t *testing.T, args ...string) (url string, stdout, stderr *lockedBuffer, stop func()) {
	t.Helper()
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: func(string) string { return "" }, Environ: func() []string { return nil }, Home: t.TempDir()}
	go func() { done <- cli.Run(ctx, env, append([]string{"serve"}, args...)) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	for i := 0; i < 1000; i++ {
		if m := re.FindString(stdout.String()); m != "" {
			return m, stdout, stderr, stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("serve printed no address within 10 s")
	return "", nil, nil, nil
}

// TestNoSecretInAnyOutput runs every command, with --debug, through the
// paths that succeed and those that fail, against `ssocli serve --debug`, and
// searches everything both sides wrote (stdout, stderr, the debug log) for
// every secret the server handed out. The only output allowed to hold one is
// what export-credentials prints on stdout, which is its purpose; exec's
// child gets them in its environment and prints nothing here.
func TestNoSecretInAnyOutput(t *testing.T) {
	url, serveOut, serveErr, stopServe := serveInProcess(t, "--addr", "127.0.0.1:0", "--auto-approve", "alice", "--debug", "--data-dir", t.TempDir())
	demo := directory.Demo().Instance
	h := &home{t: t, dir: t.TempDir()}
	h.vars = map[string]string{"HOME": h.dir, "AWS_ENDPOINT_URL": url}
	h.writeConfig(&idctest.TestServer{StartURL: demo.StartURL, Region: demo.Region})
	rec := &recorder{next: idctest.LoopbackClient().Transport}
	h.client = &http.Client{Transport: rec}
	browser := idctest.LoopbackClient()
	h.browser = func(u string) error {
		// A browser whose user has already consented: auto-approve grants
		// at once and redirects to ssocli's loopback listener.
		go func() {
			if resp, err := browser.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}

	secrets := map[string]string{}
	var outputs []result // what is checked
	var intended []string
	run := func(args ...string) result {
		t.Helper()
		r := h.run(append([]string{"--debug"}, args...)...)
		outputs = append(outputs, r)
		cacheSecrets(t, h.dir, secrets)
		return r
	}
	ok := func(args ...string) result {
		t.Helper()
		r := run(args...)
		if r.code != 0 {
			t.Fatalf("%v:\n%s", r, redact(r.stderr, secrets))
		}
		return r
	}
	exported := func(args ...string) {
		t.Helper()
		r := ok(args...)
		intended = append(intended, r.stdout)
		outputs[len(outputs)-1].stdout = "" // its stdout is meant to hold them
	}

	ok("sso", "login", "--profile", "p", "--use-device-code")
	ok("sso", "login", "--profile", "p") // authorization code with PKCE
	ok("sso", "login", "--profile", "legacy")
	ok("sts", "get-caller-identity", "--profile", "p")
	ok("sts", "get-caller-identity", "--profile", "legacy", "--output", "text")
	exported("configure", "export-credentials", "--profile", "p")
	exported("configure", "export-credentials", "--profile", "ro", "--format", "env")
	exported("configure", "export-credentials", "--profile", "legacy", "--format", "process")
	ok("sso", "status")
	ok("sso", "list-accounts", "--profile", "p")
	ok("sso", "list-account-roles", "--profile", "p", "--account-id", testAccount)
	ok("configure", "list-profiles")
	ok("exec", "--profile", "p", "--", "true")
	// A refresh: the token in its refresh window and no role credentials.
	h.setTokenExpiry(time.Now().Add(5 * time.Minute))
	h.clearRoleCache()
	exported("configure", "export-credentials", "--profile", "p")
	ok("sts", "get-caller-identity", "--profile", "ro")

	// Failures.
	for _, args := range [][]string{
		{"configure", "export-credentials", "--profile", "nosuch"},
		{"sts", "get-caller-identity", "--profile", "p", "--region", "bad region!"},
		{"sso", "list-account-roles", "--profile", "p", "--account-id", "000000000000"},
		{"exec", "--profile", "p", "--", "/nonexistent/command"},
	} {
		run(args...)
	}
	// A token file that is not JSON but holds the access token: the error
	// must name the file, not quote it.
	tokPath := h.tokenPath()
	good, err := os.ReadFile(tokPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokPath, append([]byte("garbage "), good...), 0o600); err != nil {
		t.Fatal(err)
	}
	h.clearRoleCache()
	if r := run("configure", "export-credentials", "--profile", "p"); r.code == 0 {
		t.Errorf("%v with a corrupt token file, want a failure", r)
	}
	if err := os.WriteFile(tokPath, good, 0o600); err != nil {
		t.Fatal(err)
	}
	ok("sso", "logout")
	for _, args := range [][]string{
		{"configure", "export-credentials", "--profile", "p"},
		{"sts", "get-caller-identity", "--profile", "p"},
		{"sso", "status"},
		{"sso", "logout"},
	} {
		run(args...)
	}

	rec.mu.Lock()
	for _, b := range rec.seen {
		collectSecrets(b, secrets)
	}
	rec.mu.Unlock()
	// The search must be able to find something: the credentials that
	// export-credentials printed are among the secrets collected.
	found := 0
	for _, out := range intended {
		for _, v := range secrets {
			if strings.Contains(out, v) {
				found++
			}
		}
	}
	kinds := map[string]bool{}
	for name := range secrets {
		kinds[name[:strings.LastIndex(name, " ")]] = true
	}
	for _, k := range []string{"client secret", "device code", "access token", "refresh token", "secret key", "session token"} {
		if !kinds[k] {
			t.Errorf("the test saw no %s: it cannot check for one", k)
		}
	}
	if found == 0 {
		t.Fatal("no collected secret appears in export-credentials' output: the search is broken")
	}

	check := func(where, text string) {
		for name, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("%s holds a %s", where, name[:strings.LastIndex(name, " ")])
			}
		}
	}
	for _, r := range outputs {
		check(r.String()+" stdout", r.stdout)
		check(r.String()+" stderr", r.stderr)
	}
	stopServe() // so its last log lines are written
	check("serve stdout", serveOut.String())
	check("serve stderr (--debug log)", serveErr.String())
	if !strings.Contains(serveErr.String(), "level=") {
		t.Error("serve --debug wrote no log: the test checks nothing there")
	}
}
