package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
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
	begin, end := populateMarkers("corp")
	i, j := strings.Index(data, begin+"\n"), strings.Index(data, end+"\n")
	if i < 0 || j < i {
		t.Fatalf("no populate block in:\n%s", data)
	}
	return data[:i] + data[j+len(end)+1:]
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
			t.Errorf("dry-run diff adds profiles:\n%s", out)
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

// TestDryRunDiff pins the --dry-run format: go-internal/diff's unified diff
// (a "diff A B" line, then ---/+++ and hunks with three lines of context and
// both counts always written).
func TestDryRunDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"append", "a\nb\n", "a\nb\nc\n", "diff A A\n--- A\n+++ A\n@@ -1,2 +1,3 @@\n a\n b\n+c\n"},
		{"change in the middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
			"diff A A\n--- A\n+++ A\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"},
		{"from empty", "", "a\n", "diff A A\n--- A\n+++ A\n@@ -0,0 +1,1 @@\n+a\n"},
		{"no final newline", "a", "b\n", "diff A A\n--- A\n+++ A\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, dryRunDiff("A", &awsconfig.Change{Before: []byte(tc.a), After: []byte(tc.b)})); diff != "" {
				t.Errorf("dryRunDiff (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPopulateRefusesHostileRoleName is the adversarial run's S1 through the
// whole command: a portal (a stand-in, since our own server refuses such
// names) whose role name holds a line break and a credential_process line
// gets nothing written, and the payload is not echoed raw. Whichever layer
// refuses it, the portal boundary or the config editor, the file must stay
// as it was.
func TestPopulateRefusesHostileRoleName(t *testing.T) {
	t.Parallel()
	const evil = "Admin\ncredential_process = /tmp/evil"
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/assignment/accounts":
			fmt.Fprint(w, `{"accountList": [{"accountId": "111122223333", "accountName": "Dev", "emailAddress": "dev@example.com"}]}`)
		case "/assignment/roles":
			b, _ := json.Marshal(map[string]any{"roleList": []map[string]string{{"roleName": evil, "accountId": "111122223333"}}})
			w.Write(b)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(portal.Close)
	h := newHarness(t)
	h.vars["AWS_ENDPOINT_URL"] = portal.URL
	h.writeConfig(userConfig)
	tok := &ssocache.Token{StartURL: "https://d-0000000000.awsapps.com/start", Region: "us-east-1", AccessToken: "fake-access-token", ExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	if err := ssocache.WriteToken(ssocache.TokenPath(h.home, "corp", ""), tok); err != nil {
		t.Fatal(err)
	}
	_, errs, code := h.run("configure", "populate", "--sso-session", "corp", "--rate", "1000")
	if code == 0 {
		t.Errorf("populate with a hostile role name: exit 0")
	}
	if got := h.readConfig(); got != userConfig {
		t.Errorf("the config changed:\n%s", got)
	}
	if strings.Contains(errs, evil) {
		t.Errorf("the error echoes the payload raw (line break included):\n%s", errs)
	}
	t.Logf("exit %d, stderr: %s", code, errs)
}
