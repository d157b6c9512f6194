package cli

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/idc/directory"
)

// chainedConfig adds a role assumed from the SSO profile p (Development
// AdministratorAccess, which the demo's Deployer role trusts).
func (h *harness) chainedConfig() string {
	return h.defaultConfig() + "\n[profile chained]\nrole_arn = arn:aws:iam::" + directory.DemoProdAccount + ":role/" + directory.DemoCrossAccountRole +
		"\nsource_profile = p\nregion = us-west-2\n"
}

// TestChainedProfileEveryCommand: export-credentials, sts get-caller-identity
// and exec hand out the assumed role's credentials for a chained profile,
// and --auto-login logs in again for the SSO session behind its source.
func TestChainedProfileEveryCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.writeConfig(h.chainedConfig())
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")

	var id struct{ Account, Arn string }
	if err := json.Unmarshal([]byte(h.mustRun("sts", "get-caller-identity", "--profile", "chained")), &id); err != nil {
		t.Fatal(err)
	}
	if want := regexp.MustCompile(`^arn:aws:sts::444455556666:assumed-role/Deployer/botocore-session-\d+$`); !want.MatchString(id.Arn) {
		t.Errorf("identity %s, want the Deployer role", id.Arn)
	}
	var exp struct {
		Version                                    int
		AccessKeyId, SecretAccessKey, SessionToken string
		Expiration                                 string
	}
	if err := json.Unmarshal([]byte(h.mustRun("configure", "export-credentials", "--profile", "chained")), &exp); err != nil || exp.Version != 1 || exp.Expiration == "" {
		t.Fatalf("export-credentials: %+v, %v", exp, err)
	}
	// envCommand prints the child's environment on every system.
	out := h.mustRun(append([]string{"exec", "--profile", "chained", "--"}, envCommand...)...)
	if !slices.Contains(strings.Split(strings.ReplaceAll(out, "\r", ""), "\n"), "AWS_ACCESS_KEY_ID="+exp.AccessKeyId) {
		t.Errorf("exec did not give the child the role's key %q:\n%s", exp.AccessKeyId, out)
	}

	// sso status lists the role assumed from the session's credentials.
	var st struct {
		Sessions []struct {
			Session      string
			AssumedRoles []struct{ Profile, RoleArn, Expiration string }
		}
	}
	if err := json.Unmarshal([]byte(h.mustRun("sso", "status", "--output", "json")), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Sessions) != 1 || len(st.Sessions[0].AssumedRoles) != 1 || st.Sessions[0].AssumedRoles[0].Profile != "chained" ||
		st.Sessions[0].AssumedRoles[0].RoleArn != "arn:aws:iam::"+directory.DemoProdAccount+":role/"+directory.DemoCrossAccountRole ||
		st.Sessions[0].AssumedRoles[0].Expiration != exp.Expiration[:19]+"Z" {
		t.Errorf("sso status: %+v", st)
	}

	// The session ends: --auto-login logs in again for the source profile's
	// session, and the role is assumed anew.
	h.mustRun("sso", "logout")
	h.tty = true
	// The assumed role is still cached (logout keeps it, as the AWS CLI
	// does), so no login is needed for it...
	out, errs, code := h.run("configure", "export-credentials", "--profile", "chained", "--auto-login")
	if code != 0 || !strings.Contains(out, exp.AccessKeyId) || strings.Contains(errs, "logging in again") {
		t.Fatalf("the cached role was not used: exit %d, stderr %q", code, errs)
	}
	// ...but a role not cached yet needs the source, whose session is logged in again.
	h.writeConfig(h.chainedConfig() + "\n[profile chained2]\nrole_arn = arn:aws:iam::" + directory.DemoProdAccount + ":role/" + directory.DemoCrossAccountRole +
		"\nsource_profile = p\nrole_session_name = fresh\n")
	out, errs, code = h.run("configure", "export-credentials", "--profile", "chained2", "--auto-login")
	if code != 0 || !strings.Contains(errs, "has expired; logging in again") {
		t.Fatalf("auto-login through a source profile: exit %d, stderr %q", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &exp); err != nil || exp.Version != 1 {
		t.Errorf("stdout is not the credential_process JSON alone (%v)", err)
	}
}

// TestExportRecursionGuard: a credential_process that runs export-credentials
// for a profile already being exported is refused with the AWS CLI's words.
func TestExportRecursionGuard(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["_AWS_CLI_PROFILE_CHAIN"] = "a,p"
	_, errs, code := h.run("configure", "export-credentials", "--profile", "p")
	if want := "Credential process resolution detected an infinite loop, profile cycle: a -> p -> p"; code != 253 || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stderr %q; want 253 and %q", code, errs, want)
	}
	h.vars["_AWS_CLI_PROFILE_CHAIN"] = "a,b,c,d"
	_, errs, code = h.run("configure", "export-credentials", "--profile", "p")
	if want := "Maximum recursive credential process resolution reached (4).\nProfiles seen: a -> b -> c -> d"; code != 253 || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stderr %q; want 253 and %q", code, errs, want)
	}
}
