package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDemo runs `ssocli demo` as the README's first command does, and checks
// that each step shows what a person should see, with no secret in full.
func TestDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := &Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }, Home: t.TempDir(), Now: time.Now}
	if code := Run(ctx, env, []string{"demo"}); code != 0 {
		t.Fatalf("demo exit %d:\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"$ ssocli sso login --profile my-dev-profile --use-device-code",
		"Successfully logged into Start URL: https://d-0000000000.awsapps.com/start",
		`"Arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_`,
		"export AWS_ACCESS_KEY_ID=ASIA",
		"role_arn = arn:aws:iam::444455556666:role/Deployer",
		"$ ssocli sts get-caller-identity --profile my-prod-deployer",
		`"Arn": "arn:aws:sts::444455556666:assumed-role/Deployer/`,
		"$ ssocli sso logout",
		"Error loading SSO Token: Token for my-sso does not exist",
		"To do the same against your own AWS organisation",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	secrets := regexp.MustCompile(`(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=(\S*)`).FindAllStringSubmatch(got, -1)
	if len(secrets) != 2 {
		t.Errorf("found %d secret variables in the demo output, want 2", len(secrets))
	}
	for _, m := range secrets {
		if !regexp.MustCompile(`^\S{4}…\(hidden\)$`).MatchString(m[2]) {
			t.Errorf("the demo printed %s in full", m[1])
		}
	}
	// The temporary home is gone and the user's own home was never used.
	if m := regexp.MustCompile(`temporary home, (\S+),`).FindStringSubmatch(got); m == nil {
		t.Errorf("the demo does not say where it works")
	} else if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("the temporary home %s was left behind (%v)", m[1], err)
	}
	if entries, _ := os.ReadDir(env.Home); len(entries) != 0 {
		t.Errorf("the demo wrote into the user's home: %d entries", len(entries))
	}
}

// TestDemoFailingStep: when a step fails, the demo stops its server and
// waits for it before removing the temporary home (it used to return at
// once, removing the home while the server was still closing its files).
// A request left half-sent keeps the server's shutdown busy (up to its 5 s
// grace), so a demo that does not wait returns with the server running.
// Not parallel: it looks for a running server in every goroutine's stack,
// so no other test's server may run meanwhile.
func TestDemoFailingStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// A clock that jumps an hour at every reading: the device code expires
	// before it is approved, so the first step fails.
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Hour); return clock }
	out := &halfRequest{t: t}
	defer out.close()
	env := &Env{Stdout: out, Stderr: out, Getenv: func(string) string { return "" }, Home: t.TempDir(), Now: now}
	if code := Run(ctx, env, []string{"demo"}); code == 0 {
		t.Fatalf("the demo succeeded with a broken clock:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `the demo step "ssocli sso login`) || out.conn == nil {
		t.Fatalf("the first step did not fail, or no request was left open:\n%s", out.String())
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "idc.(*Server).ListenAndServe") {
		t.Errorf("the demo returned with its server still running:\n%s", stacks)
	}
	if m := regexp.MustCompile(`temporary home, (\S+),`).FindStringSubmatch(out.String()); m == nil {
		t.Errorf("the demo does not say where it works")
	} else if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("the temporary home %s was left behind (%v)", m[1], err)
	}
}

// halfRequest collects the demo's output and, when the demo says where its
// server listens, connects and sends half a request.
type halfRequest struct {
	t *testing.T
	bytes.Buffer
	conn net.Conn
}

var demoAddr = regexp.MustCompile(`is running at http://([0-9.:]+);`)

func (h *halfRequest) Write(p []byte) (int, error) {
	n, _ := h.Buffer.Write(p)
	if m := demoAddr.FindStringSubmatch(h.String()); m != nil && h.conn == nil {
		c, err := net.Dial("tcp", m[1])
		if err != nil {
			h.t.Errorf("connect to the demo's server: %v", err)
			return n, nil
		}
		h.conn = c
		if _, err := io.WriteString(c, "GET /device HTTP/1.1\r\nHost: "+m[1]+"\r\n"); err != nil {
			h.t.Errorf("write half a request: %v", err)
		}
	}
	return n, nil
}

func (h *halfRequest) close() {
	if h.conn != nil {
		h.conn.Close()
	}
}
