package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

func TestSSOListAccountsAndRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, idctest.WithDirectory(directory.Generate(2, 2)))
	srv := h.srv
	h.writeConfig("[sso-session corp]\nsso_start_url = " + srv.StartURL + "\nsso_region = " + srv.Region +
		"\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\nsso_role_name = Role02\n")
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"accounts json by session", []string{"sso", "list-accounts", "--sso-session", "corp"}, `{
    "accountList": [
        {
            "accountId": "100000000000",
            "accountName": "account-0000",
            "emailAddress": "aws+0000@example.com"
        },
        {
            "accountId": "100000000001",
            "accountName": "account-0001",
            "emailAddress": "aws+0001@example.com"
        }
    ]
}
`},
		{"accounts text by profile", []string{"--profile", "dev", "sso", "list-accounts", "--output", "text"},
			"ACCOUNTLIST\t100000000000\taccount-0000\taws+0000@example.com\nACCOUNTLIST\t100000000001\taccount-0001\taws+0001@example.com\n"},
		{"roles json", []string{"--profile", "dev", "sso", "list-account-roles", "--account-id", "100000000001"}, `{
    "roleList": [
        {
            "roleName": "Role01",
            "accountId": "100000000001"
        },
        {
            "roleName": "Role02",
            "accountId": "100000000001"
        }
    ]
}
`},
		{"roles text", []string{"sso", "list-account-roles", "--sso-session", "corp", "--account-id", "100000000000", "--output", "text"},
			"ROLELIST\t100000000000\tRole01\nROLELIST\t100000000000\tRole02\n"},
		{"roles table", []string{"sso", "list-account-roles", "--sso-session", "corp", "--account-id", "100000000000", "--output", "table"},
			// What the AWS CLI 2.36.7's table formatter prints for this response.
			`--------------------------------
|       ListAccountRoles       |
+------------------------------+
||          roleList          ||
|+---------------+------------+|
||   accountId   | roleName   ||
|+---------------+------------+|
||  100000000000 |  Role01    ||
||  100000000000 |  Role02    ||
|+---------------+------------+|
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := h.mustRun(tc.args...)
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("ssocli %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		h2 := h.anotherHome()
		h2.writeConfig("[sso-session corp]\nsso_start_url = " + srv.StartURL + "\nsso_region = " + srv.Region + "\n")
		_, errs, code := h2.run("sso", "list-accounts", "--sso-session", "corp")
		if code != 255 || !strings.Contains(errs, "Error loading SSO Token: Token for corp does not exist") {
			t.Errorf("exit %d, stderr %q; want 255 and the AWS CLI's missing-token message", code, errs)
		}
	})
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.writeConfig("[default]\n[profile dev]\n[profile prod]\n[sso-session corp]\n[sso-session other]\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"profiles", []string{"__complete", "sts", "get-caller-identity", "--profile", "d"}, "default\ndev\n:4\n"},
		{"sessions", []string{"__complete", "sso", "list-accounts", "--sso-session", ""}, "corp\nother\n:4\n"},
		{"populate sessions", []string{"__complete", "configure", "populate", "--sso-session", "o"}, "other\n:4\n"},
		{"shells", []string{"__complete", "completion", ""}, "bash\nzsh\nfish\npowershell\n:4\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := h.mustRun(tc.args...)
			// Cobra appends a "Completion ended with directive" line on stderr only; stdout ends with ":<directive>".
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("completion (-want +got):\n%s", diff)
			}
		})
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run("script "+shell, func(t *testing.T) {
			if out := h.mustRun("completion", shell); !strings.Contains(out, "ssocli") || len(out) < 500 {
				t.Errorf("completion %s printed %d bytes: %.200q", shell, len(out), out)
			}
		})
	}
}
