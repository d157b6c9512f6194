package cli

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	env := append(ssoclibin.HomeEnv(h.home), "AWS_ENDPOINT_URL="+srv.URL,
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+systemPath)
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
		{"exit code", nil, append([]string{"--profile", "dev", "--"}, exitCommand(7)...), 7},
		{"success", nil, append([]string{"--profile", "dev", "--"}, exitCommand(0)...), 0},
		{"nested refused", []string{"SSOCLI_EXEC=outer"}, append([]string{"--profile", "dev", "--"}, exitCommand(0)...), 252},
		{"nested allowed", []string{"SSOCLI_EXEC=outer"}, append([]string{"--allow-nested", "--profile", "dev", "--"}, exitCommand(3)...), 3},
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
			if diff := cmp.Diff(tc.want, execEnviron(base, c, tc.region, "dev", false)); diff != "" {
				t.Errorf("execEnviron (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExecEnvironCaseless: on Windows, environment names have no case, so
// aws_profile is AWS_PROFILE and must go too; on Unix they are other variables.
func TestExecEnvironCaseless(t *testing.T) {
	t.Parallel()
	c := &creds.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
	base := []string{"Path=C:\\bin", "aws_profile=dev", "Aws_Access_Key_Id=old", "ssocli_exec=outer", "aws_region=x"}
	for _, tc := range []struct {
		caseless bool
		want     []string
	}{
		{true, []string{"Path=C:\\bin", "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_REGION=eu-west-3", "AWS_DEFAULT_REGION=eu-west-3", "SSOCLI_EXEC=dev"}},
		{false, append(append([]string{}, base...), "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_REGION=eu-west-3", "AWS_DEFAULT_REGION=eu-west-3", "SSOCLI_EXEC=dev")},
	} {
		if diff := cmp.Diff(tc.want, execEnviron(base, c, "eu-west-3", "dev", tc.caseless)); diff != "" {
			t.Errorf("execEnviron(caseless=%v) (-want +got):\n%s", tc.caseless, diff)
		}
	}
}
