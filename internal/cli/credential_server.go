package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/credserver"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// The variables the AWS SDKs' container credential provider reads.
const (
	envContainerFullURI   = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	envContainerToken     = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
	envContainerTokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
	envContainerRelURI    = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
)

// credentialServerOptions are the flags of `ssocli credential-server`.
type credentialServerOptions struct {
	deps
	Addr        string
	Profiles    []string
	AllowRemote bool
	TLSCert     string
	TLSKey      string
}

func newCredentialServerCmd(a *app, runF func(context.Context, *credentialServerOptions) error) *cobra.Command {
	o := &credentialServerOptions{}
	c := &cobra.Command{
		Use:   "credential-server [--addr 127.0.0.1:PORT] [--profile P ...]",
		Short: "Serve fresh role credentials to containers and long-running processes",
		Long: `Serve the credentials of one or more profiles over the AWS SDKs' container
credential protocol, until Ctrl-C or SIGTERM. Give a process (a container, an
IDE, a long test run) the two lines printed on stdout for its profile:

  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/profile/NAME
  AWS_CONTAINER_AUTHORIZATION_TOKEN=<random token of this run>

and its AWS SDK (boto3, the AWS SDK for JavaScript v3, aws-sdk-go-v2, the AWS
CLI ...) asks for credentials whenever its own are about to expire. Each request
gets the profile's credentials as export-credentials gets them: from the
cache, refreshed under the same locks, so any number of clients make one
GetRoleCredentials per role. A request without the token gets 401, with a
wrong one 403. When the IAM Identity Center session has ended, requests get an
error the SDK shows (LoginRequired, with the login command) and ssocli says so
once on stderr; with --auto-login it logs in again by itself (in a terminal).

The SDKs' chain asks the configuration files before the container endpoint:
a [default] profile with credentials of its own in the process's ~/.aws
config is used instead.

It listens on loopback only (127.0.0.1:0 picks a free port, the default), so
a container needs the host's network (docker run --network host). With
--allow-remote it may listen elsewhere, and then only over TLS (--tls-cert,
--tls-key): the token and the credentials would otherwise cross the network
in clear.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if o.AllowRemote && (o.TLSCert == "" || o.TLSKey == "") {
				return usageError("--allow-remote needs --tls-cert and --tls-key: the token and the credentials must not cross the network in clear")
			}
			if (o.TLSCert == "") != (o.TLSKey == "") {
				return usageError("give both --tls-cert and --tls-key, or neither")
			}
			if err := checkListenAddr(o.Addr, o.AllowRemote); err != nil {
				return err
			}
			for _, p := range o.Profiles {
				if p == "" || strings.ContainsAny(p, "/?#%") {
					return usageError("--profile %q: a profile name served by the credential server may not be empty or contain /, ?, # or %%", p)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCredentialServer(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	// This --profile shadows the global one: it may be given several times.
	f.StringArrayVar(&o.Profiles, "profile", nil, "serve this profile (repeat for several; default: AWS_PROFILE, else default)")
	f.BoolVar(&o.AllowRemote, "allow-remote", false, "allow listening on a non-loopback address (needs --tls-cert and --tls-key)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "PEM certificate (chain) to serve HTTPS with")
	f.StringVar(&o.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	return c
}

// checkListenAddr refuses a non-loopback address unless allowed.
func checkListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("--addr %q is not host:port: %v", addr, err)
	}
	if ip := net.ParseIP(host); !allowRemote && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usageError("--addr %s is not a loopback address: anyone who can reach it and has the token gets credentials. Use 127.0.0.1, or pass --allow-remote with --tls-cert and --tls-key.", addr)
	}
	return nil
}

// profilePath is the URL path of a profile on the credential server.
func profilePath(name string) string { return "/profile/" + url.PathEscape(name) }

func runCredentialServer(ctx context.Context, o *credentialServerOptions) error {
	names := o.Profiles
	if len(names) == 0 {
		n, _ := o.profileName()
		names = []string{n}
	}
	if _, err := o.Config(); err != nil {
		return err
	}
	token, err := credserver.NewToken()
	if err != nil {
		return err
	}
	srv := &credserver.Server{Token: token, Paths: map[string]credserver.Profile{}, AllowRemote: o.AllowRemote, Logger: debugLogger(o.Env, o.Globals.Debug), Event: o.credentialEvent}
	for _, name := range names {
		name := name
		source := o.profileSource(name)
		srv.Paths[profilePath(name)] = credserver.Profile{Name: name, Source: source}
		// Resolve each once now, so that a typo is refused and a missing
		// login said at start, not at the first request.
		_, err := source(ctx)
		if err != nil && !errors.Is(err, creds.ErrLoginRequired) {
			return err
		}
		srv.Report(name, err)
	}
	var tlsConfig *tls.Config
	if o.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return usererr.Wrap(usererr.CodeConfig, fmt.Sprintf("Cannot load the TLS certificate %s and key %s: %v", o.TLSCert, o.TLSKey, err), err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Cannot listen on %s: %v", o.Addr, err), err)
	}
	scheme := "http"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()
	sort.Strings(names)
	fmt.Fprintf(o.Env.Stderr, "Serving the credentials of %s on %s until Ctrl-C or SIGTERM. Give a process the lines below for its profile.\n", strings.Join(names, ", "), base)
	for _, name := range names {
		if len(names) > 1 {
			fmt.Fprintf(o.Env.Stdout, "# profile %s\n", name)
		}
		fmt.Fprintf(o.Env.Stdout, "%s=%s%s\n%s=%s\n", envContainerFullURI, base, profilePath(name), envContainerToken, token)
	}
	return serveUntilDone(ctx, ln, srv)
}

// credentialEvent tells the person running a credential endpoint when a
// profile stops (or starts again) getting credentials.
func (d *deps) credentialEvent(profile string, err error) {
	if err == nil {
		fmt.Fprintf(d.Env.Stderr, "Profile %s: serving credentials again.\n", termtext.Line(profile))
		return
	}
	fmt.Fprintf(d.Env.Stderr, "Profile %s: no credentials to serve: %s\n", termtext.Line(profile), termtext.Line(credserver.Describe(profile, err)))
}

// profileSource fetches the named profile's credentials as --profile NAME
// would: the environment's keys are not looked at.
func (d *deps) profileSource(name string) credserver.Source {
	pd := *d
	pd.Globals.Profile = name
	return pd.credentials
}

// serveUntilDone serves h on ln until ctx ends, then shuts down, letting the
// requests in flight finish.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve credentials: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down the credential server: %w", err)
	}
	<-errc
	return nil
}

// startExecServer starts the credential endpoint of `exec --ecs-server` on a
// random loopback port and returns the two variables for the child, and a
// function that stops the endpoint.
func (d *deps) startExecServer(profile string) (vars []string, stop func(), err error) {
	token, err := credserver.NewToken()
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Cannot listen on 127.0.0.1 for the credential endpoint: %v", err), err)
	}
	srv := &credserver.Server{
		Token:  token,
		Paths:  map[string]credserver.Profile{"/": {Name: profile, Source: d.credentials}},
		Logger: debugLogger(d.Env, d.Globals.Debug),
		Event:  d.credentialEvent,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = serveUntilDone(ctx, ln, srv)
	}()
	vars = []string{envContainerFullURI + "=http://" + ln.Addr().String() + "/", envContainerToken + "=" + token}
	return vars, func() { cancel(); <-done }, nil
}

// ecsEnviron is execEnviron's counterpart for --ecs-server: base without the
// variables that would hide the endpoint (static keys, profiles, other
// container settings), then the endpoint's two variables, the region and
// the marker.
func ecsEnviron(base, endpointVars []string, region, profile string) []string {
	drop := map[string]bool{
		"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_SECURITY_TOKEN": true,
		"AWS_CREDENTIAL_EXPIRATION": true, "AWS_PROFILE": true, "AWS_DEFAULT_PROFILE": true, execEnvMarker: true,
		envContainerFullURI: true, envContainerToken: true, envContainerTokenFile: true, envContainerRelURI: true,
	}
	if region != "" {
		drop["AWS_REGION"], drop["AWS_DEFAULT_REGION"] = true, true
	}
	out := make([]string, 0, len(base)+6)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	out = append(out, endpointVars...)
	if region != "" {
		out = append(out, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region)
	}
	return append(out, execEnvMarker+"="+profile)
}
