//go:build unix

package creds

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/usererr"
)

// processWorld writes a config with one credential_process profile.
func processConfig(t *testing.T, line string) *awsconfig.Config {
	t.Helper()
	cfg, err := awsconfig.Parse([]byte("[profile p]\naws_account_id = 999988887777\ncredential_process = "+line+"\n"), nil, "config")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "proc")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProcessProvider(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	future := now.Add(time.Hour).Format(time.RFC3339)
	tests := []struct {
		name       string
		script     string
		args       string // after the script's path, as written in the config
		want       *Credentials
		wantErr    string
		wantLoad   bool // a LoadError (export-credentials prefixes it)
		wantStderr string
	}{
		{name: "version 1 with everything", script: `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "ST", "Expiration": "` + future + `", "AccountId": "111122223333"}'`,
			want: &Credentials{AccessKeyID: "AK", SecretAccessKey: "SK", SessionToken: "ST", Expiration: now.Add(time.Hour), AccountID: "111122223333", Method: "custom-process"}},
		{name: "static keys, account from the profile", script: `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK"}'`,
			want: &Credentials{AccessKeyID: "AK", SecretAccessKey: "SK", AccountID: "999988887777", Method: "custom-process"}},
		{name: "arguments split like shlex, no shell", script: `printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}' "$1" "$2"`, args: ` "a b" '$HOME;x'`,
			want: &Credentials{AccessKeyID: "a b", SecretAccessKey: "$HOME;x", AccountID: "999988887777", Method: "custom-process"}},
		{name: "the user's environment is passed", script: `printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "x"}' "$CHAIN_TEST_VAR"`,
			want: &Credentials{AccessKeyID: "from-env", SecretAccessKey: "x", AccountID: "999988887777", Method: "custom-process"}},
		{name: "stderr goes through", script: `echo 'touch your key' >&2; echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK"}'`,
			want: &Credentials{AccessKeyID: "AK", SecretAccessKey: "SK", AccountID: "999988887777", Method: "custom-process"}, wantStderr: "touch your key\n"},
		{name: "non-zero exit", script: `echo 'no such key' >&2; exit 3`, wantLoad: true, wantStderr: "no such key\n",
			wantErr: "Error when retrieving credentials from custom-process: no such key"},
		{name: "garbage", script: `echo 'Usage: tool [options]'`, wantLoad: true, wantErr: "Expecting value: line 1 column 1 (char 0)"},
		{name: "nothing", script: `true`, wantLoad: true, wantErr: "Expecting value: line 1 column 1 (char 0)"},
		{name: "a list", script: `echo '[1]'`, wantLoad: true, wantErr: "'list' object has no attribute 'get'"},
		{name: "version 2", script: `echo '{"Version": 2}'`, wantLoad: true,
			wantErr: "Error when retrieving credentials from custom-process: Unsupported version '2' for credential process provider, supported versions: 1"},
		{name: "version as a string", script: `echo '{"Version": "1", "AccessKeyId": "a", "SecretAccessKey": "b"}'`, wantLoad: true,
			wantErr: "Error when retrieving credentials from custom-process: Unsupported version '1' for credential process provider, supported versions: 1"},
		{name: "no version", script: `echo '{"AccessKeyId": "a"}'`, wantLoad: true,
			wantErr: "Error when retrieving credentials from custom-process: Unsupported version '<Version key not provided>' for credential process provider, supported versions: 1"},
		{name: "missing secret", script: `echo '{"Version": 1, "AccessKeyId": "a"}'`, wantLoad: true,
			wantErr: "Error when retrieving credentials from custom-process: Missing required key in response: 'SecretAccessKey'"},
		{name: "bad expiration", script: `echo '{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "garbage"}'`, wantLoad: true,
			wantErr: "Unknown string format: garbage"},
		{name: "expired", script: `echo '{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "2020-01-01T00:00:00Z"}'`,
			wantErr: "Credentials were refreshed, but the refreshed credentials are still expired."},
		{name: "hangs", script: `exec sleep 60`, wantLoad: true,
			wantErr: "Error when retrieving credentials from custom-process: the command PROG did not finish within 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prog := script(t, tt.script)
			var stderr bytes.Buffer
			m := &Manager{Home: t.TempDir(), Now: func() time.Time { return now }}
			c, err := m.Resolve(context.Background(), ChainOptions{
				Config: processConfig(t, prog+tt.args), Profile: "p", Explicit: true,
				Getenv:         envOf("AWS_EC2_METADATA_DISABLED", "true"),
				Environ:        func() []string { return []string{"PATH=/usr/bin:/bin", "CHAIN_TEST_VAR=from-env"} },
				ProcessStderr:  &stderr,
				ProcessTimeout: 300 * time.Millisecond,
			})
			if got := stderr.String(); got != tt.wantStderr {
				t.Errorf("stderr passed through = %q, want %q", got, tt.wantStderr)
			}
			if tt.wantErr != "" {
				u := usererr.As(err)
				if u == nil {
					t.Fatalf("got %+v, %v; want error %q", c, err, tt.wantErr)
				}
				if want := strings.ReplaceAll(tt.wantErr, "PROG", prog); u.Msg != want {
					t.Errorf("message:\n got %s\nwant %s", u.Msg, want)
				}
				if u.Code != usererr.CodeOther || u.Hint == "" {
					t.Errorf("exit code %d (want 255), hint %q (want one)", u.Code, u.Hint)
				}
				if IsLoadError(err) != tt.wantLoad {
					t.Errorf("IsLoadError = %v, want %v", IsLoadError(err), tt.wantLoad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
			if entries, _ := os.ReadDir(filepath.Join(m.Home, ".aws")); len(entries) != 0 {
				t.Errorf("credential_process output was cached: %v", entries)
			}
		})
	}
}

// TestProcessRunsAgainNearExpiry: credentials with less than 15 minutes left
// are fetched once more at once, as botocore's advisory refresh does.
func TestProcessRunsAgainNearExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	prog := script(t, `echo x >> `+count+`; echo '{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "`+now.Add(12*time.Minute).Format(time.RFC3339)+`"}'`)
	m := &Manager{Home: dir, Now: func() time.Time { return now }}
	if _, err := m.Resolve(context.Background(), ChainOptions{Config: processConfig(t, prog), Profile: "p", Getenv: envOf("AWS_EC2_METADATA_DISABLED", "true")}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(count)
	if runs := strings.Count(string(b), "x"); runs != 2 {
		t.Errorf("the process ran %d times, want 2", runs)
	}
}

func TestProcessNotFound(t *testing.T) {
	t.Parallel()
	m := &Manager{Home: t.TempDir()}
	_, err := m.Resolve(context.Background(), ChainOptions{Config: processConfig(t, "/nonexistent/cmd arg"), Profile: "p", Getenv: envOf()})
	if u := usererr.As(err); u == nil || u.Msg != "[Errno 2] No such file or directory: '/nonexistent/cmd'" || !IsLoadError(err) {
		t.Errorf("got %v", err)
	}
}
