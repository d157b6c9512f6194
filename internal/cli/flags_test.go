package cli

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/orgs"
)

// capture is a runF that keeps the options it is given instead of running.
func capture[T any](got *any) func(context.Context, *T) error {
	return func(_ context.Context, o *T) error { *got = o; return nil }
}

// flagCase is one command line of TestFlagsToOptions: the leaf command's
// path, built by cmd with a capturing runF, and the flags after it.
type flagCase struct {
	path  []string
	cmd   func(a *app, got *any) *cobra.Command
	flags []string
	want  any // a pointer to the options struct, without its deps' loaders
}

var flagCases = []flagCase{
	{[]string{"sso", "login"}, func(a *app, got *any) *cobra.Command { return newLoginCmd(a, capture[loginOptions](got)) },
		nil, &loginOptions{}},
	{[]string{"sso", "login"}, func(a *app, got *any) *cobra.Command { return newLoginCmd(a, capture[loginOptions](got)) },
		[]string{"--sso-session", "corp", "--no-browser", "--use-device-code", "--profile", "dev", "--debug"},
		&loginOptions{deps: deps{Globals: globals{Profile: "dev", Debug: true}}, SSOSession: "corp", NoBrowser: true, UseDeviceCode: true}},
	{[]string{"sso", "logout"}, func(a *app, got *any) *cobra.Command { return newLogoutCmd(a, capture[logoutOptions](got)) },
		[]string{"--profile", "dev"}, &logoutOptions{deps: deps{Globals: globals{Profile: "dev"}}}},
	{[]string{"sso", "logout"}, func(a *app, got *any) *cobra.Command { return newLogoutCmd(a, capture[logoutOptions](got)) },
		[]string{"--sso-session", "corp"}, &logoutOptions{SSOSession: "corp"}},
	{[]string{"sso", "status"}, func(a *app, got *any) *cobra.Command { return newStatusCmd(a, capture[statusOptions](got)) },
		[]string{"--sso-session", "corp", "--output", "json"}, &statusOptions{deps: deps{Globals: globals{Output: "json"}}, SSOSession: "corp"}},
	{[]string{"sso", "list-accounts"}, func(a *app, got *any) *cobra.Command { return newListAccountsCmd(a, capture[ssoListOptions](got)) },
		[]string{"--sso-session", "corp", "--output", "text"}, &ssoListOptions{deps: deps{Globals: globals{Output: "text"}}, SSOSession: "corp", Rate: orgs.DefaultRate}},
	{[]string{"sso", "list-accounts"}, func(a *app, got *any) *cobra.Command { return newListAccountsCmd(a, capture[ssoListOptions](got)) },
		[]string{"--access-token", "tok", "--region", "eu-west-1"}, &ssoListOptions{deps: deps{Globals: globals{Region: "eu-west-1"}}, AccessToken: "tok", Rate: orgs.DefaultRate}},
	{[]string{"sso", "list-account-roles"}, func(a *app, got *any) *cobra.Command {
		return newListAccountRolesCmd(a, capture[ssoListOptions](got))
	}, []string{"--account-id", "111122223333", "--rate", "5", "--profile", "p"},
		&ssoListOptions{deps: deps{Globals: globals{Profile: "p"}}, AccountID: "111122223333", Rate: 5}},
	{[]string{"sts", "get-caller-identity"}, func(a *app, got *any) *cobra.Command {
		return newCallerIdentityCmd(a, capture[callerIdentityOptions](got))
	}, []string{"--output", "text", "--endpoint-url", "http://127.0.0.1:1", "--region", "eu-west-1", "--ca-bundle", "/ca.pem"},
		&callerIdentityOptions{deps: deps{Globals: globals{Output: "text", Region: "eu-west-1", CABundle: "/ca.pem", OutputGlobals: OutputGlobals{EndpointURL: "http://127.0.0.1:1"}}}}},
	{[]string{"sts", "get-caller-identity"}, func(a *app, got *any) *cobra.Command {
		return newCallerIdentityCmd(a, capture[callerIdentityOptions](got))
	}, []string{"--output", "yaml-stream", "--query", "Account", "--no-cli-pager", "--no-verify-ssl", "--cli-connect-timeout", "0",
		"--cli-read-timeout", "5", "--color", "off", "--no-paginate"},
		&callerIdentityOptions{deps: deps{Globals: globals{Output: "yaml-stream", OutputGlobals: OutputGlobals{Query: "Account", NoCLIPager: true,
			NoVerifySSL: true, ConnectTimeout: optSeconds{0, true}, ReadTimeout: optSeconds{5, true}, Color: "off", NoPaginate: true}}}}},
	{[]string{"configure", "export-credentials"}, func(a *app, got *any) *cobra.Command {
		return newExportCredentialsCmd(a, capture[exportOptions](got))
	}, nil, &exportOptions{Format: "process"}},
	{[]string{"configure", "export-credentials"}, func(a *app, got *any) *cobra.Command {
		return newExportCredentialsCmd(a, capture[exportOptions](got))
	}, []string{"--format", "fish", "--auto-login"}, &exportOptions{deps: deps{Globals: globals{AutoLogin: true}}, Format: "fish"}},
	{[]string{"configure", "list-profiles"}, func(a *app, got *any) *cobra.Command {
		return newListProfilesCmd(a, capture[listProfilesOptions](got))
	}, nil, &listProfilesOptions{}},
	{[]string{"configure", "get"}, func(a *app, got *any) *cobra.Command { return newConfigureGetCmd(a, capture[configureGetOptions](got)) },
		[]string{"s3.max_concurrent_requests", "--profile", "dev"}, &configureGetOptions{deps: deps{Globals: globals{Profile: "dev"}}, Varname: "s3.max_concurrent_requests"}},
	{[]string{"configure", "get"}, func(a *app, got *any) *cobra.Command { return newConfigureGetCmd(a, capture[configureGetOptions](got)) },
		[]string{"sso_region", "--sso-session", ""}, &configureGetOptions{Varname: "sso_region", Sub: subsection{Kind: "sso-session"}}},
	{[]string{"configure", "set"}, func(a *app, got *any) *cobra.Command { return newConfigureSetCmd(a, capture[configureSetOptions](got)) },
		[]string{"region", ""}, &configureSetOptions{Varname: "region"}},
	{[]string{"configure", "set"}, func(a *app, got *any) *cobra.Command { return newConfigureSetCmd(a, capture[configureSetOptions](got)) },
		[]string{"sso.endpoint_url", "http://127.0.0.1:1", "--services", "local"},
		&configureSetOptions{Varname: "sso.endpoint_url", Value: "http://127.0.0.1:1", Sub: subsection{Kind: "services", Name: "local"}}},
	{[]string{"configure", "list"}, func(a *app, got *any) *cobra.Command {
		return newConfigureListCmd(a, capture[configureListOptions](got))
	},
		[]string{"--profile", "dev", "--region", "eu-west-1"}, &configureListOptions{deps: deps{Globals: globals{Profile: "dev", Region: "eu-west-1"}}}},
	{[]string{"configure", "sso"}, func(a *app, got *any) *cobra.Command { return newConfigureSSOCmd(a, capture[configureSSOOptions](got)) },
		[]string{"--sso-session", "", "--start-url", " https://x/start ", "--role-name", "R", "--use-device-code", "--non-interactive"},
		&configureSSOOptions{Given: map[string]string{"sso-session": "", "start-url": "https://x/start", "role-name": "R"}, UseDeviceCode: true, NonInteractive: true}},
	{[]string{"configure", "sso-session"}, func(a *app, got *any) *cobra.Command {
		return newConfigureSSOSessionCmd(a, capture[configureSSOOptions](got))
	}, []string{"--sso-session", "corp", "--scopes", "a,b"}, &configureSSOOptions{Given: map[string]string{"sso-session": "corp", "scopes": "a,b"}}},
	{[]string{"configure", "populate"}, func(a *app, got *any) *cobra.Command { return newPopulateCmd(a, capture[populateOptions](got)) },
		[]string{"--sso-session", "corp", "--region", "eu-west-1", "--prune", "--dry-run", "--profile-template", "{{.AccountID}}"},
		&populateOptions{SSOSession: "corp", Template: "{{.AccountID}}", Region: "eu-west-1", Prune: true, DryRun: true, Rate: orgs.DefaultRate, Concurrency: 8}},
	{[]string{"serve"}, func(a *app, got *any) *cobra.Command { return newServeCmd(a, capture[serveOptions](got)) },
		[]string{"--addr", "127.0.0.1:0", "--auto-approve", "alice", "--token-ttl", "16m"},
		&serveOptions{Addr: "127.0.0.1:0", AutoApprove: "alice", AutoApproveDelay: time.Second, TokenTTL: 16 * time.Minute,
			SessionTTL: 8 * time.Hour, DeviceCodeTTL: 10 * time.Minute, RefreshGrace: 30 * time.Second, RolesPerAccount: 3}},
	{[]string{"demo"}, func(a *app, got *any) *cobra.Command { return newDemoCmd(a, capture[demoOptions](got)) },
		[]string{"--keep"}, &demoOptions{Keep: true}},
	{[]string{"exec"}, func(a *app, got *any) *cobra.Command { return newExecCmd(a, capture[execOptions](got)) },
		[]string{"--profile", "dev", "--allow-nested", "--", "aws", "s3", "ls", "--profile", "x"},
		&execOptions{deps: deps{Globals: globals{Profile: "dev"}}, AllowNested: true, Command: []string{"aws", "s3", "ls", "--profile", "x"}}},
	{[]string{"exec"}, func(a *app, got *any) *cobra.Command { return newExecCmd(a, capture[execOptions](got)) },
		[]string{"--ecs-server", "--", "aws", "s3", "ls"}, &execOptions{ECSServer: true, Command: []string{"aws", "s3", "ls"}}},
	{[]string{"console"}, func(a *app, got *any) *cobra.Command { return newConsoleCmd(a, capture[consoleOptions](got)) },
		nil, &consoleOptions{}},
	{[]string{"console"}, func(a *app, got *any) *cobra.Command { return newConsoleCmd(a, capture[consoleOptions](got)) },
		[]string{"--profile", "dev", "--service", "ec2", "--session-duration", "90m", "--url-only", "--region", "eu-west-1"},
		&consoleOptions{deps: deps{Globals: globals{Profile: "dev", Region: "eu-west-1"}}, Service: "ec2", SessionDuration: 90 * time.Minute, URLOnly: true}},
	{[]string{"console"}, func(a *app, got *any) *cobra.Command { return newConsoleCmd(a, capture[consoleOptions](got)) },
		[]string{"--destination", "https://console.aws.amazon.com/s3/home"}, &consoleOptions{Destination: "https://console.aws.amazon.com/s3/home"}},
	{[]string{"credential-server"}, func(a *app, got *any) *cobra.Command {
		return newCredentialServerCmd(a, capture[credentialServerOptions](got))
	}, nil, &credentialServerOptions{Addr: "127.0.0.1:0"}},
	{[]string{"credential-server"}, func(a *app, got *any) *cobra.Command {
		return newCredentialServerCmd(a, capture[credentialServerOptions](got))
	}, []string{"--addr", "127.0.0.1:9911", "--profile", "dev", "--profile", "prod", "--auto-login"},
		&credentialServerOptions{deps: deps{Globals: globals{AutoLogin: true}}, Addr: "127.0.0.1:9911", Profiles: []string{"dev", "prod"}}},
	{[]string{"credential-server"}, func(a *app, got *any) *cobra.Command {
		return newCredentialServerCmd(a, capture[credentialServerOptions](got))
	}, []string{"--addr", "0.0.0.0:9911", "--allow-remote", "--tls-cert", "c.pem", "--tls-key", "k.pem"},
		&credentialServerOptions{Addr: "0.0.0.0:9911", AllowRemote: true, TLSCert: "c.pem", TLSKey: "k.pem"}},
	{[]string{"completion"}, func(a *app, got *any) *cobra.Command {
		return newCompletionCmd(a, a.newRoot(), capture[completionOptions](got))
	}, []string{"fish"}, &completionOptions{Shell: "fish"}},
}

// runLeaf runs the leaf command that cmd builds, at path under a root with
// the global flags, with flags, and returns the options its runF got.
func runLeaf(path []string, cmd func(a *app, got *any) *cobra.Command, flags []string) (*app, any, error) {
	var got any
	a := &app{env: &Env{Getenv: func(string) string { return "" }}}
	root := a.newRoot()
	parent := root
	for _, name := range path[:len(path)-1] {
		g := makeGroup(&cobra.Command{Use: name}, "operation")
		parent.AddCommand(g)
		parent = g
	}
	parent.AddCommand(cmd(a, &got))
	root.SetArgs(append(append([]string{}, path...), flags...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.ExecuteContext(context.Background())
	return a, got, err
}

// TestFlagsToOptions checks the first layer of every leaf command: flags
// (its own and the global ones) become its options, and nothing runs.
func TestFlagsToOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range flagCases {
		t.Run(strings.Join(append(append([]string{}, tc.path...), tc.flags...), " "), func(t *testing.T) {
			t.Parallel()
			a, got, err := runLeaf(tc.path, tc.cmd, tc.flags)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("the command did not call its runF")
			}
			// Every command gets the loaders and the Env, whatever its flags.
			d := got.(interface{ base() *deps }).base()
			if d.Env != a.env || d.Config == nil || d.HTTPClient == nil {
				t.Errorf("deps not wired: Env %v, Config %t, HTTPClient %t", d.Env, d.Config != nil, d.HTTPClient != nil)
			}
			opts := []cmp.Option{cmpopts.IgnoreFields(deps{}, "Env", "Config", "HTTPClient"), cmpopts.IgnoreFields(completionOptions{}, "Root"),
				cmp.AllowUnexported(loginOptions{}, logoutOptions{}, statusOptions{}, ssoListOptions{}, callerIdentityOptions{}, exportOptions{},
					listProfilesOptions{}, configureSSOOptions{}, populateOptions{}, serveOptions{}, demoOptions{}, execOptions{}, completionOptions{},
					consoleOptions{}, credentialServerOptions{}),
				cmp.AllowUnexported(configureGetOptions{}, configureSetOptions{}, configureListOptions{})}
			if diff := cmp.Diff(tc.want, got, opts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlagsToOptionsCoversEveryCommand: a new leaf command needs a case above.
func TestFlagsToOptionsCoversEveryCommand(t *testing.T) {
	t.Parallel()
	var leaves []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.HasSubCommands() {
			leaves = append(leaves, strings.Join(strings.Fields(c.CommandPath())[1:], " "))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{env: &Env{}}).rootCmd())
	for _, l := range leaves {
		if !slices.ContainsFunc(flagCases, func(c flagCase) bool { return strings.Join(c.path, " ") == l }) {
			t.Errorf("TestFlagsToOptions has no case for %q", l)
		}
	}
	if len(leaves) < 15 {
		t.Errorf("found %d leaf commands, want at least 15: %q", len(leaves), leaves)
	}
}

// base returns the deps of the options that embed them.
func (d *deps) base() *deps { return d }

// cmdFor returns the constructor of the flagCases command at path.
func cmdFor(path string) func(a *app, got *any) *cobra.Command {
	for _, c := range flagCases {
		if strings.Join(c.path, " ") == path {
			return c.cmd
		}
	}
	panic("no flag case for " + path)
}

// TestFlagValidationBeforeRun: bad flag values are refused in RunE, before
// runF sees the options.
func TestFlagValidationBeforeRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path  []string
		cmd   func(a *app, got *any) *cobra.Command
		flags []string
		want  string
	}{
		{[]string{"configure", "export-credentials"}, cmdFor("configure export-credentials"), []string{"--format", "yaml"}, "argument --format: Found invalid choice"},
		{[]string{"sts", "get-caller-identity"}, cmdFor("sts get-caller-identity"), []string{"--output", "xml"}, "argument --output: Found invalid choice 'xml'"},
		{[]string{"sts", "get-caller-identity"}, cmdFor("sts get-caller-identity"), []string{"--color", "blue"}, "argument --color: Found invalid choice"},
		{[]string{"sts", "get-caller-identity"}, cmdFor("sts get-caller-identity"), []string{"--cli-read-timeout", "x"}, "invalid literal for int() with base 10: 'x'"},
		{[]string{"sts", "get-caller-identity"}, cmdFor("sts get-caller-identity"), []string{"--query", "[1"}, "Bad value for --query [1: "},
		{[]string{"sts", "get-caller-identity"}, cmdFor("sts get-caller-identity"), []string{"--endpoint-url", "127.0.0.1:1"}, `Bad value for --endpoint-url "127.0.0.1:1": scheme is missing.`},
		{[]string{"sso", "list-accounts"}, cmdFor("sso list-accounts"), []string{"--access-token", "t", "--sso-session", "s"}, "cannot be used together"},
		{[]string{"sso", "list-account-roles"}, cmdFor("sso list-account-roles"), nil, "the following arguments are required: --account-id"},
		{[]string{"configure", "populate"}, cmdFor("configure populate"), []string{"--sso-session", "s", "--profile-template", "{{"}, "argument --profile-template:"},
		{[]string{"serve"}, cmdFor("serve"), []string{"--addr", "0.0.0.0:1"}, "is not a loopback address"},
		{[]string{"serve"}, cmdFor("serve"), []string{"--directory", "d.yaml", "--generate-accounts", "3"}, "cannot be used together"},
		{[]string{"exec"}, cmdFor("exec"), nil, "exec: give the command to run after --"},
		{[]string{"console"}, cmdFor("console"), []string{"--service", "ec2", "--destination", "https://x.example/"}, "cannot be used together"},
		{[]string{"console"}, cmdFor("console"), []string{"--session-duration", "13h"}, "from 15 minutes to 12 hours"},
		{[]string{"credential-server"}, cmdFor("credential-server"), []string{"--addr", "0.0.0.0:0"}, "is not a loopback address"},
		{[]string{"credential-server"}, cmdFor("credential-server"), []string{"--addr", "0.0.0.0:0", "--allow-remote"}, "needs --tls-cert and --tls-key"},
		{[]string{"configure", "get"}, cmdFor("configure get"), nil, "the following arguments are required: varname"},
		{[]string{"configure", "get"}, cmdFor("configure get"), []string{"a", "b"}, "Unknown options: b"},
		{[]string{"configure", "get"}, cmdFor("configure get"), []string{"k", "--sso-session", "s", "--services", "x"}, `The key "services" cannot be specified`},
		{[]string{"configure", "set"}, cmdFor("configure set"), nil, "the following arguments are required: varname, value"},
		{[]string{"configure", "set"}, cmdFor("configure set"), []string{"region"}, "the following arguments are required: value"},
		{[]string{"configure", "set"}, cmdFor("configure set"), []string{"k", "v", "--sso-session", "!bad"}, "Invalid value for --sso-session."},
		{[]string{"configure", "set"}, cmdFor("configure set"), []string{"k", "v", "--services", ""}, "Invalid value for --services."},
		{[]string{"configure", "list"}, cmdFor("configure list"), []string{"x"}, "Unknown options: x"},
	} {
		t.Run(strings.Join(append(append([]string{}, tc.path...), tc.flags...), " "), func(t *testing.T) {
			t.Parallel()
			_, got, err := runLeaf(tc.path, tc.cmd, tc.flags)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if got != nil {
				t.Errorf("runF ran with %+v", got)
			}
		})
	}
}

// TestRunFromOptionsAlone: the second layer runs from its options, with the
// config and environment they carry and nothing else.
func TestRunFromOptionsAlone(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	vars := map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"}
	d := deps{
		Env: &Env{Stdout: &out, Getenv: func(k string) string { return vars[k] }},
		Config: func() (*awsconfig.Config, error) {
			return awsconfig.Parse([]byte("[profile b]\n[default]\n"), []byte("[c]\n"), "config")
		},
		HTTPClient: func() (*http.Client, error) { t.Error("an HTTP client was asked for"); return nil, nil },
	}
	if err := runListProfiles(context.Background(), &listProfilesOptions{deps: d}); err != nil {
		t.Fatal(err)
	}
	if err := runExportCredentials(context.Background(), &exportOptions{deps: d, Format: "env-no-export"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("b\ndefault\nc\nAWS_ACCESS_KEY_ID=AKID\nAWS_SECRET_ACCESS_KEY=SECRET\n", out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}
