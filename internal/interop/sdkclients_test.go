package interop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

// envGoClient makes the test binary run goSDKClient instead of the tests.
const envGoClient = "SSOCLI_INTEROP_GO_SDK_CLIENT"

// envSDKJSDir names the directory where scripts/test.sh installed the AWS
// SDK for JavaScript (testdata/sdkjs with its node_modules).
const envSDKJSDir = "SSOCLI_SDKJS_DIR"

// sdkSummary is what each SDK client prints when it is done: how many
// GetCallerIdentity calls it made, how many failed (with the first errors),
// the access keys it signed with, in order, and the ARNs it was told.
type sdkSummary struct {
	Calls    int      `json:"calls"`
	Failures int      `json:"failures"`
	Errors   []string `json:"errors"`
	Keys     []string `json:"keys"`
	Arns     []string `json:"arns"`
}

// goSDKClient is the aws-sdk-go-v2 client: the default credential chain
// (here the container credential provider), GetCallerIdentity until at
// least args[0] seconds have passed and two access keys were used, for at
// most args[1] seconds; the summary goes to stdout as one JSON line.
func goSDKClient(args []string) int {
	minSeconds, maxSeconds := 0.0, 60.0
	if len(args) > 1 {
		minSeconds, _ = strconv.ParseFloat(args[0], 64)
		maxSeconds, _ = strconv.ParseFloat(args[1], 64)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load config:", err)
		return 1
	}
	client := sts.NewFromConfig(cfg)
	var s sdkSummary
	arns := map[string]bool{}
	start := time.Now()
	for time.Since(start).Seconds() < maxSeconds {
		s.Calls++
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			arns[*out.Arn] = true
			creds, cerr := cfg.Credentials.Retrieve(ctx)
			err = cerr
			if err == nil && !slices.Contains(s.Keys, creds.AccessKeyID) {
				s.Keys = append(s.Keys, creds.AccessKeyID)
			}
		}
		if err != nil {
			s.Failures++
			if len(s.Errors) < 3 {
				s.Errors = append(s.Errors, err.Error())
			}
		}
		if time.Since(start).Seconds() >= minSeconds && len(s.Keys) >= 2 {
			break
		}
		time.Sleep(250 * time.Millisecond) // pacing of the client's calls, not synchronisation
	}
	for a := range arns {
		s.Arns = append(s.Arns, a)
	}
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	return 0
}

// sdk is one of the three SDK clients.
type sdk struct {
	name string
	// via is how the SDK reaches the server: boto3 1.26 (Debian's) has no
	// AWS_ENDPOINT_URL, so it goes through the proxy.
	via via
	// command returns the program and its arguments (before the two
	// durations), or calls require.Missing.
	command func(t *testing.T) []string
}

var sdks = []sdk{
	{"boto3", viaProxy, func(t *testing.T) []string {
		const python = "/usr/bin/python3"
		if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
			require.Missingf(t, "Debian's boto3 is not installed (apt-get install -y python3-boto3): %v: %s", err, out)
		}
		script, err := filepath.Abs(filepath.Join("testdata", "boto3_client.py"))
		if err != nil {
			t.Fatal(err)
		}
		return []string{python, script}
	}},
	{"aws-sdk-js-v3", viaEndpoint, func(t *testing.T) []string {
		node, err := exec.LookPath("node")
		if err != nil {
			require.Missingf(t, "node is not installed (apt-get install -y nodejs npm): %v", err)
		}
		dir := sdkJSDir(t)
		// Node resolves the client's imports from the script's directory.
		tmp := t.TempDir()
		src, err := os.ReadFile(filepath.Join("testdata", "sdkjs", "client.mjs"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "client.mjs"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(tmp, "node_modules")); err != nil {
			t.Fatal(err)
		}
		return []string{node, filepath.Join(tmp, "client.mjs")}
	}},
	{"aws-sdk-go-v2", viaEndpoint, func(t *testing.T) []string {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		return []string{exe}
	}},
}

// sdkJSDir is where scripts/test.sh installed testdata/sdkjs: $SSOCLI_SDKJS_DIR,
// else the user cache directory keyed by the lock file's digest.
func sdkJSDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envSDKJSDir)
	if dir == "" {
		lock, err := os.ReadFile(filepath.Join("testdata", "sdkjs", "package-lock.json"))
		if err != nil {
			t.Fatal(err)
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(lock)
		dir = filepath.Join(cache, "ssocli-test", "sdkjs-"+hex.EncodeToString(sum[:6]))
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-sts", "package.json")); err != nil {
		require.Missingf(t, "the AWS SDK for JavaScript is not installed in %s: run scripts/test.sh, which runs npm ci there (%v)", dir, err)
	}
	return dir
}

// sdkEnv is the extra environment of an SDK client run under ssocli.
func (s sdk) env() []string {
	if s.name == "aws-sdk-go-v2" {
		return []string{envGoClient + "=1"}
	}
	return nil
}

// runSDK runs the SDK client with env until the credentials it started with
// have expired (min seconds) and returns its summary.
func runSDK(t *testing.T, env []string, prefix []string, s sdk, min time.Duration) sdkSummary {
	t.Helper()
	args := append(append(append([]string{}, prefix...), s.command(t)...), fmt.Sprint(min.Seconds()), "60")
	r := run(t, args[0], append(env, s.env()...), args[1:]...)
	mustSucceed(t, r)
	var sum sdkSummary
	if err := json.Unmarshal([]byte(lastLine(r.stdout)), &sum); err != nil {
		t.Fatalf("%s printed no summary: %v\n%s", s.name, err, r)
	}
	return sum
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// stsRecorder is a slog handler that keeps, from the server's log, the access
// keys STS answered GetCallerIdentity for and the requests it refused.
type stsRecorder struct {
	mu      sync.Mutex
	keys    map[string]bool
	refused []string
}

func newSTSRecorder() *stsRecorder { return &stsRecorder{keys: map[string]bool{}} }

func (r *stsRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *stsRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *stsRecorder) WithGroup(string) slog.Handler            { return r }
func (r *stsRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch rec.Message {
	case "sts GetCallerIdentity":
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "access_key_id" {
				r.keys[a.Value.String()] = true
			}
			return true
		})
	case "sts refused":
		var b strings.Builder
		rec.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, "%s=%v ", a.Key, a.Value); return true })
		r.refused = append(r.refused, b.String())
	}
	return nil
}

func (r *stsRecorder) snapshot() (keys map[string]bool, refused []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys = map[string]bool{}
	for k := range r.keys {
		keys[k] = true
	}
	return keys, append([]string(nil), r.refused...)
}
