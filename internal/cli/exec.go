package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

// execEnvMarker is set in the child's environment to the profile's name, so
// that a nested `ssocli exec` notices it would stack credentials.
const execEnvMarker = "SSOCLI_EXEC"

// execOptions are what `exec` runs from.
type execOptions struct {
	deps
	AllowNested bool
	ECSServer   bool
	Command     []string
}

func newExecCmd(a *app, runF func(context.Context, *execOptions) error) *cobra.Command {
	o := &execOptions{}
	c := &cobra.Command{
		Use:   "exec [--profile P] -- COMMAND [ARGS...]",
		Short: "Run a command with a profile's credentials in its environment",
		Long: `Run COMMAND with the profile's role credentials in its environment, for tools
that read only AWS_ACCESS_KEY_ID and friends:

  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
  AWS_CREDENTIAL_EXPIRATION, AWS_REGION and AWS_DEFAULT_REGION (the profile's region)

AWS_PROFILE and AWS_DEFAULT_PROFILE are removed, so SDKs use these variables
rather than the profile, and SSOCLI_EXEC is set to the profile's name.
Interrupts reach the command (on Unix ssocli passes on SIGINT and SIGTERM; on
Windows the console sends Ctrl-C and Ctrl-Break to the command itself), and
ssocli waits for it and exits with its exit code. Running ssocli exec inside
another is refused (the inner one would hide the outer one's credentials)
unless --allow-nested is given.

With --ecs-server the command gets no keys: it gets a credential endpoint on
127.0.0.1 (a random port) instead, in AWS_CONTAINER_CREDENTIALS_FULL_URI, and a
random token for it in AWS_CONTAINER_AUTHORIZATION_TOKEN, so that the AWS SDKs
in it fetch fresh credentials whenever theirs expire, for as long as the
command runs (see ssocli credential-server). The configuration files still come
first in the SDKs' chain: a [default] profile with credentials of its own is
used instead of the endpoint.`,
		Args: cobra.ArbitraryArgs, // none is refused in RunE, naming the fix
		RunE: func(cmd *cobra.Command, args []string) error {
			o.deps = a.deps()
			o.Command = args
			if len(o.Command) == 0 {
				return usageError("exec: give the command to run after --, e.g. ssocli exec --profile dev -- aws s3 ls")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runExec(cmd.Context(), o)
		},
	}
	c.Flags().SetInterspersed(false)
	c.Flags().BoolVar(&o.AllowNested, "allow-nested", false, "run even inside another ssocli exec")
	c.Flags().BoolVar(&o.ECSServer, "ecs-server", false, "give the command a local credential endpoint that always serves fresh credentials, instead of fixed keys")
	return c
}

func runExec(ctx context.Context, o *execOptions) error {
	profile, _ := o.profileName()
	if outer := o.Env.getenv(execEnvMarker); outer != "" && !o.AllowNested {
		return usererr.New(usererr.CodeUsage, fmt.Sprintf("ssocli exec is already running here, for profile %s.", outer)).
			WithHint("leave that shell first, or pass --allow-nested to run with this profile's credentials instead")
	}
	c, err := o.credentials(ctx)
	if err != nil {
		return err
	}
	env := execEnviron(o.environ(), c, o.region(), profile, runtime.GOOS == "windows")
	if o.ECSServer {
		vars, stop, err := o.startExecServer(profile)
		if err != nil {
			return err
		}
		defer stop()
		env = ecsEnviron(o.environ(), vars, o.region(), profile)
	}
	path, err := exec.LookPath(o.Command[0])
	if err != nil {
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Cannot run %s: %v", o.Command[0], errors.Unwrap(err)), err)
	}
	cmd := exec.Command(path, o.Command[1:]...)
	cmd.Args[0] = o.Command[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Env.Stdin, o.Env.Stdout, o.Env.Stderr

	// Listen before starting, so that no signal is lost in between.
	sigs := make(chan os.Signal, 4)
	if o.Env.Signals != nil {
		defer o.Env.Signals(sigs)()
	}
	if err := cmd.Start(); err != nil {
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Cannot run %s: %v", o.Command[0], err), err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			// The command decides what a signal means; we keep waiting.
			forwardSignal(cmd.Process, s)
		case err := <-waited:
			return execExit(err)
		}
	}
}

// execExit turns the command's end into ssocli's exit: its code, or 128+N
// when a signal N ended it, as shells report it.
func execExit(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{code: 128 + int(ws.Signal())}
		}
		return &exitError{code: ee.ExitCode()}
	}
	return fmt.Errorf("wait for command: %w", err)
}

// environ is the environment to hand down: Env.Environ, else nothing.
func (d *deps) environ() []string {
	if d.Env.Environ == nil {
		return nil
	}
	return d.Env.Environ()
}

// execEnviron returns base without the variables exec sets or removes,
// followed by the credentials, region and marker. caseless compares names
// as Windows does, where aws_profile is AWS_PROFILE.
func execEnviron(base []string, c *creds.Credentials, region, profile string, caseless bool) []string {
	drop := map[string]bool{
		"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_SECURITY_TOKEN": true,
		"AWS_CREDENTIAL_EXPIRATION": true, "AWS_PROFILE": true, "AWS_DEFAULT_PROFILE": true, execEnvMarker: true,
	}
	if region != "" {
		drop["AWS_REGION"], drop["AWS_DEFAULT_REGION"] = true, true
	}
	out := make([]string, 0, len(base)+8)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if caseless {
			k = strings.ToUpper(k)
		}
		if !drop[k] {
			out = append(out, kv)
		}
	}
	out = append(out, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey)
	if c.SessionToken != "" {
		out = append(out, "AWS_SESSION_TOKEN="+c.SessionToken)
	}
	if !c.Expiration.IsZero() {
		out = append(out, "AWS_CREDENTIAL_EXPIRATION="+c.Expiration.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if region != "" {
		out = append(out, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region)
	}
	return append(out, execEnvMarker+"="+profile)
}
