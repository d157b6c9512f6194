package cli

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/awsout"
	"github.com/ssocli/ssocli/internal/usererr"
)

// TestInterruptNewline: Ctrl-C ends with exit 130 and its newline on stdout,
// as the AWS CLI's InterruptExceptionHandler writes it (study F18).
func TestInterruptNewline(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	a := &app{env: &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := a.report(ctx, context.Canceled); code != 130 || out.String() != "\n" || errb.String() != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 130, \"\\n\", nothing", code, out.String(), errb.String())
	}
}

// TestYAMLError: the hint is a member of the YAML form, in its sorted place (the
// formatter sorts a mapping's keys), folded like the
// rest, and quoting follows ruamel.yaml for the values the goldens do not
// cover.
func TestYAMLError(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	writeStructured(&b, awsout.Options{Format: "yaml"}, structuredError{info: []usererr.Field{{Key: "Code", Value: "500"}, {Key: "Message", Value: "it's"}}}, "run: ssocli sso login --profile p")
	want := "Code: '500'\nHint: 'run: ssocli sso login --profile p'\nMessage: it's\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	// As ruamel.yaml folds it (checked with the 2.36.7 formatter).
	got := yamlScalarLine("Message", strings.Repeat("word ", 20)+"end")
	if want := "Message: " + strings.Repeat("word ", 14) + "word\n  " + strings.Repeat("word ", 5) + "end\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestErrorFormatResolution: flag, then AWS_CLI_ERROR_FORMAT, then the
// profile's cli_error_format; unknown values are enhanced; a profile named
// but missing makes the lookup fail, hence legacy.
func TestErrorFormatResolution(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.writeConfig("[default]\ncli_error_format = TEXT\n\n[profile j]\ncli_error_format = json\n\n[profile bad]\ncli_error_format = xml\n")
	for _, tc := range []struct {
		flag, env, profile string
		want               string
	}{
		{"", "", "", "text"},
		{"", "", "j", "json"},
		{"", "", "bad", "enhanced"},
		{"", "", "nope", "legacy"},
		{"", "yaml", "nope", "yaml"},
		{"table", "yaml", "j", "table"},
	} {
		vars := map[string]string{"HOME": h.home, "AWS_CLI_ERROR_FORMAT": tc.env}
		a := &app{env: &Env{Home: h.home, Getenv: func(k string) string { return vars[k] }}}
		a.g.ErrorFormat, a.g.Profile = tc.flag, tc.profile
		if got := a.errorFormat(true); got != tc.want {
			t.Errorf("flag %q, env %q, profile %q: %s, want %s", tc.flag, tc.env, tc.profile, got, tc.want)
		}
	}
}

// TestYAMLStyles: ruamel.yaml's choice of style and its folding, as the
// 2.36.7 formatter printed these values (the formatter run on its own, and
// the yaml golden of a mistyped subcommand before ssocli's name replaced aws).
func TestYAMLStyles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ v, want string }{
		{"x: y\n", "A: 'x: y\n\n  '\n"},
		{"it's\n", "A: 'it''s\n\n  '\n"},
		{"a\n  b", "A: \"a\\n  b\"\n"},
		{"tab\there", "A: \"tab\\there\"\n"},
		{"\x1b", "A: \"\\e\"\n"},
		{"é", "A: é\n"},
		{"argument operation: Found invalid choice 'lgin'\n\nMaybe you meant:\n\n  * login\n\n" + awsUsage, "Message" + ": \"argument operation: Found invalid choice 'lgin'\\n\\nMaybe you meant:\\n\\n\n  \\ * login\\n\\nusage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\\nTo\n  see help text, you can run:\\n\\n  aws help\\n  aws <command> help\\n  aws <command>\n  <subcommand> help\\n\"\n"},
	} {
		key, _, _ := strings.Cut(tc.want, ":")
		if got := yamlScalarLine(key, tc.v); got != tc.want {
			t.Errorf("yamlScalarLine(%q)\n got %q\nwant %q", tc.v, got, tc.want)
		}
	}
}

// TestCloseMatches: the suggestions of Python's difflib.get_close_matches
// (cutoff 0.8), as python3 printed them for these words and choices.
func TestCloseMatches(t *testing.T) {
	t.Parallel()
	sso := []string{"list-account-roles", "list-accounts", "login", "logout", "status", "help"}
	sts := []string{"get-caller-identity", "help"}
	formats := []string{"process", "env", "env-no-export", "powershell", "windows-cmd", "fish"}
	for _, tc := range []struct {
		word    string
		choices []string
		want    []string
	}{
		{"logn", sso, []string{"login"}},
		{"lgout", sso, []string{"logout"}},
		{"log", sso, nil},
		{"list-account", sso, []string{"list-accounts", "list-account-roles"}},
		{"list-acounts", sso, []string{"list-accounts", "list-account-roles"}},
		{"statu", sso, []string{"status"}},
		{"hepl", sso, nil},
		{"loginn", sso, []string{"login"}},
		{"lo", sso, nil},
		{"get-caller", sts, nil},
		{"get-caller-identty", sts, []string{"get-caller-identity"}},
		{"getcalleridentity", sts, []string{"get-caller-identity"}},
		{"proces", formats, []string{"process"}},
		{"en", formats, []string{"env"}},
		{"env-no-exprt", formats, []string{"env-no-export"}},
		{"envv", formats, []string{"env"}},
		{"fsh", formats, []string{"fish"}},
	} {
		if got := closeMatches(tc.word, tc.choices); !slices.Equal(got, tc.want) {
			t.Errorf("closeMatches(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

// yamlScalarLine is the yaml error form of one member.
func yamlScalarLine(key, v string) string {
	var b strings.Builder
	writeStructured(&b, awsout.Options{Format: "yaml"}, structuredError{info: []usererr.Field{{Key: key, Value: v}}}, "")
	return b.String()
}

// TestEveryErrorClassStructured: the errors of the AWS CLI's classes (a 252,
// a 253, a 254 with or without the service's error information) print in
// the chosen error format; only general errors (255) stay plain text, as
// GeneralExceptionHandler prints them.
func TestEveryErrorClassStructured(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{usererr.New(usererr.CodeUsage, "bad flag"), "{\n    \"Code\": \"ParamValidation\",\n    \"Message\": \"bad flag\"\n}\n"},
		{usererr.New(usererr.CodeConfig, "bad config"), "{\n    \"Code\": \"Configuration\",\n    \"Message\": \"bad config\"\n}\n"},
		{errNoRegion, "{\n    \"Code\": \"NoRegion\",\n    \"Message\": \"You must specify a region. You can also configure your region by running \\\"aws configure\\\".\"\n}\n"},
		{usererr.New(usererr.CodeService, "refused"), "{\n    \"Code\": \"Unknown\",\n    \"Message\": \"refused\"\n}\n"},
		{&usererr.Error{Code: usererr.CodeService, Msg: "An error occurred (403) when calling the X operation: Forbidden",
			Details: []usererr.Field{{Key: "Code", Value: "403"}, {Key: "Message", Value: "Forbidden"}}}, "{\n    \"Code\": \"403\",\n    \"Message\": \"Forbidden\"\n}\n"},
		{usererr.New(usererr.CodeOther, "general"), "\nssocli: [ERROR]: general\n"},
	} {
		var out, errb bytes.Buffer
		a := &app{env: &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}}
		a.g.ErrorFormat = "json"
		code := a.report(context.Background(), tc.err)
		if got := errb.String(); got != tc.want || code != usererr.As(tc.err).Code {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.err, code, got, tc.want)
		}
	}
}

// TestErrorTableColor: the table form is coloured as --color says, and by
// default (auto) when stdout is a terminal, as table.py's MultiTable does;
// an error of the main parser has no parsed --color, hence auto.
func TestErrorTableColor(t *testing.T) {
	t.Parallel()
	const bright = "\x1b[1m\x1b[34m"
	for _, tc := range []struct {
		color string
		tty   bool
		err   error
		want  bool
	}{
		{"", true, usererr.New(usererr.CodeConfig, "x"), true},
		{"auto", false, usererr.New(usererr.CodeConfig, "x"), false},
		{"off", true, usererr.New(usererr.CodeConfig, "x"), false},
		{"on", false, usererr.New(usererr.CodeConfig, "x"), true},
		{"on", false, &parseError{msg: "bad", main: true}, false},
		{"off", true, &parseError{msg: "bad", main: true}, true},
	} {
		var out, errb bytes.Buffer
		env := map[string]string{"AWS_CLI_ERROR_FORMAT": "table"} // the main parser's errors ignore the flag
		a := &app{env: &Env{Stdout: &out, Stderr: &errb, StdoutTTY: tc.tty, Getenv: func(k string) string { return env[k] }}}
		a.g.Color = tc.color
		a.report(context.Background(), tc.err)
		if got := strings.Contains(errb.String(), bright); got != tc.want {
			t.Errorf("--color %q, terminal %v, %v: coloured %v, want %v:\n%s", tc.color, tc.tty, tc.err, got, tc.want, errb.String())
		}
	}
}
