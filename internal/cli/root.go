package cli

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/termtext"

	"github.com/ssocli/ssocli/internal/creds"
)

// globals are the flags every command takes, as the AWS CLI's global options.
type globals struct {
	Profile   string
	Region    string
	Output    string
	Debug     bool
	CABundle  string
	AutoLogin bool
	OutputGlobals
	// ErrorFormat is --cli-error-format (errorformat.go).
	ErrorFormat string
}

// app builds the command tree. It holds the Env, the global flags (bound to
// the root's persistent flags) and the config file and HTTP client, each
// built at most once and only when a command asks: the cached credential
// path builds nothing it does not use. Commands never see app; each gets
// what it needs in its options (deps).
type app struct {
	env  *Env
	g    globals
	args []string // the command line, for the error format of a line cobra could not parse

	cfgOnce sync.Once
	cfg     *awsconfig.Config
	cfgErr  error

	httpOnce sync.Once
	http     *http.Client
	httpErr  error
}

// deps is what every command's options carry besides the command's own
// flags, as gh's LoginOptions carry IO, Config and HttpClient: the Env, the
// global flags as given, and the loaders. A runX(ctx, opts) needs nothing
// else, so it can be run (and tested) from its options alone.
type deps struct {
	Env     *Env
	Globals globals
	// Config returns ~/.aws/config and ~/.aws/credentials, parsed once.
	Config func() (*awsconfig.Config, error)
	// HTTPClient returns the client for every AWS call (proxies, CA bundle).
	HTTPClient func() (*http.Client, error)
}

// deps returns the deps of the command being run; call it from RunE, once
// the flags are parsed.
func (a *app) deps() deps {
	return deps{Env: a.env, Globals: a.g, Config: a.config, HTTPClient: a.httpClient}
}

// Run runs ssocli with args (without the program name) and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	a := &app{env: env, args: args}
	root := a.rootFor(args)
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		// Only cobra's hidden completion command consults flag completion
		// functions; walking the tree to register them costs more than the
		// cached credential path itself (issue 14), so other commands skip it.
		a.registerConfigCompletions(root)
	}
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := optionAsValue(root, args)
	if err == nil {
		err = root.ExecuteContext(ctx)
	}
	return a.report(ctx, err)
}

// rootCmd returns the whole command tree.
func (a *app) rootCmd() *cobra.Command {
	root := a.newRoot()
	for _, t := range topLevel() {
		root.AddCommand(t.new(a))
	}
	root.AddCommand(newCompletionCmd(a, root, nil))
	return root
}

// newRoot returns the root command with the global flags and no subcommand.
func (a *app) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "ssocli",
		Short: "Log in to AWS IAM Identity Center and use its roles from a terminal",
		Long: `ssocli logs in to AWS IAM Identity Center (SSO) and hands out the short-term role
credentials of your profiles, sharing one login with the AWS CLI and the AWS SDKs
through ~/.aws/config, ~/.aws/sso/cache and ~/.aws/cli/cache.

Its commands mirror the AWS CLI's:
  ssocli sso login --profile dev          log in (browser, or a code on another device)
  ssocli sts get-caller-identity --profile dev
  ssocli configure export-credentials --profile dev --format env
  ssocli sso logout

ssocli serve runs a local IAM Identity Center for trying all of this offline,
and ssocli demo shows it end to end without touching your ~/.aws.`,
		Version:       a.env.version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	makeGroup(root, "command")
	root.SetFlagErrorFunc(flagError)
	// The usage line of a command that only holds subcommands ("ssocli sso
	// [flags]") would suggest it does something by itself: cobra's default
	// template, without that line for such commands.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(), "{{if .Runnable}}", "{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&a.g.Profile, "profile", "", "use this profile from ~/.aws/config (else AWS_PROFILE, AWS_DEFAULT_PROFILE, default)")
	pf.StringVar(&a.g.Region, "region", "", "the region for the command's own AWS calls (SSO calls always use sso_region)")
	a.addOutputFlags(pf)
	pf.BoolVar(&a.g.Debug, "debug", false, "log what ssocli does to stderr (never secrets)")
	pf.StringVar(&a.g.CABundle, "ca-bundle", "", "PEM file of the certificate authorities to trust (else AWS_CA_BUNDLE or ca_bundle)")
	pf.Var(errorFormatValue{&a.g.ErrorFormat}, "cli-error-format", "the form of error messages: enhanced (default), legacy, json, yaml, text or table (else AWS_CLI_ERROR_FORMAT or cli_error_format)")
	pf.BoolVar(&a.g.AutoLogin, "auto-login", false, "when the IAM Identity Center session has ended, log in again by itself (in a terminal only); also the profile key sso_auto_login = true")
	return root
}

// makeGroup makes c, a command that only holds subcommands, fail as the AWS
// CLI does when no subcommand or an unknown one is given (exit 252 with its
// usage lines and "argument <arg>: Invalid choice"), rather than print its
// help and exit 0: a mistyped subcommand in a credential_process line must
// not hand the SDK a help page. "help" prints the help, as in the AWS CLI.
func makeGroup(c *cobra.Command, arg string) *cobra.Command {
	c.SuggestionsMinimumDistance = 2
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 || len(args) == 1 && args[0] == "help" {
			return nil
		}
		var names []string
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		if !slices.Contains(names, "help") {
			names = append(names, "help")
		}
		return invalidChoice(arg, names, args[0], cmd.SuggestionsFor(args[0]))
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			return cmd.Help()
		}
		return &parseError{msg: "the following arguments are required: " + arg, main: !cmd.HasParent()}
	}
	return c
}

// config loads ~/.aws/config and ~/.aws/credentials once per run.
func (a *app) config() (*awsconfig.Config, error) {
	a.cfgOnce.Do(func() {
		cp, kp := awsconfig.Paths(a.env.getenv, a.env.Home)
		index := ""
		if d := a.env.cacheDir(); d != "" {
			index = filepath.Join(d, "config-index")
		}
		a.cfg, a.cfgErr = awsconfig.LoadIndexed(cp, kp, index)
	})
	return a.cfg, a.cfgErr
}

// httpClient builds the client for AWS calls once: Env.HTTPClient, else one
// from the proxy variables and the CA bundle of --ca-bundle, AWS_CA_BUNDLE
// or the profile's ca_bundle.
func (a *app) httpClient() (*http.Client, error) {
	a.httpOnce.Do(func() {
		bundle := a.g.CABundle
		if bundle == "" {
			bundle = a.env.getenv("AWS_CA_BUNDLE")
		}
		if bundle == "" {
			d := a.deps()
			if p, ok := d.profileSection(); ok {
				bundle = p["ca_bundle"]
			}
		}
		if a.env.HTTPClient != nil {
			// An injected client still refuses the bundle botocore refuses.
			a.http, a.httpErr = a.env.HTTPClient, creds.CheckCABundle(bundle)
			return
		}
		o := creds.HTTPOptions{Getenv: a.env.Getenv, CABundle: bundle}
		o.ConnectTimeout, o.ReadTimeout = a.g.timeouts()
		a.http, a.httpErr = creds.NewHTTPClient(o)
	})
	return a.http, a.httpErr
}

// manager is the creds.Manager for the command's calls.
func (d *deps) manager() *creds.Manager {
	return &creds.Manager{
		Home:       d.Env.Home,
		Now:        d.Env.Now,
		HTTPClient: d.HTTPClient,
		Log:        debugLogger(d.Env, d.Globals.Debug),
		Warn:       func(msg string) { fmt.Fprintf(d.Env.Stderr, "warning: %s\n", termtext.Text(msg)) },
	}
}

// debugf writes a --debug line.
func (d *deps) debugf(format string, args ...any) {
	if d.Globals.Debug {
		fmt.Fprintf(d.Env.Stderr, "debug: "+format+"\n", args...)
	}
}
