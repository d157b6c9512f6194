package cli

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ssocli/ssocli/internal/awsconfig"
)

// configHome is a harness without a server call: configure get, set and list
// of static profiles never reach the network.
func configHome(t *testing.T, config, credentials string) *harness {
	t.Helper()
	h := newHarness(t).anotherHome()
	h.vars["AWS_EC2_METADATA_DISABLED"] = "true"
	if config != "" {
		writeFile(t, h.path(".aws", "config"), config)
	}
	if credentials != "" {
		writeFile(t, h.path(".aws", "credentials"), credentials)
	}
	return h
}

func readOrEmpty(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConfigureUsageErrors: a missing or extra argument is a usage error
// (252) that names what is missing, as in the AWS CLI.
func TestConfigureUsageErrors(t *testing.T) {
	t.Parallel()
	h := configHome(t, "[default]\nregion = us-east-1\n", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"configure", "get"}, "varname"},
		{[]string{"configure", "get", "a", "b"}, "b"},
		{[]string{"configure", "set"}, "varname, value"},
		{[]string{"configure", "set", "region"}, "value"},
		{[]string{"configure", "set", "a", "b", "c"}, "c"},
		{[]string{"configure", "list", "x"}, "x"},
		{[]string{"configure", "set", "k", "v", "--services", "a", "--sso-session", "b"}, "sso_session"},
	} {
		stdout, stderr, code := h.run(tc.args...)
		if code != 252 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 252 naming %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	if got := h.readConfig(); got != "[default]\nregion = us-east-1\n" {
		t.Errorf("a usage error changed the config: %q", got)
	}
}

// TestConfigureSetRefusesControlCharacters: a line break or another control
// character in a key or value is refused (the AWS CLI 2.36 refuses line
// breaks, exit 255), naming the key and never showing the value, which may
// be a secret; nothing is written.
func TestConfigureSetRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	const config = "[default]\nregion = us-east-1\n"
	const credentials = "[default]\naws_access_key_id = AKIA\n"
	for _, tc := range []struct {
		key, value, name string
	}{
		{"region", "us-east-1\ncredential_process = /bin/evil", "region"},
		{"aws_secret_access_key", "wJalrXUtn\rFEMIK7MDENG", "aws_secret_access_key"},
		{"s3.max_concurrent_requests", "1\x002", "s3.max_concurrent_requests"},
		{"profile.dev.output", "json\u2028x", "output"},
		{"re\ngion", "x", `re\ngion`},
		{"sso_region", "x\ny --sso-session corp", "sso_region"},
	} {
		h := configHome(t, config, credentials)
		_, stderr, code := h.run("configure", "set", tc.key, tc.value)
		if code != 255 || !strings.Contains(stderr, tc.name) {
			t.Errorf("set %q: exit %d, stderr %q; want 255 naming %s", tc.key, code, stderr, tc.name)
		}
		for _, part := range strings.FieldsFunc(tc.value, func(r rune) bool { return r < 0x20 || r == 0x2028 }) {
			if len(part) > 2 && strings.Contains(stderr, part) {
				t.Errorf("set %q: stderr shows the value (%q): %q", tc.key, part, stderr)
			}
		}
		if got := h.readConfig(); got != config {
			t.Errorf("set %q changed the config: %q", tc.key, got)
		}
		if got := readOrEmpty(t, h.path(".aws", "credentials")); got != credentials {
			t.Errorf("set %q changed the credentials: %q", tc.key, got)
		}
	}
}

// TestConfigureSetParallel: twenty `configure set` runs at once, each setting
// its own key (scalar or nested) in one config file, through EditFile's
// cross-process lock; every change survives and the comments stay.
func TestConfigureSetParallel(t *testing.T) {
	t.Parallel()
	const config = "# keep me\n[default]\nregion = us-east-1\n"
	h := configHome(t, config, "")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			args := []string{"configure", "set", fmt.Sprintf("profile.p%02d.region", i), fmt.Sprintf("r%02d", i)}
			if i%2 == 1 {
				args = []string{"configure", "set", fmt.Sprintf("s3.k%02d", i), fmt.Sprintf("v%02d", i)}
			}
			if _, stderr, code := h.run(args...); code != 0 {
				t.Errorf("%v: exit %d: %s", args, code, stderr)
			}
		})
	}
	wg.Wait()
	got := h.readConfig()
	if !strings.HasPrefix(got, config) {
		t.Errorf("the start of the file changed:\n%s", got)
	}
	c, err := awsconfig.Parse([]byte(got), nil, "config")
	if err != nil {
		t.Fatalf("the config does not parse: %v\n%s", err, got)
	}
	def, _ := c.Profile("default")
	for i := range 20 {
		if i%2 == 1 {
			if v := def.Sub["s3"][fmt.Sprintf("k%02d", i)]; v != fmt.Sprintf("v%02d", i) {
				t.Errorf("s3.k%02d = %q after the parallel runs", i, v)
			}
			continue
		}
		p, _ := c.Profile(fmt.Sprintf("p%02d", i))
		if v := p.Values["region"]; v != fmt.Sprintf("r%02d", i) {
			t.Errorf("profile p%02d region = %q after the parallel runs", i, v)
		}
	}
}

// TestConfigureSetWarnsOnPermissiveCredentials is the AWS CLI 2.36's
// warn_if_permissive after a write to the credentials file.
func TestConfigureSetWarnsOnPermissiveCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o644, true}, {0o640, true}} {
		h := configHome(t, "", "[default]\n")
		path := h.path(".aws", "credentials")
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := h.run("configure", "set", "aws_access_key_id", "AKIA")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want := ""
		// No mode bits on Windows: the AWS CLI does not warn there.
		if tc.warn && runtime.GOOS != "windows" {
			want = fmt.Sprintf("\nssocli: [WARNING]: The file '%s' is accessible by other users. Consider running 'chmod 600 %s' to restrict access to only your user.\n", path, path)
		}
		if stderr != want {
			t.Errorf("mode %v: stderr %q, want %q", tc.mode, stderr, want)
		}
		// The config file is not the credentials file: no warning for it.
		if _, stderr, _ := h.run("configure", "set", "region", "x"); stderr != "" {
			t.Errorf("set region: stderr %q", stderr)
		}
	}
}

// TestConfigureGetNeverLogs: with --debug, configure get prints the value on
// stdout only (the AWS CLI logs "Config value retrieved: <value>"; a secret
// key must not reach a log).
func TestConfigureGetNeverLogs(t *testing.T) {
	t.Parallel()
	h := configHome(t, "", "[default]\naws_secret_access_key = very-secret-value\n")
	stdout, stderr, code := h.run("configure", "get", "aws_secret_access_key", "--debug")
	if code != 0 || stdout != "very-secret-value\n" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if strings.Contains(stderr, "very-secret-value") {
		t.Errorf("stderr shows the secret: %q", stderr)
	}
}

// TestConfigureSetTarget: where set.py sends each form of VARNAME, including
// the deliberate difference for profiles named by a part of "plugins".
func TestConfigureSetTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		varname, profile string
		want             setTarget
	}{
		{"region", "", setTarget{section: "default", key: "region"}},
		{"region", "dev", setTarget{section: "profile dev", key: "region"}},
		{"region", "p", setTarget{section: "profile p", key: "region"}},
		{"region", "plugins", setTarget{section: "plugins", key: "region"}},
		{"p.region", "", setTarget{section: "profile p", key: "region"}},
		{"plugins.x", "dev", setTarget{section: "plugins", key: "x"}},
		{"plugins.x.y", "", setTarget{section: "default", key: "plugins.x.y"}},
		{"s3.a", "dev", setTarget{section: "profile dev", key: "s3", subKey: "a"}},
		{"a.b.c", "", setTarget{section: "default", key: "a"}},
		{"default.s3.a", "dev", setTarget{section: "default", key: "s3", subKey: "a"}},
		{"profile.a b.region", "", setTarget{section: "profile 'a b'", key: "region"}},
		{"aws_access_key_id", "dev", setTarget{credentials: true, section: "dev", key: "aws_access_key_id"}},
		{"profile.p.aws_session_token", "", setTarget{credentials: true, section: "p", key: "aws_session_token"}},
	} {
		d := &deps{Env: &Env{Getenv: func(string) string { return "" }}, Globals: globals{Profile: tc.profile}}
		got, err := d.configureSetTarget(tc.varname, subsection{})
		if err != nil {
			t.Errorf("%s (--profile %q): %v", tc.varname, tc.profile, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s (--profile %q): %+v, want %+v", tc.varname, tc.profile, got, tc.want)
		}
	}
}

// TestValidSubsectionName is set.py's re.match(r"[\w\d_\-/.%@:\+]+", name),
// checked against Python for these names.
func TestValidSubsectionName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"corp": true, "my sso": true, "_x": true, "-x": true, "/x": true, ".x": true, "%x": true, "@x": true,
		":x": true, "+x": true, "9": true, "é": true, "٣": true, "Ⅻ": true, "corp!": true,
		"": false, "!bad": false, " x": false, "\u0301x": false, "#x": false, "*": false,
	} {
		if got := validSubsectionName(name); got != want {
			t.Errorf("validSubsectionName(%q) = %v, want %v", name, got, want)
		}
	}
}
