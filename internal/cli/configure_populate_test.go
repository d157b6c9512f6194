package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// userConfig is a config with comments, odd spacing, a sub-section and an
// unknown section, which populate must keep byte for byte.
const userConfig = `# my settings
[default]
region=us-east-1
s3 =
    max_concurrent_requests = 10

[sso-session corp]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

; hand-written
[profile mine]
sso_session = corp
sso_account_id = 100000000000
sso_role_name = Role01

[profile account-0001-Role02]
output = text

[plugins]
foo = bar
`

// populatedProfiles returns the profiles that name session corp, keyed by name.
func populatedProfiles(t testing.TB, data string) map[string]map[string]string {
	t.Helper()
	cfg, err := awsconfig.Parse([]byte(data), nil, "config")
	if err != nil {
		t.Fatalf("populate wrote a config botocore cannot read: %v", err)
	}
	out := map[string]map[string]string{}
	for _, n := range cfg.ProfileNames() {
		s, _ := cfg.Profile(n)
		if s.Values["sso_session"] == "corp" && n != "mine" {
			out[n] = s.Values
		}
	}
	return out
}

// outsideBlock removes the populate block.
func outsideBlock(t testing.TB, data string) string {
	t.Helper()
	before, _, after, found, err := splitBlock(data, "# BEGIN ssocli populate corp", "# END ssocli populate corp")
	if err != nil || !found {
		t.Fatalf("no populate block (err %v) in:\n%s", err, data)
	}
	return before + after
}

func TestPopulate(t *testing.T) {
	t.Parallel()
	// Two servers in turn on one state directory: the second sees the same
	// sessions with a smaller directory.
	state := t.TempDir()
	h := newHarness(t, idctest.WithDirectory(directory.Generate(60, 3)), idctest.WithRateLimit(100),
		idctest.WithDataDir(state), idctest.WithPersistentState())
	h.writeConfig(userConfig)
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")

	h.mustRun("configure", "populate", "--sso-session", "corp", "--region", "eu-west-1", "--rate", "400")
	first := h.readConfig()
	got := populatedProfiles(t, first)
	if len(got) != 60*3-1 {
		t.Errorf("populate wrote %d profiles, want %d (60 accounts × 3 roles, less the one defined outside the block)", len(got), 60*3-1)
	}
	want := map[string]string{"sso_session": "corp", "sso_account_id": "100000000059", "sso_role_name": "Role03", "region": "eu-west-1"}
	if diff := cmp.Diff(want, got["account-0059-Role03"]); diff != "" {
		t.Errorf("profile account-0059-Role03 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(userConfig+"\n", outsideBlock(t, first)); diff != "" {
		t.Errorf("bytes outside the block changed (-want +got):\n%s", diff)
	}

	t.Run("second run changes nothing", func(t *testing.T) {
		h.mustRun("configure", "populate", "--sso-session", "corp", "--region", "eu-west-1", "--rate", "400")
		if diff := cmp.Diff(first, h.readConfig()); diff != "" {
			t.Errorf("second run changed the file (-first +second):\n%s", diff)
		}
		if out := h.mustRun("configure", "populate", "--sso-session", "corp", "--region", "eu-west-1", "--dry-run", "--rate", "1000"); out != "" {
			t.Errorf("dry run of an unchanged set printed a diff:\n%s", out)
		}
	})

	// The same sessions, seen by a server whose directory lost 10 accounts and a role.
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	h.vars["AWS_ENDPOINT_URL"] = idctest.NewServer(t, idctest.WithDirectory(directory.Generate(50, 2)),
		idctest.WithDataDir(state), idctest.WithPersistentState()).URL

	t.Run("without prune gone assignments stay", func(t *testing.T) {
		h.mustRun("configure", "populate", "--sso-session", "corp", "--region", "eu-west-1", "--rate", "1000")
		if diff := cmp.Diff(first, h.readConfig()); diff != "" {
			t.Errorf("populate without --prune changed the file (-before +after):\n%s", diff)
		}
	})

	t.Run("dry run shows the pruning and writes nothing", func(t *testing.T) {
		out := h.mustRun("configure", "populate", "--sso-session", "corp", "--region", "eu-west-1", "--prune", "--dry-run", "--rate", "1000")
		// The diff names the file as the AWS CLI would (awsconfig.Paths: on
		// Windows "~/.aws/config" keeps its "/" after the home, as ntpath does).
		shown, _ := awsconfig.Paths(func(k string) string { return h.vars[k] }, h.home)
		for _, line := range []string{"--- " + shown, "-[profile account-0059-Role03]", "-[profile account-0000-Role03]"} {
			if !strings.Contains(out, line+"\n") {
				t.Errorf("dry-run diff lacks the line %q:\n%.2000s", line, out)
			}
		}
		if strings.Contains(out, "\n+[profile") {
			t.Errorf("dry-run diff adds profiles:\n%.2000s", out)
		}
		if diff := cmp.Diff(first, h.readConfig()); diff != "" {
			t.Errorf("--dry-run wrote the file (-before +after):\n%s", diff)
		}
	})

	t.Run("prune removes gone assignments", func(t *testing.T) {
		h.mustRun("configure", "populate", "--sso-session", "corp", "--region", "eu-west-1", "--prune", "--rate", "1000")
		after := h.readConfig()
		got := populatedProfiles(t, after)
		var names []string
		for a := 0; a < 50; a++ {
			for r := 1; r <= 2; r++ {
				if n := fmt.Sprintf("account-%04d-Role%02d", a, r); n != "account-0001-Role02" {
					names = append(names, n)
				}
			}
		}
		var gotNames []string
		for n := range got {
			gotNames = append(gotNames, n)
		}
		if diff := cmp.Diff(sortedCopy(names), sortedCopy(gotNames)); diff != "" {
			t.Errorf("profiles after --prune (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(userConfig+"\n", outsideBlock(t, after)); diff != "" {
			t.Errorf("bytes outside the block changed (-want +got):\n%s", diff)
		}
	})
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}

var statsLine = regexp.MustCompile(`populate: (\d+) requests, (\d+) throttled, (\d+) retried`)

// TestPopulateLargeOrganisation is the acceptance run at its scale:
// 1,000 accounts with 3 roles each behind a portal that throttles. The test
// runs portal and client at 1,000 requests a second (1,010 requests: about
// a second) so that CI does not spend 50 s of real rate-limited time;
// bench/populate.sh measures the real rate of 20 a second.
func TestPopulateLargeOrganisation(t *testing.T) {
	t.Parallel()
	const rate = 1000
	h := newHarness(t, idctest.WithDirectory(directory.Generate(1000, 3)), idctest.WithRateLimit(rate))
	srv := h.srv
	h.writeConfig(userConfig)
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")
	before := srv.Server.Counts()

	_, errs, code := h.run("--debug", "configure", "populate", "--sso-session", "corp", "--rate", strconv.Itoa(rate))
	if code != 0 {
		t.Fatalf("populate: exit %d\n%s", code, errs)
	}
	first := h.readConfig()
	if n := len(populatedProfiles(t, first)); n != 2999 {
		t.Errorf("populate wrote %d profiles, want 2999 (3,000 less the one defined outside the block)", n)
	}
	m := statsLine.FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no request statistics in the --debug output:\n%s", errs)
	}
	requests, _ := strconv.Atoi(m[1])
	after := srv.Server.Counts()
	served := after["ListAccounts"] - before["ListAccounts"] + after["ListAccountRoles"] - before["ListAccountRoles"]
	if served != requests {
		t.Errorf("the server answered %d list calls, the client sent %d", served, requests)
	}
	t.Logf("%s requests (%s throttled and retried); floor 1,010", m[1], m[2])

	h.mustRun("configure", "populate", "--sso-session", "corp", "--rate", strconv.Itoa(rate))
	if first != h.readConfig() {
		t.Errorf("a second populate run changed the file")
	}
}

func TestSanitizeProfileName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Prod Account-Admin", "Prod-Account-Admin"},
		{"[weird]  name", "weird-name"},
		{"a--b", "a--b"},
		{"dev.team@x+y=z,1_2", "dev.team@x+y=z,1_2"},
		{"  ", ""},
		{"Ünïcode-Rôle", "n-code-R-le"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := sanitizeProfileName(tc.in); got != tc.want {
				t.Errorf("sanitizeProfileName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"append", "a\nb\n", "a\nb\nc\n", "--- A\n+++ B\n@@ -1,2 +1,3 @@\n a\n b\n+c\n"},
		{"change in the middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
			"--- A\n+++ B\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"},
		{"from empty", "", "a\n", "--- A\n+++ B\n@@ -0,0 +1,1 @@\n+a\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, unifiedDiff("A", "B", tc.a, tc.b)); diff != "" {
				t.Errorf("unifiedDiff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPopulateConfigBlock(t *testing.T) {
	t.Parallel()
	kv := func(acct, role string) []awsconfig.KeyValue {
		return []awsconfig.KeyValue{{Key: "sso_session", Value: "s"}, {Key: "sso_account_id", Value: acct}, {Key: "sso_role_name", Value: role}}
	}
	want := []populatedProfile{{"b", kv("2", "R")}, {"a", kv("1", "R")}}
	for _, tc := range []struct {
		name, old, want string
		prune           bool
	}{
		{"new file", "", "# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", false},
		{"appended after a file without final newline", "[default]\nregion = x", "[default]\nregion = x\n\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", false},
		{"block updated in place, user key and stale profile kept", "[top]\n# BEGIN ssocli populate s\n[profile a]\nsso_account_id = 1\noutput = json\n[profile gone]\nsso_session = s\n# END ssocli populate s\n[tail]\n",
			"[top]\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\noutput = json\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n\n[profile gone]\nsso_session = s\n# END ssocli populate s\n[tail]\n", false},
		{"prune", "[top]\n# BEGIN ssocli populate s\n[profile gone]\nsso_session = s\n# END ssocli populate s\n",
			"[top]\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", true},
		{"profile outside the block skipped", "[profile a]\nregion = x\n", "[profile a]\nregion = x\n\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", false},
		{"CRLF file: the block in CRLF", "[profile a]\r\nregion = x", "[profile a]\r\nregion = x\r\n\r\n# BEGIN ssocli populate s\r\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\r\n[profile b]\r\nsso_session = s\r\nsso_account_id = 2\r\nsso_role_name = R\r\n# END ssocli populate s\r\n", false},
		{"CRLF block rewritten in CRLF", "[top]\r\n\r\n# BEGIN ssocli populate s\r\n[profile gone]\r\n# END ssocli populate s\r\n[tail]\r\n", "[top]\r\n\r\n# BEGIN ssocli populate s\r\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\r\n[profile a]\r\nsso_session = s\r\nsso_account_id = 1\r\nsso_role_name = R\r\n\r\n[profile b]\r\nsso_session = s\r\nsso_account_id = 2\r\nsso_role_name = R\r\n# END ssocli populate s\r\n[tail]\r\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := populateConfig([]byte(tc.old), "s", want, tc.prune)
			if err != nil {
				t.Fatal(err)
			}
			if tc.old == "" {
				// A new file has the system's line endings (CRLF on Windows).
				tc.want = strings.ReplaceAll(tc.want, "\n", awsconfig.LineEnding(nil))
			}
			if diff := cmp.Diff(tc.want, string(res.data)); diff != "" {
				t.Errorf("populateConfig (-want +got):\n%s", diff)
			}
		})
	}
}
