package cli

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
func execHome(t *testing.T) (*p5, []string) {
	t.Helper()
	srv := idctest.NewServer(t, idctest.WithDirectory(directory.Generate(2, 2)),
		idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	h := newP5(t, srv.URL)
	h.writeConfig("[sso-session corp]\nsso_start_url = " + srv.StartURL + "\nsso_region = " + srv.Region +
		"\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\nsso_role_name = Role02\nregion = eu-west-3\n")
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")
	bin := ssocliBinary(t)
	env := []string{"HOME=" + h.home, "AWS_ENDPOINT_URL=" + srv.URL}
	if runtime.GOOS == "windows" {
		// The home is USERPROFILE there; cmd.exe and the system DLLs need SystemRoot.
		root := os.Getenv("SystemRoot")
		env = append(env, "USERPROFILE="+h.home, "SystemRoot="+root, "PATH="+filepath.Dir(bin)+";"+filepath.Join(root, "System32"))
	} else {
		env = append(env, "PATH="+filepath.Dir(bin)+":/usr/bin:/bin")
	}
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
