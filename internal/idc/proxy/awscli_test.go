package proxy_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/proxy"
	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// TestAWSCLIGetCallerIdentity runs the real AWS CLI (2.9.19 here) against
// the STS handler through the proxy, inside the network namespace: it sends
// CONNECT sts.us-east-1.amazonaws.com:443 as HTTP/1.0, trusts only the
// proxy's CA, signs with SigV4 and parses our XML, errors included.
func TestAWSCLIGetCallerIdentity(t *testing.T) {
	netns.Required(t)
	aws := netns.AWSCLI(t)
	t.Parallel()

	ca, err := proxy.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&proxy.Handler{CA: ca, Next: testSTS(time.Now().Add(time.Hour)), Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		secret     string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:   "issued credentials",
			secret: testSecret,
			// The AWS CLI's JSON output: 4-space indent, model order (spec §8).
			wantStdout: "{\n" +
				"    \"UserId\": \"AROAEXAMPLEROLEID0001:alice\",\n" +
				"    \"Account\": \"111122223333\",\n" +
				"    \"Arn\": \"" + wantArn + "\"\n" +
				"}\n",
		},
		{
			name:       "other secret",
			secret:     "another-secret-of-the-same-length-0000",
			wantCode:   254,
			wantStderr: "\nAn error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, aws, "sts", "get-caller-identity", "--output", "json")
			cmd.Env = append(netns.AWSEnv(t.TempDir(), srv.URL, ca.CertFile()),
				"AWS_ACCESS_KEY_ID="+testKeyID,
				"AWS_SECRET_ACCESS_KEY="+tt.secret,
				"AWS_SESSION_TOKEN="+testToken,
				"AWS_DEFAULT_REGION=us-east-1",
			)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatalf("run aws: %v", err)
			}
			got := []any{code, stdout.String(), stderr.String()}
			want := []any{tt.wantCode, tt.wantStdout, tt.wantStderr}
			if diff := cmp.Diff(want, got); diff != "" {
				// stderr never holds a secret: the CLI does not print credentials.
				t.Errorf("aws sts get-caller-identity [exit code, stdout, stderr] (-want +got):\n%s", diff)
			}
			if strings.Contains(stdout.String()+stderr.String(), tt.secret) {
				t.Error("the AWS CLI output holds the secret key")
			}
		})
	}
}
