package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/testutil/ssoclibin"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// ssocliBinary builds cmd/ssocli once per test run.
func ssocliBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binPath, _, binErr = ssoclibin.Build()
	})
	if binErr != nil {
		t.Fatalf("build ssocli: %v", binErr)
	}
	return binPath
}

// execHome is a logged-in home with profile dev (account 100000000001, Role02).
func execHome(t *testing.T) (*harness, []string) {
	t.Helper()
	h := newHarness(t, idctest.WithDirectory(directory.Generate(2, 2)))
	srv := h.srv
	h.writeConfig("[sso-session corp]\nsso_start_url = " + srv.StartURL + "\nsso_region = " + srv.Region +
		"\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\nsso_role_name = Role02\nregion = eu-west-3\n")
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")
	bin := ssocliBinary(t)
	env := []string{"HOME=" + h.home, "AWS_ENDPOINT_URL=" + srv.URL, "PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin"}
	return h, env
}

func TestExecChildGetsTheProfilesRole(t *testing.T) {
	t.Parallel()
	_, env := execHome(t)
	cmd := exec.Command(ssocliBinary(t), "exec", "--profile", "dev", "--", "ssocli", "sts", "get-caller-identity")
	cmd.Env = append(env, "AWS_PROFILE=nonexistent")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssocli exec: %v\n%s", err, stderrOf(err))
	}
	var id struct{ Account, Arn string }
	if err := json.Unmarshal(out, &id); err != nil {
		t.Fatalf("get-caller-identity printed %q: %v", out, err)
	}
	if id.Account != "100000000001" || !strings.Contains(id.Arn, ":assumed-role/AWSReservedSSO_Role02_") || !strings.HasSuffix(id.Arn, "/alice") {
		t.Errorf("the child is %+v, want account 100000000001, role Role02, user alice", id)
	}
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

func TestExecExitCodeAndNesting(t *testing.T) {
	t.Parallel()
	_, env := execHome(t)
	for _, tc := range []struct {
		name  string
		extra []string
		args  []string
		want  int
	}{
		{"exit code", nil, []string{"--profile", "dev", "--", "sh", "-c", "exit 7"}, 7},
		{"success", nil, []string{"--profile", "dev", "--", "true"}, 0},
		{"nested refused", []string{"SSOCLI_EXEC=outer"}, []string{"--profile", "dev", "--", "true"}, 252},
		{"nested allowed", []string{"SSOCLI_EXEC=outer"}, []string{"--allow-nested", "--profile", "dev", "--", "sh", "-c", "exit 3"}, 3},
		{"no such command", nil, []string{"--profile", "dev", "--", "no-such-command-ssocli"}, 255},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(ssocliBinary(t), append([]string{"exec"}, tc.args...)...)
			cmd.Env = append(append([]string{}, env...), tc.extra...)
			err := cmd.Run()
			got := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				got = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("exit %d, want %d", got, tc.want)
			}
		})
	}
}

func TestExecPassesSignals(t *testing.T) {
	t.Parallel()
	_, env := execHome(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		trap string
		want int
	}{
		{"SIGINT", syscall.SIGINT, "INT", 42},
		{"SIGTERM", syscall.SIGTERM, "TERM", 43},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			script := "trap 'exit " + map[int]string{42: "42", 43: "43"}[tc.want] + "' " + tc.trap + "; echo ready; while :; do sleep 0.05; done"
			cmd := exec.Command(ssocliBinary(t), "exec", "--profile", "dev", "--", "sh", "-c", script)
			cmd.Env = env
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "ready\n" {
				_ = cmd.Process.Kill()
				t.Fatalf("child said %q, %v", line, err)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err = <-waited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("ssocli exec did not end after the signal")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.want {
				t.Errorf("ssocli exec ended with %v, want exit %d (the child's trap)", err, tc.want)
			}
		})
	}
}

func TestExecEnviron(t *testing.T) {
	t.Parallel()
	c := &creds.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	base := []string{"PATH=/bin", "AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=x", "AWS_ACCESS_KEY_ID=old", "AWS_REGION=us-east-1", "SSOCLI_EXEC=outer", "HOME=/h"}
	for _, tc := range []struct {
		name   string
		region string
		want   []string
	}{
		{"with region", "eu-west-3", []string{"PATH=/bin", "HOME=/h", "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_SESSION_TOKEN=TOKEN",
			"AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z", "AWS_REGION=eu-west-3", "AWS_DEFAULT_REGION=eu-west-3", "SSOCLI_EXEC=dev"}},
		{"without region the environment's stays", "", []string{"PATH=/bin", "AWS_REGION=us-east-1", "HOME=/h", "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_SESSION_TOKEN=TOKEN",
			"AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z", "SSOCLI_EXEC=dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, execEnviron(base, c, tc.region, "dev")); diff != "" {
				t.Errorf("execEnviron (-want +got):\n%s", diff)
			}
		})
	}
}
