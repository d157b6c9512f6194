package cli

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"

	"github.com/ssocli/ssocli/internal/creds"
)

// Version is set at build time with -ldflags "-X github.com/ssocli/ssocli/internal/cli.Version=…".
var Version = "dev"

// globals are the flags every command takes, as the AWS CLI's global options.
type globals struct {
	profile   string
	region    string
	output    string
	debug     bool
	caBundle  string
	autoLogin bool
}

// app is what the commands share: the Env, the global flags and lazily built
// helpers. Nothing is built until a command needs it, so the cached
// credential path stays small.
type app struct {
	env *Env
	g   globals

	cfg    *awsconfig.Config
	cfgErr error

	// parsed, when set (by tests), receives a command's options instead of
	// running it: the flags-to-options layer is tested on its own.
	parsed func(opts any) error

	httpOnce sync.Once
	http     *http.Client
	httpErr  error
}

// Run runs ssocli with args (without the program name) and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	a := &app{env: env}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	return a.report(ctx, err)
}

func (a *app) rootCmd() *cobra.Command {
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
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&a.g.profile, "profile", "", "use this profile from ~/.aws/config (else AWS_PROFILE, AWS_DEFAULT_PROFILE, default)")
	pf.StringVar(&a.g.region, "region", "", "the region for the command's own AWS calls (SSO calls always use sso_region)")
	pf.StringVar(&a.g.output, "output", "", "output format: json, text or table")
	pf.BoolVar(&a.g.debug, "debug", false, "log what ssocli does to stderr (never secrets)")
	pf.StringVar(&a.g.caBundle, "ca-bundle", "", "PEM file of the certificate authorities to trust (else AWS_CA_BUNDLE or ca_bundle)")
	pf.BoolVar(&a.g.autoLogin, "auto-login", false, "when the IAM Identity Center session has ended, log in again by itself (in a terminal only); also the profile key sso_auto_login = true")
	root.AddCommand(
		a.ssoCmd(),
		a.stsCmd(),
		a.configureCmd(),
		a.serveCmd(),
		a.demoCmd(),
		a.execCmd(),
		a.consoleCmd(),
		a.credentialServerCmd(),
	)
	root.AddCommand(a.completionCmd(root))
	return root
}

func (a *app) manager() *creds.Manager {
	return &creds.Manager{
		Home:       a.env.Home,
		Now:        a.env.Now,
		HTTPClient: a.httpClient,
		Log:        debugLogger(a.env, a.g.debug),
		Warn:       func(msg string) { fmt.Fprintf(a.env.Stderr, "warning: %s\n", msg) },
	}
}

func (a *app) httpClient() (*http.Client, error) {
	a.httpOnce.Do(func() {
		if a.env.HTTPClient != nil {
			a.http = a.env.HTTPClient
			return
		}
		bundle := a.g.caBundle
		if bundle == "" {
			bundle = a.env.getenv("AWS_CA_BUNDLE")
		}
		if bundle == "" {
			if p, ok := a.profileSection(); ok {
				bundle = p["ca_bundle"]
			}
		}
		a.http, a.httpErr = creds.NewHTTPClient(creds.HTTPOptions{Getenv: a.env.Getenv, CABundle: bundle})
	})
	return a.http, a.httpErr
}
