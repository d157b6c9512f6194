package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/directory"
)

// demoOptions are what `demo` runs from.
type demoOptions struct {
	deps
	Keep bool
}

func newDemoCmd(a *app, runF func(context.Context, *demoOptions) error) *cobra.Command {
	o := &demoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Show a whole IAM Identity Center session against a built-in local server",
		Long: `Start a local IAM Identity Center on a free loopback port, and in a temporary
home (your own ~/.aws is never touched) run what a day with IAM Identity Center
looks like: sso login (device code flow, approved as the demo user alice),
sts get-caller-identity, configure export-credentials, a profile that assumes a
role in another account with the SSO profile's credentials (role_arn and
source_profile), sso status and sso logout, printing each command and its output
as you would see them.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDemo(cmd.Context(), o)
		},
	}
	c.Flags().BoolVar(&o.Keep, "keep", false, "keep the temporary home afterwards and print its path")
	return c
}

func runDemo(ctx context.Context, o *demoOptions) error {
	out := o.Env.Stdout
	home, err := os.MkdirTemp("", "ssocli-demo-")
	if err != nil {
		return fmt.Errorf("make a temporary home: %w", err)
	}
	if !o.Keep {
		defer os.RemoveAll(home)
	}
	dir := directory.Demo()
	srv, err := idc.New(idc.Config{Directory: dir, AutoApprove: "alice", DataDir: filepath.Join(home, "idc")})
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-served:
		return fmt.Errorf("start the local Identity Center: %w", err)
	}
	// Every return from here on stops the server and waits until it has
	// closed its files in home/idc, before the deferred RemoveAll runs.
	shutdown := sync.OnceFunc(func() { stop(); <-served })
	defer shutdown()
	url := "http://" + addr
	config := sampleConfig(dir, "my-sso", "my-dev-profile")
	chained := chainedSample(dir, "my-prod-deployer", "my-dev-profile")
	config += chained
	cfgPath := filepath.Join(home, ".aws", "config")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(out, "A local IAM Identity Center is running at %s; logins are approved as the demo user alice.\n", url)
	fmt.Fprintf(out, "Working in a temporary home, %s, with this ~/.aws/config:\n\n", home)
	for _, l := range strings.Split(strings.TrimSuffix(config, "\n"), "\n") {
		fmt.Fprintf(out, "    %s\n", l)
	}
	fmt.Fprintf(out, "\nand AWS_ENDPOINT_URL=%s, so that every AWS call goes to it.\n", url)

	vars := map[string]string{"HOME": home, "AWS_ENDPOINT_URL": url, "AWS_CONFIG_FILE": cfgPath}
	inner := &Env{
		Stdin:      bytes.NewReader(nil),
		Getenv:     func(k string) string { return vars[k] },
		Environ:    func() []string { return nil },
		Home:       home,
		Now:        o.Env.Now,
		HTTPClient: &http.Client{Transport: &http.Transport{Proxy: nil}},
	}
	steps := [][]string{
		{"sso", "login", "--profile", "my-dev-profile", "--use-device-code"},
		{"sts", "get-caller-identity", "--profile", "my-dev-profile"},
		{"configure", "export-credentials", "--profile", "my-dev-profile", "--format", "env"},
	}
	if chained != "" {
		steps = append(steps, []string{"sts", "get-caller-identity", "--profile", "my-prod-deployer"})
	}
	steps = append(steps,
		[]string{"sso", "status"},
		[]string{"sso", "logout"},
		[]string{"sts", "get-caller-identity", "--profile", "my-dev-profile"},
	)
	for i, args := range steps {
		fmt.Fprintf(out, "\n$ ssocli %s\n", strings.Join(args, " "))
		var buf bytes.Buffer
		inner.Stdout, inner.Stderr = &buf, &buf
		code := Run(ctx, inner, args)
		out.Write(maskSecrets(buf.Bytes()))
		last := i == len(steps)-1
		switch {
		case code != 0 && !last:
			return fmt.Errorf("the demo step \"ssocli %s\" failed with exit code %d", strings.Join(args, " "), code)
		case last && code == 0:
			return fmt.Errorf("after logout, \"ssocli %s\" should have failed", strings.Join(args, " "))
		case last:
			fmt.Fprintf(out, "(exit code %d: after logout the role credentials are gone and the session must be logged in again)\n", code)
		}
	}
	shutdown()
	fmt.Fprint(out, demoEpilogue)
	if o.Keep {
		fmt.Fprintf(out, "\nThe temporary home is kept at %s.\n", home)
	}
	return nil
}

// chainedSample is a profile that assumes a role of dir with the
// credentials of the sample SSO profile source (role_arn and
// source_profile), or "" when no role trusts the sample's permission set.
func chainedSample(dir *directory.Directory, profile, source string) string {
	user, account, pset := sampleAssignment(dir)
	caller := directory.Caller{Kind: directory.TrustPermissionSet, Account: account, Name: pset, User: user}
	for _, r := range dir.Roles {
		if r.Trusts(caller) {
			return fmt.Sprintf("\n[profile %s]\nrole_arn = %s\nsource_profile = %s\nregion = %s\noutput = json\n", profile, r.ARN(), source, dir.Instance.Region)
		}
	}
	return ""
}

// secretLine matches the values of secret variables in export output.
var secretLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=(\S{4})\S*`)
})

// maskSecrets hides the secret parts of exported credentials: even a demo's
// fake credentials are not printed in full.
func maskSecrets(b []byte) []byte {
	return secretLine().ReplaceAll(b, []byte("$1=$2…(hidden)"))
}

const demoEpilogue = `
To do the same against your own AWS organisation, nothing needs configuring
but ~/.aws/config (no endpoint variables):

    # write the [sso-session] and [profile] sections above with your start URL,
    # region, account id and role name
    ssocli sso login --profile my-dev-profile
    ssocli sts get-caller-identity --profile my-dev-profile

and, for any AWS SDK or tool, in ~/.aws/config:

    credential_process = ssocli configure export-credentials --profile my-dev-profile
`
