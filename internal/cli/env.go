// Package cli holds ssocli's commands: the root command, the Env every command
// runs in, one file per command, and the single place (errors.go) where errors
// become messages and exit codes.
//
// A command is an options struct, a constructor that only parses flags into it,
// and a runX(ctx, opts) function that does the work, so each layer can be tested
// on its own. Status lines go to stderr; stdout carries only what was asked for.
// Command names, flags, output and exit codes mirror the AWS CLI v2
// (spec/aws-cli-sso.md).
package cli

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"time"

	"golang.org/x/term"
)

// Env is everything a command may take from the outside world. Only main builds
// one from the real OS; tests build their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// StdinTTY, StdoutTTY and StderrTTY say whether the streams are terminals.
	StdinTTY, StdoutTTY, StderrTTY bool

	Getenv  func(string) string
	Environ func() []string
	Home    string
	Now     func() time.Time

	// OpenBrowser opens a URL in the user's browser; nil means none can be opened.
	OpenBrowser func(url string) error
	// BrowserCheck, if set, says why no browser can be opened (nil: one can).
	BrowserCheck func() error
	// HTTPClient, when set, replaces the client built from the environment
	// (proxies, CA bundle) for every AWS call.
	HTTPClient *http.Client
	// Executable is the path of the running ssocli binary (for exec, completion hints).
	Executable string
	// PromptSecret asks the person at the terminal for a secret without echo
	// (the MFA code of an assumed role); nil when nobody can be asked.
	PromptSecret func(prompt string) (string, error)
}

// OSEnv builds the Env of the running process.
func OSEnv() *Env {
	home, _ := os.UserHomeDir()
	if h := os.Getenv("HOME"); h != "" {
		home = h
	}
	exe, _ := os.Executable()
	return &Env{
		Stdin:        os.Stdin,
		Stdout:       os.Stdout,
		Stderr:       os.Stderr,
		StdinTTY:     term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY:    term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY:    term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:       os.Getenv,
		Environ:      os.Environ,
		Home:         home,
		Now:          time.Now,
		OpenBrowser:  openBrowser(os.Getenv),
		BrowserCheck: func() error { return browserCheck(os.Getenv) },
		Executable:   exe,
		PromptSecret: promptSecretOnTTY,
	}
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// errNoBrowser says why no browser can be opened.
type errNoBrowser struct{ reason string }

func (e *errNoBrowser) Error() string { return e.reason }

// openBrowser returns the function that opens a URL: $BROWSER when set (as
// Python's webbrowser module reads it: a colon-separated list of commands, %s
// standing for the URL), else xdg-open (Linux, with a display), open (macOS) or
// rundll32 (Windows).
func openBrowser(getenv func(string) string) func(string) error {
	return func(url string) error {
		if b := getenv("BROWSER"); b != "" {
			var last error
			for _, cmd := range splitList(b) {
				if err := runBrowser(cmd, url); err != nil {
					last = err
					continue
				}
				return nil
			}
			return &errNoBrowser{reason: "the BROWSER command failed: " + last.Error()}
		}
		if err := browserCheck(getenv); err != nil {
			return err
		}
		switch runtime.GOOS {
		case "darwin":
			return exec.Command("open", url).Run()
		case "windows":
			return exec.Command("rundll32", "url.dll,FileProtocolHandler", url).Start()
		}
		return exec.Command("xdg-open", url).Start()
	}
}

// browserCheck tells whether a browser can be opened: BROWSER names one, or
// the desktop has a display (Linux needs DISPLAY or WAYLAND_DISPLAY and xdg-open).
func browserCheck(getenv func(string) string) error {
	if getenv("BROWSER") != "" || runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		switch {
		case getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "":
			return &errNoBrowser{reason: "an SSH session without a display"}
		case getenv("CI") != "":
			return &errNoBrowser{reason: "running in CI with no display"}
		}
		return &errNoBrowser{reason: "no display and no BROWSER"}
	}
	if _, err := exec.LookPath("xdg-open"); err != nil {
		return &errNoBrowser{reason: "xdg-open is not installed and BROWSER is not set"}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == os.PathListSeparator {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func runBrowser(cmdline, url string) error {
	args := fields(cmdline)
	if len(args) == 0 {
		return &errNoBrowser{reason: "BROWSER is empty"}
	}
	subst := false
	for i, a := range args {
		if a == "%s" {
			args[i] = url
			subst = true
		}
	}
	if !subst {
		args = append(args, url)
	}
	cmd := exec.Command(args[0], args[1:]...)
	return cmd.Run()
}

func fields(s string) []string {
	var out []string
	cur := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			if len(cur) > 0 {
				out = append(out, string(cur))
				cur = cur[:0]
			}
			continue
		}
		cur = append(cur, s[i])
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// debugLogger returns the logger behind --debug: text lines on stderr, or nothing.
func debugLogger(e *Env, on bool) *slog.Logger {
	if !on {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
