package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// followingBrowser plays a browser for an auto-approving server: it opens the
// URL and follows the redirects to ssocli's loopback listener.
func followingBrowser(t *testing.T, opened *[]string) func(string) error {
	return func(u string) error {
		*opened = append(*opened, u)
		go func() {
			resp, err := idctest.LoopbackClient().Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}

// decliningBrowser plays a user who clicks Deny: the redirect carries error=access_denied.
func decliningBrowser(u string) error {
	pu, err := url.Parse(u)
	if err != nil {
		return err
	}
	q := pu.Query()
	go func() {
		resp, err := http.Get(q.Get("redirect_uri") + "?error=access_denied&error_description=denied&state=" + url.QueryEscape(q.Get("state")))
		if err == nil {
			resp.Body.Close()
		}
	}()
	return nil
}

func TestLoginPKCE(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var opened []string
	h.browser = followingBrowser(t, &opened)
	out := h.mustRun("sso", "login", "--profile", "p")
	if len(opened) != 1 {
		t.Fatalf("browser opened %d URLs, want 1", len(opened))
	}
	wantStart := "Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n\n" + opened[0] + "\n\n"
	if !strings.HasPrefix(out, wantStart) || !strings.HasSuffix(out, "Successfully logged into Start URL: "+h.srv.StartURL+"\n") {
		t.Errorf("output:\n%s", out)
	}
	u, err := url.Parse(opened[0])
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		keys = append(keys, strings.SplitN(kv, "=", 2)[0])
	}
	if diff := cmp.Diff([]string{"response_type", "client_id", "redirect_uri", "state", "code_challenge_method", "scopes", "code_challenge"}, keys); diff != "" {
		t.Errorf("authorize parameters (-want +got):\n%s", diff)
	}
	if u.Path != "/authorize" || !strings.HasPrefix(u.Query().Get("redirect_uri"), "http://127.0.0.1:") {
		t.Errorf("authorize URL %s", u.Redacted())
	}
	tok, err := ssocache.ReadToken(ssocache.TokenPath(h.home, "corp", ""))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("token after PKCE login: %v (refresh token present: %t)", err, err == nil && tok.RefreshToken != "")
	}
	regPath := ssocache.RegistrationPath(h.home, h.srv.StartURL, h.srv.Region, []string{"sso:account:access"}, "corp")
	reg, err := ssocache.ReadRegistration(regPath)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reg.GrantTypes, []string{"authorization_code", "refresh_token"}) {
		t.Errorf("registration grant types %v", reg.GrantTypes)
	}
	h.mustRun("sts", "get-caller-identity", "--profile", "p")

	// Spec §2.4: the device flow refuses a PKCE registration and registers again,
	// in the same file; then PKCE does the same the other way.
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	if reg, _ := ssocache.ReadRegistration(regPath); reg == nil || reg.GrantTypes != nil {
		t.Errorf("device login kept the PKCE registration")
	}
	h.mustRun("sso", "login", "--profile", "p")
	if got := h.count("RegisterClient"); got != 3 {
		t.Errorf("RegisterClient calls = %d, want 3", got)
	}
	// And a second PKCE login reuses the registration.
	h.mustRun("sso", "login", "--profile", "p")
	if got := h.count("RegisterClient"); got != 3 {
		t.Errorf("RegisterClient calls = %d after a reuse, want 3", got)
	}
}

func TestLoginPKCEDeclined(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.browser = decliningBrowser
	before := snapshot(t, h.path(".aws"))
	_, errs, code := h.run("sso", "login", "--profile", "p")
	if code != 255 || !strings.Contains(errs, "Error loading authorization code: Failed to retrieve an authorization code.") {
		t.Errorf("declined: exit %d, stderr %q", code, errs)
	}
	if diff := cmp.Diff(before, snapshot(t, h.path(".aws"))); diff != "" {
		t.Errorf("a declined login changed files (-before +after):\n%s", diff)
	}
}

func TestLoginHeadlessFallsBackToDeviceFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var opened []string
	h.browser = followingBrowser(t, &opened)
	h.browserCheck = func() error { return &errNoBrowser{reason: "an SSH session without a display"} }
	out, errs, code := h.run("sso", "login", "--profile", "p")
	if code != 0 || !strings.Contains(out, "Successfully logged into") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if want := "No browser can be opened here (an SSH session without a display): using the device code flow instead.\n"; errs != want {
		t.Errorf("stderr = %q, want %q", errs, want)
	}
	if h.count("StartDeviceAuthorization") != 1 || h.count("CreateToken/authorization_code") != 0 {
		t.Errorf("calls: %v", h.srv.Server.Counts())
	}
	// sso_login_flow = device_code makes the choice without a word.
	h.browserCheck = nil
	h.writeConfig(strings.Replace(h.defaultConfig(), "[sso-session corp]\n", "[sso-session corp]\nsso_login_flow = device_code\n", 1))
	_, errs, _ = h.run("sso", "login", "--profile", "p")
	if errs != "" || h.count("StartDeviceAuthorization") != 2 || len(opened) != 0 {
		t.Errorf("sso_login_flow = device_code: stderr %q, calls %v", errs, h.srv.Server.Counts())
	}
}

// snapshot maps every file under dir to its bytes. The empty lock files of
// ~/.aws/sso/locks are left out: they hold no data and are never read.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".lock") {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = string(b)
		return err
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return m
}

// TestLoginInterrupted: Ctrl-C while the flow waits for the user ends with
// exit 130 and no file changed, in both flows. The context is cancelled
// when the Waiting callback first fires (its progress line), so the test
// interrupts the step it names, however slow the machine.
func TestLoginInterrupted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		flags   []string
		waiting string
	}{
		{"device code", []string{"--use-device-code"}, "Waiting for device code approval"},
		{"pkce", nil, "Waiting for browser sign-in"}, // the first progress line comes after 5 s
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, idctest.WithAutoApproveDelay(time.Hour))
			h.browser = func(string) error { return nil } // a browser nobody uses
			h.tty = true                                  // the progress line is drawn on a terminal only
			before := snapshot(t, h.path(".aws"))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out bytes.Buffer
			stderr := &cancelOnWrite{want: tc.waiting, cancel: cancel}
			env := h.env(&out, nil)
			env.Stderr = stderr
			code := Run(ctx, env, append([]string{"sso", "login", "--profile", "p"}, tc.flags...))
			if !stderr.seen() {
				t.Fatalf("the flow never said %q (exit %d): it was not interrupted while waiting\nstdout: %s", tc.waiting, code, out.String())
			}
			if code != 130 {
				t.Errorf("exit %d, want 130", code)
			}
			// InterruptExceptionHandler (study F18): a newline on stdout after
			// what the flow printed there, no error on stderr.
			if !strings.HasSuffix(out.String(), "\n\n") || strings.Contains(stderr.buf.String(), errorPrefix) {
				t.Errorf("stdout %q, stderr %q: want the flow's lines and a newline on stdout, no error", out.String(), stderr.buf.String())
			}
			if diff := cmp.Diff(before, snapshot(t, h.path(".aws"))); diff != "" {
				t.Errorf("an interrupted login changed files (-before +after):\n%s", diff)
			}
		})
	}
}

// cancelOnWrite collects what is written and calls cancel once it holds want.
type cancelOnWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   string
	cancel func()
	fired  bool
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.fired && strings.Contains(w.buf.String(), w.want) {
		w.fired = true
		w.cancel()
	}
	return len(p), nil
}

func (w *cancelOnWrite) seen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}
