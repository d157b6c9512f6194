package robust

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/testutil/require"
	"github.com/ssocli/ssocli/internal/testutil/ssoclibin"
)

// TestServeBindsLoopback: serve refuses a non-loopback address unless told
// --allow-remote, and listens on loopback by default.
func TestServeBindsLoopback(t *testing.T) {
	refused := []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0", "[::ffff:0.0.0.0]:0"}
	for _, addr := range refused {
		t.Run("refuses "+addr, func(t *testing.T) {
			t.Parallel()
			h := &home{t: t, dir: t.TempDir(), vars: map[string]string{}}
			r := h.run("serve", "--addr", addr, "--data-dir", t.TempDir())
			if r.code != 252 || !strings.Contains(r.stderr, "is not a loopback address") || !strings.Contains(r.stderr, "--allow-remote") {
				t.Errorf("%v, want exit 252 naming --allow-remote:\n%s", r, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("%v printed a banner: it started", r)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		t.Run("accepts "+addr, func(t *testing.T) {
			t.Parallel()
			if addr == "[::1]:0" {
				if ln, err := net.Listen("tcp", addr); err != nil {
					require.Missingf(t, "no IPv6 loopback here: %v", err)
				} else {
					ln.Close()
				}
			}
			h := &home{t: t, dir: t.TempDir(), vars: map[string]string{}}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan result, 1)
			out := &lockedBuffer{}
			go func() { done <- h.runCtxOut(ctx, out, "serve", "--addr", addr, "--quiet", "--data-dir", t.TempDir()) }()
			var line string
			for i := 0; i < 1000 && line == ""; i++ {
				line = out.String()
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			r := <-done
			host, _, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSpace(line), "http://"))
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				t.Errorf("serve --addr %s printed %q, want a loopback URL (%v; stderr %s)", addr, line, err, r.stderr)
			}
		})
	}
	t.Run("allow-remote", func(t *testing.T) {
		t.Parallel()
		// It must start; it is stopped at once and binds the port only.
		h := &home{t: t, dir: t.TempDir(), vars: map[string]string{}}
		ctx, cancel := context.WithCancel(context.Background())
		out := &lockedBuffer{}
		done := make(chan result, 1)
		go func() {
			done <- h.runCtxOut(ctx, out, "serve", "--addr", "0.0.0.0:0", "--allow-remote", "--quiet", "--data-dir", t.TempDir())
		}()
		for i := 0; i < 1000 && out.String() == ""; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if r := <-done; out.String() == "" {
			t.Errorf("serve --allow-remote did not start: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("default address", func(t *testing.T) {
		t.Parallel()
		// In a network namespace of its own, so the fixed default port is
		// free and nothing else sees it.
		require.Root(t, "unshare -n")
		cmd := exec.Command("unshare", "-n", "sh", "-c", `ip link set lo up 2>/dev/null || true; exec "$0" serve --quiet --data-dir "$1"`, ssocliBin, t.TempDir())
		cmd.Env = append(ssoclibin.HomeEnv(t.TempDir()), "PATH="+os.Getenv("PATH"))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			require.Missingf(t, "cannot run unshare: %v", err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		cmd.Process.Kill()
		cmd.Wait()
		if strings.Contains(stderr.String(), "unshare:") {
			require.Missingf(t, "unshare -n is not permitted here: %s", stderr.String())
		}
		if got := strings.TrimSpace(line); got != "http://127.0.0.1:8765" {
			t.Errorf("serve with no --addr listens on %q, want http://127.0.0.1:8765\n%s", got, stderr.String())
		}
	})
}

// runCtxOut is runCtx with stdout also written to out as it comes, for a
// command that runs until ctx ends.
func (h *home) runCtxOut(ctx context.Context, out *lockedBuffer, args ...string) result {
	h.tee = out
	return h.runCtx(ctx, args...)
}

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// TestSigV4ReplayEndToEnd signs GetCallerIdentity with role credentials the
// whole system issued (login, GetRoleCredentials through ssocli) and sends it
// to the whole server: the valid request is accepted, and so is its replay
// within the 15-minute window, as AWS does; the same bytes 16 minutes later,
// the request with its Host or body changed, and a request signed after the
// credentials expired are refused. internal/idc/sts holds the full mutation
// table against the STS handler; this checks the assembled server and the
// server's clock.
func TestSigV4ReplayEndToEnd(t *testing.T) {
	clock := idctest.NewClock(time.Now().UTC().Truncate(time.Second))
	srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1), idctest.WithNow(clock.Now))
	h := newHome(t, srv, srv.URL)
	h.now = clock.Now
	h.login()
	out := h.mustRun("configure", "export-credentials", "--profile", "p").stdout
	var c struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("export-credentials printed no JSON: %v", err)
	}
	creds := aws.Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	expiry, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil {
		t.Fatal(err)
	}
	const body = "Action=GetCallerIdentity&Version=2011-06-15"
	client := idctest.LoopbackClient()
	sign := func(at time.Time) *http.Request {
		req, err := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		return req
	}
	// send sends a copy of req with its body (and optionally Host) replaced.
	send := func(req *http.Request, newBody, host string) int {
		r := req.Clone(context.Background())
		b := body
		if newBody != "" {
			b = newBody
		}
		r.Body = http.NoBody
		r.Body, r.ContentLength = ioNopCloser(b), int64(len(b))
		if host != "" {
			r.Host = host
		}
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	signed := sign(clock.Now())
	tests := []struct {
		name    string
		advance time.Duration // server clock moves before the send
		req     func() *http.Request
		body    string
		host    string
		wantOK  bool
	}{
		{name: "valid", req: func() *http.Request { return signed }, wantOK: true},
		{name: "replayed at once (inside the window, as AWS)", req: func() *http.Request { return signed }, wantOK: true},
		{name: "body changed", req: func() *http.Request { return signed }, body: "Action=GetCallerIdentity&Version=2011-06-15&X=1"},
		// Another name the server answers to (the host allow-list passes it),
		// so only the signature check can refuse it.
		{name: "Host changed", req: func() *http.Request { return signed }, host: strings.Replace(strings.TrimPrefix(srv.URL, "http://"), "127.0.0.1", "localhost", 1)},
		{name: "replayed 14 minutes later", advance: 14 * time.Minute, req: func() *http.Request { return signed }, wantOK: true},
		{name: "replayed 16 minutes later", advance: 2 * time.Minute, req: func() *http.Request { return signed }},
		{name: "freshly signed 16 minutes later", req: func() *http.Request { return sign(clock.Now()) }, wantOK: true},
		{name: "signed after the credentials expired", advance: expiry.Sub(clock.Now()) + time.Minute, req: func() *http.Request { return sign(clock.Now()) }},
	}
	for _, tt := range tests { // in order: the clock only moves forward
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(tt.advance)
			code := send(tt.req(), tt.body, tt.host)
			if got := code == http.StatusOK; got != tt.wantOK {
				t.Errorf("status %d, want accepted=%v", code, tt.wantOK)
			}
			// 421: the server answers plain HTTP only for its own host
			// names (AWS names only inside CONNECT tunnels).
			if !tt.wantOK && code != http.StatusForbidden && code != http.StatusBadRequest && code != http.StatusMisdirectedRequest {
				t.Errorf("refused with %d, want 403 (or 400, or 421)", code)
			}
		})
	}
}
