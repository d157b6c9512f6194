package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
)

const colorResetSeq = "\x1b[0m"

var colorSeq = regexp.MustCompile("\x1b\\[[0-9]+m")

func stripColor(s string) string { return colorSeq.ReplaceAllString(s, "") }

// TestNoPagerOnPipe: a pipe never gets a pager, whatever is configured.
func TestNoPagerOnPipe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["PATH"] = os.Getenv("PATH")
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	marker := filepath.Join(t.TempDir(), "pager-ran")
	h.vars["AWS_PAGER"] = "touch " + marker
	h.vars["PAGER"] = "touch " + marker
	out := h.mustRun("sts", "get-caller-identity", "--profile", "p", "--query", "Account", "--output", "text")
	if out != testAccount+"\n" {
		t.Errorf("stdout %q, want %q", out, testAccount+"\n")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a pager ran for a pipe")
	}
}

// TestPagerCommand: the pager chain of the AWS CLI (AWS_PAGER, cli_pager,
// PAGER, less or more), where an empty value means none.
func TestPagerCommand(t *testing.T) {
	t.Parallel()
	def := "less"
	if runtime.GOOS == "windows" {
		def = "more"
	}
	for _, tc := range []struct {
		name    string
		env     []string
		config  string
		noPager bool
		pipe    bool
		want    string
	}{
		{"default", nil, "", false, false, def},
		{"AWS_PAGER", []string{"AWS_PAGER=most -s", "PAGER=pg"}, "cli_pager = cfg\n", false, false, "most -s"},
		{"AWS_PAGER empty turns it off", []string{"AWS_PAGER=", "PAGER=pg"}, "cli_pager = cfg\n", false, false, ""},
		{"cli_pager before PAGER", []string{"PAGER=pg"}, "cli_pager = cfg\n", false, false, "cfg"},
		{"cli_pager empty turns it off", []string{"PAGER=pg"}, "cli_pager =\n", false, false, ""},
		{"PAGER", []string{"PAGER=pg"}, "", false, false, "pg"},
		{"--no-cli-pager", []string{"AWS_PAGER=most"}, "", true, false, ""},
		{"a pipe", []string{"AWS_PAGER=most"}, "", false, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := awsconfig.Parse([]byte("[default]\n"+tc.config), nil, "config")
			if err != nil {
				t.Fatal(err)
			}
			d := deps{
				Env: &Env{StdoutTTY: !tc.pipe, Environ: func() []string { return tc.env },
					Getenv: func(k string) string {
						for _, kv := range tc.env {
							if name, v, _ := strings.Cut(kv, "="); name == k {
								return v
							}
						}
						return ""
					}},
				Config: func() (*awsconfig.Config, error) { return cfg, nil },
			}
			d.Globals.NoCLIPager = tc.noPager
			if diff := cmp.Diff(tc.want, d.pagerCommand()); diff != "" {
				t.Errorf("pager (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOutputFormats: every --output of a command that prints a response,
// and the errors of the global options, through the whole command.
func TestOutputFormats(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	base := []string{"sts", "get-caller-identity", "--profile", "p"}
	acct := testAccount
	for _, tc := range []struct {
		args []string
		want *regexp.Regexp
	}{
		{[]string{"--output", "yaml"}, regexp.MustCompile(`^Account: '` + acct + `'\nArn: arn:aws:sts::` + acct + `:assumed-role/\S+\nUserId: \S+\n$`)},
		{[]string{"--output", "yaml-stream"}, regexp.MustCompile(`^- Account: '` + acct + `'\n  Arn: arn:aws:sts::\S+\n  UserId: \S+\n$`)},
		{[]string{"--output", "off"}, regexp.MustCompile(`^$`)},
		{[]string{"--query", "Account"}, regexp.MustCompile(`^"` + acct + `"\n$`)},
		{[]string{"--query", "Nothing", "--output", "text"}, regexp.MustCompile(`^None\n$`)},
		{[]string{"--query", "[Account, Account]", "--output", "yaml"}, regexp.MustCompile(`^- '` + acct + `'\n- '` + acct + `'\n$`)},
		{[]string{"--output", "table", "--color", "on"}, regexp.MustCompile(`(?s)^-+\n` + regexp.QuoteMeta(colorResetSeq) + `.*\x1b\[1m\x1b\[34mAccount`)},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := h.mustRun(append(base, tc.args...)...)
			if !tc.want.MatchString(out) {
				t.Errorf("stdout %q, want it to match %s", out, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--output", "xml"}, 252, "argument --output: Found invalid choice 'xml'"},
		{[]string{"--query", "Account["}, 252, "Bad value for --query Account[: "},
		{[]string{"--query", "abs(Account)"}, 255, "invalid type for: " + acct},
		{[]string{"--cli-connect-timeout", "soon"}, 255, "invalid literal for int() with base 10: 'soon'"},
		{[]string{"--endpoint-url", "localhost:9"}, 255, "Invalid endpoint: localhost:9"},
		{[]string{"--endpoint-url", "http://a_b.example"}, 255, "Invalid endpoint: http://a_b.example"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errs, code := h.run(append(base, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errs, tc.code, tc.want)
			}
			// The flag's own refusal, not wrapped in pflag's words.
			if strings.Contains(errs, "invalid argument") {
				t.Errorf("stderr %q has pflag's wording", errs)
			}
		})
	}
	t.Run("output = xml in the profile", func(t *testing.T) {
		h.vars["AWS_DEFAULT_OUTPUT"] = "xml"
		defer delete(h.vars, "AWS_DEFAULT_OUTPUT")
		_, errs, code := h.run(base...)
		if code != 255 || !strings.Contains(errs, "Unknown output type: xml") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

// TestStatusFormats: sso status in the AWS CLI's formats, with --query.
func TestStatusFormats(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")
	out := h.mustRun("sso", "status", "--sso-session", "corp", "--query", "Sessions[].Session", "--output", "text")
	if out != "corp\n" {
		t.Errorf("--query Sessions[].Session --output text: %q", out)
	}
	out = h.mustRun("sso", "status", "--sso-session", "corp", "--output", "yaml")
	// ruamel's safe dumper, and so the AWS CLI, sorts the keys.
	if !strings.HasPrefix(out, "Sessions:\n- AssumedRoles: []\n  CanRefresh: true\n") || !strings.Contains(out, "\n  Session: corp\n  StartUrl: "+h.srv.StartURL+"\n  Valid: true\n") {
		t.Errorf("--output yaml:\n%s", out)
	}
	if out := h.mustRun("sso", "status", "--sso-session", "corp", "--output", "off"); out != "" {
		t.Errorf("--output off: %q", out)
	}
}

// TestGlobalEndpointURL: --endpoint-url sends the command's own call (STS,
// the portal's lists) to the URL, over the endpoint configured for it.
func TestGlobalEndpointURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	// A path the server does not serve answers 404 at once (an unreachable
	// port would be retried with backoff).
	wrong := h.srv.URL + "/not-an-endpoint"
	h.vars["AWS_ENDPOINT_URL_STS"] = wrong
	// Role credentials come from the portal: fetch them while it is reachable.
	if _, _, code := h.run("configure", "export-credentials", "--profile", "p"); code != 0 {
		t.Fatalf("export-credentials: exit %d", code)
	}
	h.vars["AWS_ENDPOINT_URL_SSO"] = wrong
	for _, args := range [][]string{
		{"sts", "get-caller-identity", "--profile", "p", "--query", "Account", "--output", "text"},
		{"sso", "list-accounts", "--profile", "p", "--query", "length(accountList)", "--output", "text"},
	} {
		if _, _, code := h.run(args...); code == 0 {
			t.Errorf("ssocli %s succeeded against the wrong endpoint", strings.Join(args, " "))
		}
		out, errs, code := h.run(append(args, "--endpoint-url", h.srv.URL)...)
		if code != 0 || out == "" {
			t.Errorf("ssocli %s --endpoint-url %s: exit %d, stdout %q, stderr %s", strings.Join(args, " "), h.srv.URL, code, out, errs)
		}
	}
}

// TestTimeouts: --cli-connect-timeout and --cli-read-timeout as the HTTP
// client takes them: unset is its default, 0 none.
func TestTimeouts(t *testing.T) {
	t.Parallel()
	g := OutputGlobals{ConnectTimeout: optSeconds{0, true}, ReadTimeout: optSeconds{7, true}}
	connect, read := g.timeouts()
	if connect != creds.NoTimeout || read != 7*time.Second {
		t.Errorf("0 and 7: %v, %v; want none and 7s", connect, read)
	}
	if connect, read := (OutputGlobals{}).timeouts(); connect != 0 || read != 0 {
		t.Errorf("unset: %v, %v; want 0 (the client's default)", connect, read)
	}
}
