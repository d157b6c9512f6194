package interop

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// configureConfig is a config file with what `configure get` and `set` must
// read and keep byte for byte: comments, odd spacing, an inline comment (part
// of the value), nested sub-sections, [plugins], [preview], a bare [p] (what
// the AWS CLI writes for a profile p), an sso-session and [services].
const configureConfig = `# my AWS config
; kept as it is

[default]
region = us-east-1
s3 =
    max_concurrent_requests = 20
    Addressing_Style = path
output=json ; inline

[profile dev]   
# the dev account
region   =   eu-west-1
services = local
s3 =
  multipart_threshold = 64MB
[plugins]
endpoint = awscli_plugin_endpoint

[preview]
cloudfront = true

[p]
region = bare-p

[sso-session corp]
sso_region = us-east-2
sso_start_url = https://d-1.awsapps.com/start

[services local]
sso_oidc =
  endpoint_url = http://127.0.0.1:8080
`

const configureCredentials = `# keys
[default]
aws_access_key_id = AKIADEFAULT00000ABCD
aws_secret_access_key = secret-default

[cred]
aws_access_key_id = AKIACRED
aws_secret_access_key = secret-cred
region = cred-region
`

// configureCase is one run of both CLIs on copies of the same files.
type configureCase struct {
	args []string
	env  []string
	// noFiles starts from a HOME without ~/.aws.
	noFiles bool
	// config replaces configureConfig.
	config *string
	// ssocliConfig turns the AWS CLI's resulting config into ssocli's, for
	// a deliberate difference; the test checks that the AWS CLI still
	// writes the old form, so the difference cannot go stale.
	ssocliConfig [2]string
	// direct also runs /usr/bin/aws itself, to check that the in-process
	// runner gives what it gives.
	direct bool
}

func ptrTo(s string) *string { return &s }

var configureCases = []configureCase{
	// configure get
	{args: []string{"get", "region"}, direct: true},
	{args: []string{"get", "output"}},
	{args: []string{"get", "default.region"}},
	{args: []string{"get", "profile.dev.region"}},
	{args: []string{"get", "dev.region"}},
	{args: []string{"get", "region", "--profile", "dev"}},
	{args: []string{"get", "region"}, env: []string{"AWS_PROFILE=dev"}},
	{args: []string{"get", "region"}, env: []string{"AWS_DEFAULT_PROFILE=dev"}},
	{args: []string{"get", "region"}, env: []string{"AWS_REGION=env-region"}},
	{args: []string{"get", "s3.max_concurrent_requests"}},
	{args: []string{"get", "s3.Addressing_Style"}},
	{args: []string{"get", "s3.addressing_style"}},
	{args: []string{"get", "default.s3.max_concurrent_requests"}},
	{args: []string{"get", "s3.multipart_threshold", "--profile", "dev"}},
	{args: []string{"get", "profile.dev.s3.multipart_threshold"}},
	{args: []string{"get", "s3"}, direct: true},
	{args: []string{"get", "s3.a.b"}},
	{args: []string{"get", "region.a.b"}},
	{args: []string{"get", "profile.dev.region.x"}},
	{args: []string{"get", "plugins.endpoint"}},
	{args: []string{"get", "preview.cloudfront"}},
	// The AWS CLI pops cli_legacy_plugin_path from [plugins] as it loads
	// its plugins.
	{args: []string{"get", "plugins.cli_legacy_plugin_path"}, config: ptrTo("[plugins]\ncli_legacy_plugin_path = /nonexistent\n")},
	{args: []string{"get", "p.region"}},
	// No dotted form reaches an sso-session or services section (2.36
	// has --sso-session and --services for that).
	{args: []string{"get", "sso-session.corp.sso_region"}},
	{args: []string{"get", "services.local.sso_oidc"}},
	{args: []string{"get", "aws_access_key_id"}},
	{args: []string{"get", "aws_secret_access_key", "--profile", "cred"}},
	{args: []string{"get", "cred.region"}},
	{args: []string{"get", "region", "--profile", "cred"}},
	{args: []string{"get", "nope"}},
	{args: []string{"get", "Region"}},
	{args: []string{"get", "sso_region"}},
	{args: []string{"get", "services"}, env: []string{"AWS_PROFILE=dev"}},
	{args: []string{"get", "region", "--profile", "nope"}, direct: true},
	{args: []string{"get", "default.region", "--profile", "nope"}},
	{args: []string{"get", "profile.dev"}},
	{args: []string{"get", "region"}, noFiles: true},
	{args: []string{"get"}},
	{args: []string{"get", "a", "b"}},

	// configure set
	{args: []string{"set", "region", "us-west-2"}},
	{args: []string{"set", "region", "us-west-2", "--profile", "dev"}},
	{args: []string{"set", "output", "text"}, env: []string{"AWS_PROFILE=dev"}},
	{args: []string{"set", "profile.dev.cli_pager", ""}},
	{args: []string{"set", "default.sso_session", "corp"}},
	{args: []string{"set", "dev.region", "x"}},
	{args: []string{"set", "region", "x", "--profile", "new one"}},
	{args: []string{"set", "profile.brand.new.region", "x"}},
	{args: []string{"set", "s3.max_concurrent_requests", "5"}},
	{args: []string{"set", "s3.multipart_chunksize", "16MB"}, direct: true},
	{args: []string{"set", "s3.use_accelerate_endpoint", "true", "--profile", "dev"}},
	{args: []string{"set", "default.s3.signature_version", "s3v4"}},
	{args: []string{"set", "profile.dev.s3.multipart_threshold", "8MB"}},
	{args: []string{"set", "profile.fresh.s3.a", "1"}},
	{args: []string{"set", "a.b.c", "v"}},
	{args: []string{"set", "plugins.cli_legacy_plugin_path", "/opt/plugins"}},
	{args: []string{"set", "preview.sdb", "true"}},
	{args: []string{"set", "aws_access_key_id", "AKIANEW"}},
	{args: []string{"set", "aws_secret_access_key", "secret-new", "--profile", "cred"}},
	{args: []string{"set", "profile.dev.aws_session_token", "token"}},
	{args: []string{"set", "aws_access_key_id", "AKIANEW", "--profile", "newcred"}},
	{args: []string{"set", "region", "x"}, noFiles: true},
	{args: []string{"set", "aws_access_key_id", "AKIA"}, noFiles: true, direct: true},
	{args: []string{"set", "region", "x"}, config: ptrTo("[default]\nregion = a")},
	// The AWS CLI glues the new key onto a last comment line that has no
	// newline (Document's documented difference): ssocli ends the line first.
	{args: []string{"set", "output", "json"}, config: ptrTo("[default]\nregion = a\n# last"),
		ssocliConfig: [2]string{"# lastoutput = json\n\n", "# last\noutput = json\n"}},
	{args: []string{"set", "region", "x"}, config: ptrTo("# only a comment\n")},
	// A file botocore cannot read is not edited.
	{args: []string{"set", "region", "x"}, config: ptrTo("[default]\nregion = a\n[default]\n")},
	{args: []string{"get", "region"}, config: ptrTo("[default]\nregion = a\n[default]\n")},
	{args: []string{"set", "region"}},
	{args: []string{"set", "a", "b", "c"}, direct: true},
	{args: []string{"set", "profile.dev", "x"}},
	// The AWS CLI's bug, not copied: a profile named by a part of "plugins"
	// gets a bare [p] section, which no profile lookup reads.
	{args: []string{"set", "region", "x", "--profile", "p"}, config: ptrTo("[default]\nregion = a\n"),
		ssocliConfig: [2]string{"[p]\n", "[profile p]\n"}},
	{args: []string{"set", "profile.lug.region", "x"}, config: ptrTo("[default]\nregion = a\n"),
		ssocliConfig: [2]string{"[lug]\n", "[profile lug]\n"}},
}

// configureEnv is the whole environment of one run of either CLI.
func configureEnv(tc configureCase, home string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}, tc.env...)
}

// configureHome makes a HOME with the case's files.
func configureHome(t *testing.T, tc configureCase) string {
	home := t.TempDir()
	if tc.noFiles {
		return home
	}
	config := configureConfig
	if tc.config != nil {
		config = *tc.config
	}
	writeFile(t, filepath.Join(home, ".aws", "config"), config)
	writeFile(t, filepath.Join(home, ".aws", "credentials"), configureCredentials)
	return home
}

// awsConfigureInProcess runs the cases' command lines with the AWS CLI
// 2.9.19's own entry point, all in one Python process (the import is most of
// the half second each `aws` run costs), each with its environment, in homes
// made by configureHome; it returns the results and the homes.
func awsConfigureInProcess(t *testing.T, cases []configureCase) ([]result, []string) {
	t.Helper()
	type oracleCase struct {
		Env  map[string]string `json:"env"`
		Cwd  string            `json:"cwd"`
		Args []string          `json:"args"`
	}
	var in []oracleCase
	var homes []string
	for _, tc := range cases {
		home := configureHome(t, tc)
		homes = append(homes, home)
		env := map[string]string{}
		for _, kv := range configureEnv(tc, home) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		in = append(in, oracleCase{Env: env, Cwd: home, Args: append([]string{"configure"}, tc.args...)})
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/bin/python3", "testdata/awscli_configure_oracle.py")
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("AWS CLI in-process runner: %v", err)
	}
	var raw []struct {
		Code   int    `json:"code"`
		Stdout string `json:"stdout"`
		Stderr string `json:"stderr"`
	}
	if err := json.Unmarshal(out, &raw); err != nil || len(raw) != len(cases) {
		t.Fatalf("AWS CLI in-process runner: %v (%d results for %d cases)", err, len(raw), len(cases))
	}
	res := make([]result, len(raw))
	for i, r := range raw {
		res[i] = result{cmd: "aws " + strings.Join(in[i].Args, " "), code: r.Code, stdout: r.Stdout, stderr: r.Stderr}
	}
	return res, homes
}

// TestConfigureGetSetLikeAWSCLI runs `configure get` and `configure set` with
// ssocli and the AWS CLI 2.9.19 (whose get.py, set.py and writer.py 2.36
// keeps but for the sub-section flags) on copies of the same files: the
// same stdout, exit code and resulting files (bytes and mode), and the same
// stderr where the AWS CLI prints no error (ssocli adds a hint line to
// errors, and the error form is the error renderer's).
func TestConfigureGetSetLikeAWSCLI(t *testing.T) {
	netns.Required(t)
	aws := netns.AWSCLI(t)
	t.Parallel()
	wants, awsHomes := awsConfigureInProcess(t, configureCases)
	// The in-process runner is /usr/bin/aws: a few cases run both ways.
	for i, tc := range configureCases {
		if !tc.direct {
			continue
		}
		home := configureHome(t, tc)
		r := run(t, aws, configureEnv(tc, home), append([]string{"configure"}, tc.args...)...)
		if r.code != wants[i].code || r.stdout != wants[i].stdout || r.stderr != wants[i].stderr {
			t.Errorf("in-process and /usr/bin/aws runs differ\n--- in-process %s\n--- /usr/bin/aws %s", wants[i], r)
		}
		for _, f := range []string{"config", "credentials"} {
			if a, b := readOrNone(t, filepath.Join(home, ".aws", f)), readOrNone(t, filepath.Join(awsHomes[i], ".aws", f)); a != b {
				t.Errorf("%s: ~/.aws/%s of the in-process and /usr/bin/aws runs differ:\n%s", r.cmd, f, cmp.Diff(a, b))
			}
		}
	}
	for i, tc := range configureCases {
		name := strings.Join(append(append([]string(nil), tc.env...), tc.args...), " ")
		if tc.noFiles {
			name += " (no files)"
		}
		want, awsHome := wants[i], awsHomes[i]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ourHome := configureHome(t, tc)
			got := run(t, ssocliBin, configureEnv(tc, ourHome), append([]string{"configure"}, tc.args...)...)
			if got.code != want.code || got.stdout != want.stdout {
				t.Errorf("exit code or stdout differ\n--- AWS CLI %s\n--- ssocli %s", want, got)
			}
			if want.code <= 1 && got.stderr != want.stderr {
				t.Errorf("stderr differs (-awscli +ssocli):\n%s", cmp.Diff(want.stderr, got.stderr))
			}
			for _, f := range []string{"config", "credentials"} {
				w, werr := os.ReadFile(filepath.Join(awsHome, ".aws", f))
				g, gerr := os.ReadFile(filepath.Join(ourHome, ".aws", f))
				if (werr == nil) != (gerr == nil) {
					t.Errorf("~/.aws/%s: the AWS CLI's read gives %v, ssocli's %v", f, werr, gerr)
					continue
				}
				wantFile := string(w)
				if f == "config" && tc.ssocliConfig[0] != "" {
					if !strings.Contains(wantFile, tc.ssocliConfig[0]) {
						t.Errorf("the AWS CLI no longer writes %q: the deliberate difference is stale\n%s", tc.ssocliConfig[0], wantFile)
					}
					wantFile = strings.Replace(wantFile, tc.ssocliConfig[0], tc.ssocliConfig[1], 1)
				}
				if diff := cmp.Diff(wantFile, string(g)); diff != "" {
					t.Errorf("~/.aws/%s differs (-awscli +ssocli):\n%s", f, diff)
				}
				if werr == nil {
					wi, _ := os.Stat(filepath.Join(awsHome, ".aws", f))
					gi, _ := os.Stat(filepath.Join(ourHome, ".aws", f))
					if wi.Mode().Perm() != gi.Mode().Perm() {
						t.Errorf("~/.aws/%s mode: AWS CLI %v, ssocli %v", f, wi.Mode().Perm(), gi.Mode().Perm())
					}
				}
			}
		})
	}
}

func readOrNone(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "(none)"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
