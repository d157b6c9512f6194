package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCredentialServerUsageErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, "is not a loopback address"},
		{[]string{"--addr", "0.0.0.0:0", "--allow-remote"}, "--allow-remote needs --tls-cert and --tls-key"},
		{[]string{"--tls-cert", "c.pem"}, "give both --tls-cert and --tls-key"},
		{[]string{"--profile", "a/b"}, "may not be empty or contain /"},
	} {
		_, errs, code := h.run(append([]string{"credential-server"}, tt.args...)...)
		if code != 252 || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q, want 252 and %q", tt.args, code, errs, tt.msg)
		}
	}
	// A profile that does not exist is refused at start.
	_, errs, code := h.run("credential-server", "--profile", "nope")
	if code == 0 || !strings.Contains(errs, "nope") {
		t.Errorf("unknown profile: exit %d, stderr %q", code, errs)
	}
}

// syncBuffer is a buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCredentialServerServesTwoProfilesUntilCancelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	pr, pw := io.Pipe()
	var errb syncBuffer
	env := h.env(nil, nil)
	env.Stdout, env.Stderr = pw, &errb
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, env, []string{"credential-server", "--profile", "p", "--profile", "ro"})
		pw.Close()
	}()
	// Four lines: a comment and the two variables per profile... of which
	// we take the URIs and the token.
	vars := map[string][]string{}
	sc := bufio.NewScanner(pr)
	for len(vars[envContainerToken]) < 2 && sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = append(vars[k], v)
		}
	}
	go io.Copy(io.Discard, pr)
	uris, tokens := vars[envContainerFullURI], vars[envContainerToken]
	if len(uris) != 2 || len(tokens) != 2 || tokens[0] != tokens[1] || !strings.HasSuffix(uris[0], "/profile/p") || !strings.HasSuffix(uris[1], "/profile/ro") {
		t.Fatalf("printed %v\nstderr: %s", vars, errb.String())
	}
	roles := map[string]string{}
	for _, u := range uris {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", tokens[0])
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ AccessKeyId, SecretAccessKey, Token, Expiration, AccountId string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || body.AccessKeyId == "" || body.Token == "" || body.AccountId != testAccount {
			t.Fatalf("%s: %d %v", u, resp.StatusCode, err)
		}
		if _, err := time.Parse(time.RFC3339, body.Expiration); err != nil {
			t.Errorf("Expiration %q: %v", body.Expiration, err)
		}
		roles[u] = body.AccessKeyId
	}
	if roles[uris[0]] == roles[uris[1]] {
		t.Errorf("the two profiles got the same credentials")
	}
	if n := h.count("GetRoleCredentials"); n != 2 {
		t.Errorf("%d GetRoleCredentials, want one per role", n)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel, want 0\n%s", code, errb.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("the credential server did not stop")
	}
	if !strings.Contains(errb.String(), "Serving the credentials of p, ro on http://127.0.0.1:") {
		t.Errorf("stderr: %s", errb.String())
	}
}

func TestExecECSServerEnvironment(t *testing.T) {
	t.Parallel()
	h, env := execHome(t)
	_ = h
	cmd := exec.Command(ssocliBinary(t), append([]string{"exec", "--ecs-server", "--profile", "dev", "--"}, envCommand...)...)
	cmd.Env = append(env, "AWS_ACCESS_KEY_ID=AKIAOUTER", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/etc/passwd", "AWS_PROFILE=x")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("exec --ecs-server: %v\n%s", err, stderrOf(err))
	}
	got := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSuffix(l, "\r"), "="); ok {
			got[k] = v
		}
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"} {
		if v, ok := got[k]; ok {
			t.Errorf("the child has %s=%s", k, v)
		}
	}
	if !strings.HasPrefix(got[envContainerFullURI], "http://127.0.0.1:") || len(got[envContainerToken]) < 40 || got["AWS_REGION"] != "eu-west-3" || got[execEnvMarker] != "dev" {
		t.Errorf("the child's environment: %v", got)
	}
}
