package awsconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ssocli/ssocli/internal/usererr"
)

// view is the comparable part of a parsed section.
type view struct {
	Name   string
	Values map[string]string
	Sub    map[string]map[string]string
}

func profilesView(c *Config) []view {
	var out []view
	for _, name := range c.ProfileNames() {
		p, _ := c.Profile(name)
		out = append(out, view{name, p.Values, p.Sub})
	}
	return out
}

func mustParse(t *testing.T, config, credentials string) *Config {
	t.Helper()
	c, err := Parse([]byte(config), []byte(credentials), "/home/u/.aws/config")
	if err != nil {
		t.Fatalf("Parse: %v (hint %q)", err, usererr.As(err).Hint)
	}
	return c
}

var emptyOK = cmpopts.EquateEmpty()

type vals = map[string]string

// profileCases are parsed by TestParseProfiles and, when botocore is at hand, by
// TestBotocoreOracle.
var profileCases = []struct {
	name        string
	config      string
	credentials string
	want        []view
}{
	{
		name:   "delimiters and spacing",
		config: "[default]\nregion=us-east-1\noutput :json\nkey3   =   spaced value  \nurl = https://x/start#/\n",
		want:   []view{{"default", vals{"region": "us-east-1", "output": "json", "key3": "spaced value", "url": "https://x/start#/"}, nil}},
	},
	{
		name:   "first delimiter wins",
		config: "[default]\nsso_start_url = https://d-1.awsapps.com/start\na:b=c\n",
		want:   []view{{"default", vals{"sso_start_url": "https://d-1.awsapps.com/start", "a": "b=c"}, nil}},
	},
	{
		name:   "comments: whole-line only, inline kept",
		config: "# top\n; top\n[default]\n# c\n   ; indented comment\nregion = us-east-1 ; not a comment\noutput = json # neither\n",
		want:   []view{{"default", vals{"region": "us-east-1 ; not a comment", "output": "json # neither"}, nil}},
	},
	{
		name:   "continuation lines join with newline, inner blank kept, trailing blank dropped",
		config: "[default]\nkey = a\n   b\n\n  c\n\n\nother = d\n",
		want:   []view{{"default", vals{"key": "a\nb\n\nc", "other": "d"}, nil}},
	},
	{
		name:   "comment inside a continuation is skipped",
		config: "[default]\nkey = a\n# note\n  b\n",
		want:   []view{{"default", vals{"key": "a\nb"}, nil}},
	},
	{
		name:   "indented options after the header set the indent level",
		config: "[default]\n  region = x\n  output = json\n    more\n",
		want:   []view{{"default", vals{"region": "x", "output": "json\nmore"}, nil}},
	},
	{
		name:   "nested sub-section",
		config: "[default]\ns3 =\n  max_concurrent_requests = 10\n\n  Addressing_Style=path\nregion = us-west-2\n",
		want: []view{{"default", vals{"region": "us-west-2"}, map[string]map[string]string{
			"s3": {"max_concurrent_requests": "10", "Addressing_Style": "path"},
		}}},
	},
	{
		name:   "empty value",
		config: "[default]\nregion =\noutput:\n",
		want:   []view{{"default", vals{"region": "", "output": ""}, nil}},
	},
	{
		name:   "option names are lower-cased, section names are not",
		config: "[Default]\nregion = a\n[default]\nREGION = b\n[Profile x]\nk = v\n[profile X]\nk = w\n",
		want:   []view{{"default", vals{"region": "b"}, nil}, {"X", vals{"k": "w"}, nil}},
	},
	{
		name: "profile names through shlex",
		config: "[profile a]\nk=1\n[profile \"b c\"]\nk=2\n[profile d e]\nk=3\n[profile]\nk=4\n[profilefoo bar]\nk=5\n" +
			"[profile 'unclosed]\nk=6\n[profile 'it''s']\nk=7\n[profile \"q\\\"x\"]\nk=8\n[profile  spaced ]\nk=9\n[profile \"\"]\nk=10\n",
		want: []view{
			{"a", vals{"k": "1"}, nil}, {"b c", vals{"k": "2"}, nil}, {"bar", vals{"k": "5"}, nil},
			{"its", vals{"k": "7"}, nil}, {`q"x`, vals{"k": "8"}, nil}, {"spaced", vals{"k": "9"}, nil}, {"", vals{"k": "10"}, nil},
		},
	},
	{
		name:   "header ends at the last bracket",
		config: "[profile a] trailing\nk = 1\n[profile b]]\nk = 2\n",
		want:   []view{{"a", vals{"k": "1"}, nil}, {"b]", vals{"k": "2"}, nil}},
	},
	{
		name:   "default and profile default: later wins, first position kept",
		config: "[profile default]\nregion = a\n[profile x]\nk = v\n[default]\noutput = json\n",
		want:   []view{{"default", vals{"output": "json"}, nil}, {"x", vals{"k": "v"}, nil}},
	},
	{
		name:   "DEFAULT options are inherited by every section",
		config: "[DEFAULT]\nregion = eu-west-1\noutput = text\n[profile a]\nregion = us-east-1\n[sso-session s]\nsso_region = us-east-1\n",
		want:   []view{{"a", vals{"region": "us-east-1", "output": "text"}, nil}},
	},
	{
		name:   "CRLF and CR line endings",
		config: "[default]\r\nregion = a\r\n  cont\r\n[profile b]\routput = json\r",
		want:   []view{{"default", vals{"region": "a\ncont"}, nil}, {"b", vals{"output": "json"}, nil}},
	},
	{
		name:   "sso-session and services are not profiles, other sections ignored",
		config: "[sso-session s]\nsso_region = r\n[services dev]\nsso =\n  endpoint_url = http://x\n[plugins]\ncli_legacy_plugin_path = /x\n[preview]\nk = v\n",
		want:   nil,
	},
	{
		name:        "credentials merge: config order, then credentials-only, values updated",
		config:      "[profile b]\nregion = us-east-1\naws_access_key_id = CONFIG\n[default]\noutput = json\n",
		credentials: "[c]\naws_access_key_id = C\n[b]\naws_access_key_id = B\n[profile p]\nk = v\n",
		want: []view{
			{"b", vals{"region": "us-east-1", "aws_access_key_id": "B"}, nil},
			{"default", vals{"output": "json"}, nil},
			{"c", vals{"aws_access_key_id": "C"}, nil},
			{"profile p", vals{"k": "v"}, nil},
		},
	},
	{
		name:   "non-ASCII whitespace and text",
		config: "[profile ü]\nkey\u00a0=\u00a0välue\u00a0\n",
		want:   []view{{"ü", vals{"key": "välue"}, nil}},
	},
}

func TestParseProfiles(t *testing.T) {
	t.Parallel()
	for _, tt := range profileCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := profilesView(mustParse(t, tt.config, tt.credentials))
			if diff := cmp.Diff(tt.want, got, emptyOK); diff != "" {
				t.Errorf("profiles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListProfilesVerified is the example from spec §1.2, checked against the AWS CLI.
func TestListProfilesVerified(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "[profile b]\nregion = us-east-1\n[default]\nregion = us-east-1\n[profile \"a b\"]\nregion = us-east-1\n[sso-session s]\nsso_region = us-east-1\n",
		"[c]\naws_access_key_id = x\n[b]\naws_access_key_id = y\n")
	want := []string{"b", "default", "a b", "c"}
	if diff := cmp.Diff(want, c.ProfileNames()); diff != "" {
		t.Errorf("ProfileNames (-want +got):\n%s", diff)
	}
}

func TestSSOSessionsAndServices(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "[sso-session b]\nsso_region = r\n[sso-session \"a x\"]\nsso_start_url = u\n[services dev]\nsso_oidc =\n  endpoint_url = http://127.0.0.1:1\n", "")
	if diff := cmp.Diff([]string{"b", "a x"}, c.SSOSessionNames()); diff != "" {
		t.Errorf("SSOSessionNames (-want +got):\n%s", diff)
	}
	s, ok := c.SSOSession("a x")
	if !ok || s.Values["sso_start_url"] != "u" {
		t.Errorf(`SSOSession("a x") = %+v, %v`, s, ok)
	}
	if _, ok := c.SSOSession("missing"); ok {
		t.Errorf("SSOSession(missing) found")
	}
	svc, ok := c.Services("dev")
	if got := svc.Sub["sso_oidc"]["endpoint_url"]; !ok || got != "http://127.0.0.1:1" {
		t.Errorf("Services(dev) sso_oidc endpoint = %q, %v", got, ok)
	}
}

// parseErrorCases are files botocore refuses (TestParseErrors, TestBotocoreOracle).
var parseErrorCases = []struct {
	name, config, credentials string
	wantMsg, wantHint         string
}{
	{"duplicate section", "[default]\na = 1\n\n[default]\nb = 2\n", "", "Unable to parse config file: /home/u/.aws/config", `line 4: section "default" already exists`},
	{"duplicate option, case-insensitive", "[default]\nRegion = a\nregion = b\n", "", "Unable to parse config file: /home/u/.aws/config", `line 3: option "region" in section "default" already exists`},
	{"duplicate DEFAULT option across two DEFAULT sections", "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n", "", "Unable to parse config file: /home/u/.aws/config", `line 4: option "a" in section "DEFAULT" already exists`},
	{"option before any section", "# c\nregion = a\n[default]\n", "", "Unable to parse config file: /home/u/.aws/config", "line 2: option before the first section header"},
	{"line without delimiter", "[default]\nregion us-east-1\n", "", "Unable to parse config file: /home/u/.aws/config", `line 2: line is not a section header, an option ("key = value") or a comment`},
	{"option without a name", "[default]\n= x\n", "", "Unable to parse config file: /home/u/.aws/config", "line 2: option has no name"},
	{"empty brackets", "[default]\n[]\n", "", "Unable to parse config file: /home/u/.aws/config", `line 2: line is not a section header, an option ("key = value") or a comment`},
	{"sub-section line without =", "[default]\ns3 =\n  max_concurrent_requests : 10\n", "", "Unable to parse config file: /home/u/.aws/config", `line 2: sub-section "s3": line without "="`},
	{"invalid UTF-8", "[default]\nregion = a\nk = \xff\n", "", "Unable to parse config file: /home/u/.aws/config", "line 3: invalid UTF-8"},
	{"byte order mark", "\ufeff[default]\nregion = a\n", "", "Unable to parse config file: /home/u/.aws/config", "line 1: option before the first section header"},
	{"credentials file error names the credentials file", "[default]\n", "[default]\naws_secret_access_key\n", "Unable to parse config file: ~/.aws/credentials", `line 2: line is not a section header, an option ("key = value") or a comment`},
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range parseErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.config), []byte(tt.credentials), "/home/u/.aws/config")
			ue := usererr.As(err)
			if ue == nil {
				t.Fatalf("Parse error = %v, want a *usererr.Error", err)
			}
			got := [3]any{ue.Msg, ue.Code, ue.Hint}
			want := [3]any{tt.wantMsg, usererr.CodeOther, tt.wantHint}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := writeTemp(t, dir, "config", "[profile a]\nregion = r\n")
	creds := writeTemp(t, dir, "credentials", "[b]\naws_access_key_id = k\n")
	tests := []struct {
		name, config, credentials string
		want                      []string
	}{
		{"both", cfg, creds, []string{"a", "b"}},
		{"missing files are empty", dir + "/nope", dir + "/nope2", nil},
		{"a directory reads as empty", dir, creds, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(tt.config, tt.credentials)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.ProfileNames(), emptyOK); diff != "" {
				t.Errorf("ProfileNames (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("parse error names the path", func(t *testing.T) {
		t.Parallel()
		bad := writeTemp(t, t.TempDir(), "config", "[default]\n[default]\n")
		_, err := Load(bad, dir+"/nope")
		if ue := usererr.As(err); ue == nil || ue.Msg != "Unable to parse config file: "+bad || ue.Code != 255 {
			t.Errorf("Load error = %#v", err)
		}
	})
}

func TestShlexSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "profile a", want: []string{"profile", "a"}},
		{in: "profile  a\tb", want: []string{"profile", "a", "b"}},
		{in: `profile "a b"`, want: []string{"profile", "a b"}},
		{in: `profile 'a "b'`, want: []string{"profile", `a "b`}},
		{in: `profile "a\"b\\c\d"`, want: []string{"profile", `a"b\c\d`}},
		{in: `profile a\ b`, want: []string{"profile", "a b"}},
		{in: `profile x"y z"w`, want: []string{"profile", "xy zw"}},
		{in: `profile ""`, want: []string{"profile", ""}},
		{in: `profile #a`, want: []string{"profile", "#a"}},
		{in: `profile 'a`, wantErr: true},
		{in: `profile a\`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := shlexSplit(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("shlexSplit(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("shlexSplit(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the size is what counts, not the bytes on disk.
	if err := f.Truncate(maxConfigSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path, "")
	if ue := usererr.As(err); ue == nil || ue.Msg != "Unable to parse config file: "+path || !strings.Contains(ue.Hint, "64 MiB") {
		t.Errorf("Load of a huge file: %#v", err)
	}
}
