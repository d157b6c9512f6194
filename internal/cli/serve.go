package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/usererr"
)

// serveOptions are what `ssocli serve` runs from.
type serveOptions struct {
	deps
	Addr             string
	Directory        string
	AutoApprove      string
	AutoApproveDelay time.Duration
	DataDir          string
	PublicURL        string
	TokenTTL         time.Duration
	SessionTTL       time.Duration
	DeviceCodeTTL    time.Duration
	RefreshGrace     time.Duration
	RateLimit        float64
	RoleCredTTL      time.Duration
	AllowRemote      bool
	GenerateAccounts int
	RolesPerAccount  int
	Quiet            bool
}

func newServeCmd(a *app, runF func(context.Context, *serveOptions) error) *cobra.Command {
	o := &serveOptions{}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run a local IAM Identity Center that ssocli, the AWS CLI and the AWS SDKs accept",
		Long: `Run a local IAM Identity Center on loopback: SSO OIDC (device code, authorization
code with PKCE, refresh tokens), the portal API (role credentials, accounts,
roles, logout), STS GetCallerIdentity with SigV4 checking, sign-in, consent
and device pages for a browser, and the AWS sign-in federation endpoint
(/federation: getSigninToken and login, for ssocli console) with a minimal
console page that shows who is signed in. Nothing it issues works against real
AWS.

Clients reach it in one of two ways, printed on start:
  AWS_ENDPOINT_URL=http://127.0.0.1:8765            ssocli, AWS CLI >= 2.13
      the AWS SDKs also need AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC set
      to it: their SSO credential providers (aws-sdk-go-v2's) ignore AWS_ENDPOINT_URL
  HTTPS_PROXY=http://127.0.0.1:8765 AWS_CA_BUNDLE=…  tools that cannot change endpoints:
      the server answers CONNECT for *.amazonaws.com with certificates from its own
      CA (kept in the data directory) and never connects anywhere else; it also
      answers signin.aws.amazon.com and <region>.console.aws.amazon.com there, and
      the vanity start URL https://sso.example.com/start (redirected to the
      instance's portal host, as the AWS CLI >= 2.35 resolves such URLs).

With --data-dir DIR the server keeps its state (client registrations, sessions,
and the key its tokens and role credentials are sealed with) in DIR/state.db, so
that after a restart the tokens in people's caches still work. Without it the state is in memory and the CA is kept
in ~/.local/share/ssocli/serve.

The built-in directory has users alice (password "wonderland") and bob
("builder"); --directory loads your own (see internal/idc/directory/testdata/example.yaml).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if err := checkServe(o); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runServe(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8765", "address to listen on (port 0 picks a free one)")
	f.StringVar(&o.Directory, "directory", "", "YAML file of users, groups, accounts, permission sets and assignments (default: the built-in demo directory)")
	f.StringVar(&o.AutoApprove, "auto-approve", "", "approve every login as this user, without a browser (for CI and demos)")
	f.DurationVar(&o.AutoApproveDelay, "auto-approve-delay", time.Second, "with --auto-approve, how long after a device login starts it is approved (0: at once, so no code is shown)")
	f.StringVar(&o.DataDir, "data-dir", "", "directory for the CA and the server's state, which then survives a restart (default: CA in ~/.local/share/ssocli/serve, state in memory)")
	f.StringVar(&o.PublicURL, "public-url", "", "base URL browsers use to reach the server (default: the listen address)")
	f.DurationVar(&o.TokenTTL, "token-ttl", time.Hour, "life of access tokens that come with a refresh token")
	f.DurationVar(&o.SessionTTL, "session-ttl", 8*time.Hour, "how long a session may be refreshed, and the life of tokens without refresh")
	f.DurationVar(&o.DeviceCodeTTL, "device-code-ttl", 10*time.Minute, "life of a device code")
	f.DurationVar(&o.RefreshGrace, "refresh-grace", 30*time.Second, "how long a rotated-out refresh token still gets the tokens it was rotated into (SDK processes sharing a cache race); a later use revokes the session (0: every reuse does)")
	f.Float64Var(&o.RateLimit, "rate-limit", 0, "portal requests per second before TooManyRequestsException (0: no limit)")
	f.DurationVar(&o.RoleCredTTL, "role-credential-ttl", 0, "cap the life of the role credentials it issues, e.g. 20s to see credential refreshes in seconds (0: the permission set's session duration)")
	f.BoolVar(&o.AllowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	f.IntVar(&o.GenerateAccounts, "generate-accounts", 0, "use a generated directory with this many accounts (for large-organisation tests)")
	f.IntVar(&o.RolesPerAccount, "roles-per-account", 3, "roles per generated account")
	f.BoolVar(&o.Quiet, "quiet", false, "print only the listen address")
	return c
}

// checkServe checks the flags of serve.
func checkServe(o *serveOptions) error {
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return usageError("--addr %q is not host:port: %v", o.Addr, err)
	}
	if ip := net.ParseIP(host); !o.AllowRemote && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usageError("--addr %s is not a loopback address: the local Identity Center hands out credentials to anyone who can reach it. Use 127.0.0.1, or pass --allow-remote if you mean it.", o.Addr)
	}
	if o.Directory != "" && o.GenerateAccounts > 0 {
		return usageError("--directory and --generate-accounts cannot be used together")
	}
	return nil
}

func runServe(ctx context.Context, o *serveOptions) error {
	var (
		dir *directory.Directory
		err error
	)
	switch {
	case o.Directory != "":
		if dir, err = directory.Load(o.Directory); err != nil {
			return usererr.Wrap(usererr.CodeConfig, err.Error(), err)
		}
	case o.GenerateAccounts > 0:
		dir = directory.Generate(o.GenerateAccounts, o.RolesPerAccount)
	default:
		dir = directory.Demo()
	}
	// State on disk only when --data-dir is given: the default directory
	// holds just the CA, so a plain `ssocli serve` starts afresh.
	persist := o.DataDir != ""
	defer tuneGC(o.Env.getenv, serveGCPercent)()
	dataDir := o.DataDir
	if dataDir == "" {
		base := o.Env.getenv("XDG_DATA_HOME")
		if base == "" {
			base = filepath.Join(o.Env.Home, ".local", "share")
		}
		dataDir = filepath.Join(base, "ssocli", "serve")
	}
	var log *slog.Logger
	if o.Globals.Debug {
		log = slog.New(slog.NewTextHandler(o.Env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := idc.New(idc.Config{
		Directory:   dir,
		PublicURL:   o.PublicURL,
		AutoApprove: o.AutoApprove,
		// idc.Config reads 0 as its default (1 s) and a negative value as "at once".
		AutoApproveDelay:  approveDelay(o.AutoApproveDelay),
		TokenTTL:          o.TokenTTL,
		SessionTTL:        o.SessionTTL,
		DeviceCodeTTL:     o.DeviceCodeTTL,
		DataDir:           dataDir,
		PersistState:      persist,
		RateLimit:         o.RateLimit,
		RoleCredentialTTL: o.RoleCredTTL,
		Now:               o.Env.Now,
		Logger:            log,
		// The same mapping as the approval delay: idc.Config reads 0 as
		// its default (30 s) and a negative value as none.
		RefreshGrace: approveDelay(o.RefreshGrace),
		// A vanity start URL for the AWS CLI ≥2.35's resolution, through the proxy.
		Vanity: []idc.VanityURL{{URL: idc.DefaultVanityURL}},
	})
	if err != nil {
		return usererr.Wrap(usererr.CodeConfig, err.Error(), err)
	}
	return srv.ListenAndServe(ctx, o.Addr, func(addr string) {
		if o.Quiet {
			fmt.Fprintf(o.Env.Stdout, "http://%s\n", addr)
			return
		}
		printServeBanner(o.Env.Stdout, addr, srv.CAFile(), dir, o.AutoApprove, persist, dataDir)
	})
}

// printServeBanner tells how to point each kind of client at the server.
func printServeBanner(w io.Writer, addr, caFile string, dir *directory.Directory, autoApprove string, persist bool, dataDir string) {
	url := "http://" + addr
	in := dir.Instance
	fmt.Fprintf(w, "Local IAM Identity Center listening on %s\n", url)
	fmt.Fprintf(w, "  start URL  %s (region %s)\n", in.StartURL, in.Region)
	fmt.Fprintf(w, "  vanity URL %s (through the proxy: redirects to %s)\n", idc.DefaultVanityURL, idc.DefaultVanityLocation(dir))
	fmt.Fprintf(w, "  CA file    %s\n", caFile)
	if persist {
		fmt.Fprintf(w, "  state      kept in %s (survives a restart)\n", filepath.Join(dataDir, idc.StateFile))
	} else {
		fmt.Fprintf(w, "  state      in memory (use --data-dir to keep it across restarts)\n")
	}
	if autoApprove != "" {
		fmt.Fprintf(w, "  logins     approved automatically as %s\n", autoApprove)
	} else {
		fmt.Fprintf(w, "  sign in    at %s/device with a directory user (demo: alice / wonderland)\n", url)
	}
	fmt.Fprintf(w, "\nFor ssocli and the AWS CLI >= 2.13 (endpoint overrides):\n")
	fmt.Fprintf(w, "  export AWS_ENDPOINT_URL=%s\n", url)
	fmt.Fprintf(w, "For the AWS SDKs, whose SSO credential providers ignore AWS_ENDPOINT_URL (aws-sdk-go-v2), also:\n")
	fmt.Fprintf(w, "  export AWS_ENDPOINT_URL_SSO=%s AWS_ENDPOINT_URL_SSO_OIDC=%s\n", url, url)
	fmt.Fprintf(w, "For tools that cannot change endpoints (the AWS CLI 2.9.19):\n")
	fmt.Fprintf(w, "  export HTTPS_PROXY=%s AWS_CA_BUNDLE=%s\n", url, caFile)
	fmt.Fprintf(w, "\nA configuration that works with it (~/.aws/config):\n\n")
	fmt.Fprint(w, sampleConfig(dir, "local", "local"))
	fmt.Fprintf(w, "\nThen: ssocli sso login --profile local && ssocli sts get-caller-identity --profile local\n")
}

// sampleAssignment is the directory's first user with an assignment, and
// that user's first account and permission set there.
func sampleAssignment(dir *directory.Directory) (user, account, role string) {
	for _, u := range dir.Users {
		for _, acct := range dir.AccountsFor(u.Name) {
			if roles := dir.RolesFor(u.Name, acct.ID); len(roles) > 0 {
				return u.Name, acct.ID, roles[0]
			}
		}
	}
	return "", "", ""
}

// sampleConfig is an [sso-session] and a profile for the directory's first
// user with an assignment.
func sampleConfig(dir *directory.Directory, session, profile string) string {
	in := dir.Instance
	_, account, role := sampleAssignment(dir)
	return fmt.Sprintf("[sso-session %s]\nsso_start_url = %s\nsso_region = %s\nsso_registration_scopes = sso:account:access\n\n[profile %s]\nsso_session = %s\nsso_account_id = %s\nsso_role_name = %s\nregion = %s\noutput = json\n",
		session, in.StartURL, in.Region, profile, session, account, role, in.Region)
}

// approveDelay maps the flag (0 = at once) to idc.Config.AutoApproveDelay.
func approveDelay(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}
