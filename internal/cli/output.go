package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/ssocli/ssocli/internal/awsout"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// OutputGlobals are the AWS CLI's global options for what a command prints
// and how it talks HTTP (awscli/data/cli.json), held in globals.
type OutputGlobals struct {
	Query       string
	NoCLIPager  bool
	NoVerifySSL bool
	// ConnectTimeout and ReadTimeout are --cli-connect-timeout and
	// --cli-read-timeout in seconds when given; 0 means no timeout.
	ConnectTimeout, ReadTimeout optSeconds
	// Color is on, off or auto ("" is auto).
	Color       string
	EndpointURL string
	// NoPaginate is accepted, as the AWS CLI's; the list commands fetch
	// every page all the same, since ssocli prints no NextToken to go on.
	NoPaginate bool
}

// optSeconds is an integer option that may be absent.
type optSeconds struct {
	Seconds int
	Set     bool
}

// addOutputFlags adds the global options of OutputGlobals and --output to
// the root's persistent flags.
func (a *app) addOutputFlags(pf *pflag.FlagSet) {
	pf.Var(&choiceValue{p: &a.g.Output, arg: "--output", choices: awsout.Formats}, "output",
		"output format: json, text, table, yaml, yaml-stream or off (else AWS_DEFAULT_OUTPUT, the profile's output, json)")
	pf.StringVar(&a.g.Query, "query", "", "a JMESPath query applied to the response before it is printed")
	pf.Var(&choiceValue{p: &a.g.Color, arg: "--color", choices: []string{"on", "off", "auto"}}, "color",
		"colour the table format: on, off or auto (on a terminal; the default)")
	pf.BoolVar(&a.g.NoCLIPager, "no-cli-pager", false, "never send the output to a pager (else AWS_PAGER, cli_pager, PAGER or less on a terminal)")
	pf.StringVar(&a.g.EndpointURL, "endpoint-url", "", "send the command's AWS call to this URL instead of the service's endpoint")
	pf.BoolVar(&a.g.NoVerifySSL, "no-verify-ssl", false, "do not verify the TLS certificates of AWS endpoints (a warning says so for each host)")
	pf.Var(&secondsValue{p: &a.g.ConnectTimeout, arg: "--cli-connect-timeout"}, "cli-connect-timeout",
		"most seconds to connect to an endpoint; 0 waits for ever (default 60)")
	pf.Var(&secondsValue{p: &a.g.ReadTimeout, arg: "--cli-read-timeout"}, "cli-read-timeout",
		"most seconds to wait for an answer; 0 waits for ever (default 60)")
	pf.BoolVar(&a.g.NoPaginate, "no-paginate", false, "accepted for the AWS CLI's scripts; ssocli's lists always hold every page")
}

// choiceValue is a string flag that takes one of choices, refused as the
// AWS CLI's argparse refuses it (usage, exit 252).
type choiceValue struct {
	p       *string
	arg     string
	choices []string
}

func (v *choiceValue) String() string { return *v.p }
func (v *choiceValue) Type() string   { return "string" }
func (v *choiceValue) Set(s string) error {
	for _, c := range v.choices {
		if s == c {
			*v.p = s
			return nil
		}
	}
	return invalidChoice(v.arg, v.choices, s, nil)
}

// secondsValue is an integer flag. The AWS CLI's parser keeps the value as
// a string; its handler of the parsed global options (globalargs.py
// _resolve_timeout) runs int() on it, whose ValueError is a general error
// (255).
type secondsValue struct {
	p   *optSeconds
	arg string
}

func (v *secondsValue) String() string {
	if !v.p.Set {
		return ""
	}
	return strconv.Itoa(v.p.Seconds)
}
func (v *secondsValue) Type() string { return "int" }
func (v *secondsValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return usererr.New(usererr.CodeOther, fmt.Sprintf("invalid literal for int() with base 10: '%s'", s))
	}
	*v.p = optSeconds{Seconds: n, Set: true}
	return nil
}

// checkPrintFlags checks the global options of a command that prints an
// AWS response, as the AWS CLI checks them once parsed
// (customizations/globalargs.py): --query compiles, --endpoint-url has a
// scheme.
func checkPrintFlags(g globals) error {
	if g.Query != "" {
		if _, err := awsout.CompileQuery(g.Query); err != nil {
			return usageError("Bad value for --query %s: %v", g.Query, err)
		}
	}
	return checkEndpointURL(g.EndpointURL)
}

func checkEndpointURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return usageError(`Bad value for --endpoint-url "%s": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/`, s)
	}
	if !validEndpointHost(s, u) {
		// botocore/endpoint.py EndpointCreator.create_endpoint: a ValueError (255).
		return usererr.New(usererr.CodeOther, "Invalid endpoint: "+s)
	}
	return nil
}

// validEndpointHost is botocore's is_valid_endpoint_url or
// is_valid_ipv6_endpoint_url (botocore/utils.py): no tab or line break, and
// a host name of labels of letters, digits and inner hyphens (at most 63
// each, 255 in all, a final dot allowed), or an IPv6 address in brackets.
func validEndpointHost(s string, u *url.URL) bool {
	if strings.ContainsAny(s, "\t\r\n") {
		return false
	}
	host := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		ip := net.ParseIP(strings.SplitN(host, "%", 2)[0])
		return ip != nil && ip.To4() == nil
	}
	if host == "" || len(host) > 255 {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.IndexFunc(l, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
		}) >= 0 {
			return false
		}
	}
	return true
}

// timeouts are the HTTP client's connect and read timeouts of the options:
// the AWS CLI's 60 s unless given, and none for 0.
func (g OutputGlobals) timeouts() (connect, read time.Duration) {
	conv := func(o optSeconds) time.Duration {
		switch {
		case !o.Set:
			return 0
		case o.Seconds <= 0:
			return creds.NoTimeout
		}
		return time.Duration(o.Seconds) * time.Second
	}
	return conv(g.ConnectTimeout), conv(g.ReadTimeout)
}

// commandManager is the creds.Manager for the command's own AWS call (STS
// GetCallerIdentity, the portal's lists), which --no-verify-ssl makes
// without checking certificates, as the AWS CLI's command client; the
// calls that get credentials keep checking them, as botocore's credential
// providers, which create their own clients, do.
func (d *deps) commandManager() *creds.Manager {
	m := d.manager()
	if d.Globals.NoVerifySSL && d.Env.HTTPClient == nil {
		m.HTTPClient = func() (*http.Client, error) {
			o := creds.HTTPOptions{Getenv: d.Env.Getenv, InsecureSkipVerify: true, WarnInsecure: insecureWarning(d.Env.Stderr)}
			o.ConnectTimeout, o.ReadTimeout = d.Globals.timeouts()
			return creds.NewHTTPClient(o)
		}
	}
	return m
}

// insecureWarning is what urllib3 warns, through Python's warnings, once
// for each host the AWS CLI calls with --no-verify-ssl.
func insecureWarning(w io.Writer) func(host string) {
	return func(host string) {
		fmt.Fprintf(w, "InsecureRequestWarning: Unverified HTTPS request is being made to host '%s'. "+
			"Adding certificate verification is strongly advised. See: https://urllib3.readthedocs.io/en/1.26.x/advanced-usage.html#ssl-warnings\n",
			termtext.Line(host))
	}
}

// printResponse prints v, the response of the AWS operation op (the table's
// title), as the AWS CLI does: --query, then --output's format, through the
// pager when stdout is a terminal.
func (d *deps) printResponse(op string, v any) error {
	format, err := d.outputFormat()
	if err != nil {
		return err
	}
	return d.printAs(format, op, v)
}

// printAs is printResponse in the given format.
func (d *deps) printAs(format, op string, v any) error {
	var err error
	o := awsout.Options{Format: format, Width: stdoutWidth(d.Env)}
	if d.Globals.Query != "" {
		if o.Query, err = awsout.CompileQuery(d.Globals.Query); err != nil {
			return usageError("Bad value for --query %s: %v", d.Globals.Query, err)
		}
	}
	switch d.Globals.Color {
	case "on":
		o.Color = true
	case "", "auto":
		o.Color = d.Env.StdoutTTY
	}
	var w io.Writer = d.Env.Stdout
	p := d.pager()
	if p != nil {
		w = p
	} else {
		// Without a pager the AWS CLI writes to sys.stdout, which colorama
		// wraps once the table's colours are set up.
		o.DirectColor = true
	}
	err = awsout.Write(w, op, v, o)
	if p != nil {
		if perr := p.wait(); err == nil {
			err = perr
		}
	}
	var pe *pagerError
	if errors.As(err, &pe) {
		return usererr.Wrap(usererr.CodeConfig, "Unable to redirect output to pager. Received the following error when opening pager:\n"+
			pe.msg+"\n\nLearn more about configuring the output pager by running \"aws help config-vars\".", err).WithKind(usererr.KindPager)
	}
	return err
}

// stdoutWidth is the terminal's width for the table format, as the AWS
// CLI's determine_terminal_width finds it: that of stdout when it is a
// terminal, else 80 (always 80 on Windows, where it has no fcntl).
func stdoutWidth(e *Env) int {
	if f, ok := e.Stdout.(*os.File); ok && e.StdoutTTY && runtime.GOOS != "windows" {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// lookupEnv is os.LookupEnv on the Env: AWS_PAGER="" turns the pager off,
// where an unset one does not.
func (d *deps) lookupEnv(k string) (string, bool) {
	if d.Env.Environ == nil {
		v := d.Env.getenv(k)
		return v, v != ""
	}
	for _, kv := range d.Env.Environ() {
		name, v, _ := strings.Cut(kv, "=")
		if name == k || runtime.GOOS == "windows" && strings.EqualFold(name, k) {
			return v, true
		}
	}
	return "", false
}

// pagerCommand is the AWS CLI's pager: none with --no-cli-pager or when
// stdout is not a terminal, else AWS_PAGER, the profile's cli_pager, PAGER
// (each even when empty, which means none), else less (more on Windows)
// (clidriver.py _construct_cli_pager_chain, compat.py default_pager).
func (d *deps) pagerCommand() string {
	if d.Globals.NoCLIPager || !d.Env.StdoutTTY {
		return ""
	}
	if v, ok := d.lookupEnv("AWS_PAGER"); ok {
		return v
	}
	if p, ok := d.profileSection(); ok {
		if v, ok := p["cli_pager"]; ok {
			return v
		}
	}
	if v, ok := d.lookupEnv("PAGER"); ok {
		return v
	}
	if runtime.GOOS == "windows" {
		return "more"
	}
	return "less"
}

// pager returns the pager the output goes through, or nil; it starts on
// the first write (the AWS CLI's LazyPager), so nothing to print runs none.
func (d *deps) pager() *lazyPager {
	cmd := d.pagerCommand()
	if strings.TrimSpace(cmd) == "" {
		return nil
	}
	var args []string
	if runtime.GOOS == "windows" {
		// Popen(shell=True), as the AWS CLI runs it there.
		comspec := d.Env.getenv("COMSPEC")
		if comspec == "" {
			comspec = "cmd.exe"
		}
		args = []string{comspec, "/c", cmd}
	} else {
		var err error
		if args, err = shlex.Split(cmd); err != nil || len(args) == 0 {
			return &lazyPager{err: &pagerError{msg: fmt.Sprintf("cannot split the pager command %q: %v", cmd, err)}}
		}
	}
	env := d.environ()
	if _, ok := d.lookupEnv("LESS"); !ok {
		env = append(env, "LESS=FRX")
	}
	return &lazyPager{args: args, env: env, stdout: d.Env.Stdout, stderr: d.Env.Stderr}
}

// pagerError is a pager that could not be started.
type pagerError struct{ msg string }

func (e *pagerError) Error() string { return "start the pager: " + e.msg }

// lazyPager is the pager's stdin, started on the first write.
type lazyPager struct {
	args           []string
	env            []string
	stdout, stderr io.Writer
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	err            error
}

func (p *lazyPager) Write(b []byte) (int, error) {
	if p.cmd == nil && p.err == nil {
		p.start()
	}
	if p.err != nil {
		return 0, p.err
	}
	if _, err := p.stdin.Write(b); err != nil {
		// The pager quit before reading everything (q in less): the AWS
		// CLI ignores the broken pipe.
		return len(b), nil
	}
	return len(b), nil
}

func (p *lazyPager) start() {
	c := exec.Command(p.args[0], p.args[1:]...)
	c.Env = p.env
	c.Stdout, c.Stderr = p.stdout, p.stderr
	stdin, err := c.StdinPipe()
	if err == nil {
		err = c.Start()
	}
	if err != nil {
		msg := err.Error()
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			// Python's FileNotFoundError, which the AWS CLI prints.
			msg = fmt.Sprintf("[Errno 2] No such file or directory: '%s'", p.args[0])
		}
		p.err = &pagerError{msg: termtext.Line(msg)}
		return
	}
	p.cmd, p.stdin = c, stdin
}

// wait closes the pager's stdin and waits for it to end (whatever its exit
// status, as the AWS CLI's communicate()).
func (p *lazyPager) wait() error {
	if p.cmd == nil {
		return p.err
	}
	p.stdin.Close()
	_ = p.cmd.Wait()
	return nil
}
