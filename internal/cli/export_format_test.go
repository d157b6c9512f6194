package cli

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/creds"
)

// TestProcessFormatIsPythonJSON: --format process is the AWS CLI's
// json.dumps(output, indent=2, separators=(',', ': ')) byte for byte
// (awscli/customizations/configure/exportcreds.py, 2.9.19), including its
// ensure_ascii escaping. The want below is what CPython 3.11 prints for these
// values; real keys are ASCII, but a value the SDK would read differently must
// not be possible.
func TestProcessFormatIsPythonJSON(t *testing.T) {
	t.Parallel()
	c := &creds.Credentials{
		AccessKeyID:     "ASIA/é<>&",
		SecretAccessKey: "k\u2028\x7f\"\\\n",
		SessionToken:    "😀\x01",
		Expiration:      time.Date(2026, 11, 26, 1, 8, 2, 0, time.UTC),
	}
	want := "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIA/\\u00e9<>&\",\n  \"SecretAccessKey\": \"k\\u2028\\u007f\\\"\\\\\\n\",\n  \"SessionToken\": \"\\ud83d\\ude00\\u0001\",\n  \"Expiration\": \"2026-11-26T01:08:02+00:00\"\n}\n"
	if d := cmp.Diff(want, string(formatCredentials(c, "process"))); d != "" {
		t.Errorf("process format (-want +got):\n%s", d)
	}
}
