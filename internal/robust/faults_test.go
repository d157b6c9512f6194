package robust

import (
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// faultFront is an endpoint that answers one operation (method and path, e.g.
// "POST /token") with a fault and passes every other call to the real local
// Identity Center, so a command gets through its other calls and meets the
// fault exactly where the test wants it.
// The fault is off until arm is called, so a test can first bring the home
// to the state it wants through the same endpoint.
func faultFront(t *testing.T, srv *idctest.TestServer, op string, fault http.HandlerFunc) (front *httptest.Server, arm func()) {
	t.Helper()
	real := srv.Server.Handler()
	var armed atomic.Bool
	fs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if armed.Load() && r.Method+" "+r.URL.Path == op {
			fault(w, r)
			return
		}
		real.ServeHTTP(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs, func() { armed.Store(true) }
}

// The faults, each a handler for the operation under test.
var (
	fault500 = func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}
	fault503 = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
	}
	faultGarbage = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"roleCredentials": {"accessKeyId": <<<garbage`))
	}
	faultClose = func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	// faultSlow answers after the client has given up (the client's timeout
	// is made small for these tests), or after 5 s at the latest so that a
	// client with no timeout ends the test instead of hanging it.
	faultSlow = func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server sees the client hang up
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}
)

// slowTimeout is the whole-request timeout of the client in the slow-server
// tests: small, so the test is quick; the fault outlasts it.
const slowTimeout = 300 * time.Millisecond

type faultCase struct {
	name  string
	fault http.HandlerFunc
	slow  bool
	// service: the fault is an answer of the service (botocore's ClientError),
	// not a failure to reach or read it.
	service bool
	// want matches the message a person must see: it names what failed.
	want *regexp.Regexp
}

var serverFaults = []faultCase{
	// The 5xx answers carry no AWS error code: the message names the status.
	{name: "500", fault: fault500, service: true, want: regexp.MustCompile(`^(Unable to retrieve credentials: )?An error occurred \(500\) when calling the \w+ operation`)},
	{name: "503", fault: fault503, service: true, want: regexp.MustCompile(`^(Unable to retrieve credentials: )?An error occurred \(503\) when calling the \w+ operation`)},
	{name: "garbage JSON", fault: faultGarbage, want: regexp.MustCompile(`(?i)^(Unable to retrieve credentials: )?(Unable to parse|.*not valid JSON|.*malformed)`)},
	{name: "slow response past the timeout", fault: faultSlow, slow: true, want: regexp.MustCompile(`^(Unable to retrieve credentials: )?Read timeout on endpoint URL: "http://127\.0\.0\.1:\d+/`)},
	{name: "closed connection", fault: faultClose, want: regexp.MustCompile(`^(Unable to retrieve credentials: )?Connection was closed before we received a valid response from endpoint URL: "http://127\.0\.0\.1:\d+/`)},
}

// checkMessage fails unless r failed with a message that says what happened,
// in words, without Go formatting debris. Messages that show a bug already
// reported (see knownMessageBugs) skip the rest of the subtest, after every
// other check of it has run; when the bug is fixed the check runs again.
func checkMessage(t *testing.T, r result, want *regexp.Regexp) {
	t.Helper()
	// The message after the AWS CLI 2.34+ prefix (and its class, if any).
	msg := strings.TrimPrefix(strings.TrimSpace(r.stderr), "ssocli: [ERROR]: ")
	msg = regexp.MustCompile(`^An error occurred \((Configuration|NoRegion|NoCredentials|ParamValidation)\): `).ReplaceAllString(msg, "")
	if r.stdout != "" {
		t.Errorf("%v printed %d bytes on stdout", r, len(r.stdout))
	}
	switch {
	case r.code == 0:
		t.Errorf("%v, want a failure", r)
		return
	case msg == "":
		t.Errorf("%v with nothing on stderr", r)
		return
	case strings.Contains(msg, "panic") || strings.Contains(msg, "%!") || strings.Contains(msg, "<nil>") || strings.Contains(msg, "goroutine "):
		t.Errorf("%v: the message is not for people:\n%s", r, msg)
		return
	}
	if t.Failed() {
		return
	}
	if !want.MatchString(msg) {
		t.Errorf("%v: the message does not say what happened (want %v):\n%s", r, want, msg)
	}
}

// TestServerFaults meets every server fault at each step that talks to the
// Identity Center: registering for a first login, refreshing an expired token
// and fetching role credentials. Each fault gives a clear message and leaves
// ~/.aws as it was (no half-written file, no token removed for a fault that
// is the server's).
func TestServerFaults(t *testing.T) {
	steps := []struct {
		name string
		op   string
		// prepare brings home to the point where args meets op.
		prepare func(h *home)
		args    []string
		// want, when set, replaces the message of a service fault: a refresh
		// the service refused has the AWS CLI's own words, while one that
		// could not reach or read the endpoint names it (spec §4).
		want *regexp.Regexp
	}{
		{
			name:    "first login: RegisterClient",
			op:      "POST /client/register",
			prepare: func(h *home) {},
			args:    []string{"sso", "login", "--profile", "p", "--use-device-code"},
		},
		{
			name:    "login: StartDeviceAuthorization",
			op:      "POST /device_authorization",
			prepare: func(h *home) { h.login(); h.setTokenExpiry(time.Now().Add(-time.Hour)) },
			args:    []string{"sso", "login", "--profile", "p", "--use-device-code"},
		},
		{
			name:    "refresh of an expired token: CreateToken",
			op:      "POST /token",
			prepare: func(h *home) { h.login(); h.setTokenExpiry(time.Now().Add(-time.Minute)) },
			args:    []string{"configure", "export-credentials", "--profile", "p"},
			want:    regexp.MustCompile(`Error when retrieving token from sso: Token has expired and refresh failed\nssocli: \[HINT\]: run: ssocli sso login --profile p$`),
		},
		{
			name:    "role credentials: GetRoleCredentials",
			op:      "GET /federation/credentials",
			prepare: func(h *home) { h.login(); h.clearRoleCache() },
			args:    []string{"configure", "export-credentials", "--profile", "p"},
		},
		{
			name:    "sts get-caller-identity: GetRoleCredentials",
			op:      "GET /federation/credentials",
			prepare: func(h *home) { h.login(); h.clearRoleCache() },
			args:    []string{"sts", "get-caller-identity", "--profile", "p"},
		},
		{
			name:    "sts get-caller-identity: STS",
			op:      "POST /",
			prepare: func(h *home) { h.login(); h.mustRun("configure", "export-credentials", "--profile", "p") },
			args:    []string{"sts", "get-caller-identity", "--profile", "p"},
		},
	}
	for _, st := range steps {
		for _, fc := range serverFaults {
			t.Run(st.name+"/"+fc.name, func(t *testing.T) {
				t.Parallel()
				srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
				front, arm := faultFront(t, srv, st.op, fc.fault)
				h := newHome(t, srv, front.URL)
				st.prepare(h)
				arm()
				if fc.slow {
					h.client.Timeout = slowTimeout
				}
				before := snapshot(t, h.dir)
				r := h.run(st.args...)
				checkUnchanged(t, h.dir, before)
				want := fc.want
				if st.want != nil && fc.service {
					want = st.want
				}
				checkMessage(t, r, want)
			})
		}
	}
}

// TestUntrustedCertificate points ssocli at an HTTPS endpoint whose
// certificate comes from another CA than the one in AWS_CA_BUNDLE: the call
// fails with a message about the certificate and ~/.aws is left as it was.
// The same endpoint with its own CA in the bundle works, so the failure is
// the certificate's.
func TestUntrustedCertificate(t *testing.T) {
	srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	tlsFront := httptest.NewTLSServer(srv.Server.Handler())
	t.Cleanup(tlsFront.Close)
	dir := t.TempDir()
	rightCA := filepath.Join(dir, "right.pem")
	if err := os.WriteFile(rightCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsFront.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	// Another CA: the proxy CA of a second local Identity Center.
	otherCA := idctest.NewServer(t, idctest.WithDataDir("")).Server.CAFile()

	tests := []struct {
		name    string
		bundle  string
		prepare func(h *home)
		args    []string
		wantOK  bool
	}{
		{"role credentials, right CA", rightCA, func(h *home) { h.login(); h.clearRoleCache() }, []string{"configure", "export-credentials", "--profile", "p"}, true},
		{"role credentials, other CA", otherCA, func(h *home) { h.login(); h.clearRoleCache() }, []string{"configure", "export-credentials", "--profile", "p"}, false},
		{"first login, other CA", otherCA, func(h *home) {}, []string{"sso", "login", "--profile", "p", "--use-device-code"}, false},
		{"sts, other CA", otherCA, func(h *home) { h.login() }, []string{"sts", "get-caller-identity", "--profile", "p"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHome(t, srv, srv.URL)
			tt.prepare(h) // over plain HTTP, with the loopback-only client
			h.client = nil
			h.vars["AWS_ENDPOINT_URL"] = tlsFront.URL
			h.vars["AWS_CA_BUNDLE"] = tt.bundle
			before := snapshot(t, h.dir)
			r := h.run(tt.args...)
			if tt.wantOK {
				if r.code != 0 {
					t.Fatalf("%v with the right CA:\n%s", r, r.stderr)
				}
				return
			}
			checkUnchanged(t, h.dir, before)
			checkMessage(t, r, regexp.MustCompile(`(?i)^(Unable to retrieve credentials: )?SSL validation failed for https://127\.0\.0\.1:\d+/\S* .*certificate`))
		})
	}
}
