package awsconfig

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

func TestFileProfiles(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte("[DEFAULT]\nregion = d\n[profile p]\naws_access_key_id = cfg\ncredential_process = x\n[profile only-config]\nk = v\n"),
		[]byte("[p]\naws_access_key_id = crd\n[only-creds]\naws_access_key_id = c2\n[profile p]\naws_access_key_id = not-p\n"), "config")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		profile      string
		wantCfg      map[string]string
		wantCrd      map[string]string
		wantMergedID string
	}{
		{name: "both files", profile: "p",
			wantCfg:      map[string]string{"aws_access_key_id": "cfg", "credential_process": "x", "region": "d"},
			wantCrd:      map[string]string{"aws_access_key_id": "crd"},
			wantMergedID: "crd"},
		{name: "config only", profile: "only-config", wantCfg: map[string]string{"k": "v", "region": "d"}},
		{name: "credentials only", profile: "only-creds", wantCrd: map[string]string{"aws_access_key_id": "c2"}, wantMergedID: "c2"},
		// "[profile p]" in the credentials file is a section of that name, not p.
		{name: "profile prefix in the credentials file", profile: "profile p", wantCrd: map[string]string{"aws_access_key_id": "not-p"}, wantMergedID: "not-p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := cfg.ConfigFileProfile(tt.profile)
			if ok != (tt.wantCfg != nil) {
				t.Fatalf("ConfigFileProfile ok = %v", ok)
			}
			if ok {
				if diff := cmp.Diff(tt.wantCfg, c.Values); diff != "" {
					t.Errorf("config file (-want +got):\n%s", diff)
				}
			}
			k, ok := cfg.CredentialsFileProfile(tt.profile)
			if ok != (tt.wantCrd != nil) {
				t.Fatalf("CredentialsFileProfile ok = %v", ok)
			}
			if ok {
				if diff := cmp.Diff(tt.wantCrd, k.Values); diff != "" {
					t.Errorf("credentials file (-want +got):\n%s", diff)
				}
			}
			m, _ := cfg.Profile(tt.profile)
			if got := m.Values["aws_access_key_id"]; got != tt.wantMergedID {
				t.Errorf("merged aws_access_key_id = %q, want %q", got, tt.wantMergedID)
			}
		})
	}
}

func TestEndpointVariants(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte("[profile f]\nuse_fips_endpoint = TRUE\nuse_dualstack_endpoint = yes\n[profile n]\nuse_fips_endpoint = false\n"), nil, "config")
	if err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name          string
		profile       string
		getenv        func(string) string
		fips, dualStk bool
	}{
		{"profile true in any case; yes is not true", "f", env(), true, false},
		{"profile false", "n", env(), false, false},
		{"variable wins over the profile", "f", env("AWS_USE_FIPS_ENDPOINT", "false", "AWS_USE_DUALSTACK_ENDPOINT", "True"), false, true},
		{"variable alone", "missing", env("AWS_USE_FIPS_ENDPOINT", "true"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cfg.UseFIPSEndpoint(tt.profile, tt.getenv); got != tt.fips {
				t.Errorf("UseFIPSEndpoint = %v, want %v", got, tt.fips)
			}
			if got := cfg.UseDualStackEndpoint(tt.profile, tt.getenv); got != tt.dualStk {
				t.Errorf("UseDualStackEndpoint = %v, want %v", got, tt.dualStk)
			}
		})
	}
}

var splitCases = []string{
	`/bin/echo a b`,
	`  /bin/echo   "a b"  'c d' `,
	`prog "" x`,
	`prog a\ b "c\"d" 'e\f'`,
	`C:\Program Files\x.exe`,
	`"C:\Program Files\x.exe" --profile "a b"`,
	`prog \\"quoted\\" \"lit\" a\\\"b`,
	`prog """"`,
	"prog\ta\tb",
}

// TestSplitCommandOracle compares both splitters with botocore's own
// compat_shell_split (Debian's botocore), for POSIX and Windows.
func TestSplitCommandOracle(t *testing.T) {
	t.Parallel()
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import botocore.compat").CombinedOutput(); err != nil {
		require.Missingf(t, "botocore is not importable by %s (apt-get install python3-botocore): %v %s", python, err, out)
		return
	}
	in, _ := json.Marshal(splitCases)
	cmd := exec.Command(python, "-c", `import sys, json
from botocore.compat import compat_shell_split
out = []
for s in json.load(sys.stdin):
    out.append([compat_shell_split(s, "linux2"), compat_shell_split(s, "win32")])
print(json.dumps(out))`)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var want [][2][]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range splitCases {
		posix, err := shlexSplit(s)
		if err != nil {
			t.Errorf("%q: shlexSplit: %v", s, err)
		}
		win, err := windowsSplit(s)
		if err != nil {
			t.Errorf("%q: windowsSplit: %v", s, err)
		}
		if diff := cmp.Diff(want[i][0], posix); diff != "" {
			t.Errorf("%q POSIX (-botocore +ours):\n%s", s, diff)
		}
		if diff := cmp.Diff(want[i][1], win); diff != "" {
			t.Errorf("%q Windows (-botocore +ours):\n%s", s, diff)
		}
	}
	if _, err := windowsSplit(`prog "open`); err == nil {
		t.Error("windowsSplit accepted an unclosed quote; botocore refuses it")
	}
}
