// Package cli holds ssocli's commands: the root command, the Env every command
// runs in, one file per command, and the single place (errors.go) where errors
// become messages and exit codes.
//
// A command is an options struct that carries everything its run needs (its
// flags and deps: the Env, the global flags, the config and HTTP client
// loaders), a constructor newXCmd(a, runF) that only parses and checks the
// flags, and a runX(ctx, opts) function that does the work from the options
// alone, so each layer can be tested on its own (the gh model). Status lines go to stderr; stdout carries only what was asked for.
// Command names, flags, output and exit codes mirror the AWS CLI v2
// (spec/aws-cli-sso.md).
package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/term"

	"github.com/ssocli/ssocli/internal/awsconfig"
)

// Env is everything a command may take from the outside world. Only main builds
// one from the real OS; tests build their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// StdinTTY, StdoutTTY and StderrTTY say whether the streams are terminals.
	StdinTTY, StdoutTTY, StderrTTY bool
	// NoANSI says that the terminals do not interpret ANSI escape sequences
	// (the old Windows console, TERM=dumb): status lines are then redrawn
	// with a carriage return and spaces, the chooser on one line, and
	// nothing is bold.
	NoANSI bool

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
	// (the MFA code of an assumed role); nil when nobody can be asked. It
	// returns ctx.Err() as soon as ctx ends (Ctrl-C), with the terminal as
	// it was.
	PromptSecret func(ctx context.Context, prompt string) (string, error)
	// Signals, when set, relays the interrupt and terminate signals the
	// process receives to c until the returned stop is called: exec hands
	// them to its command. main sets it; nil means none are relayed.
	Signals func(c chan<- os.Signal) (stop func())
	// Version is what --version prints ("dev" when empty); main sets it
	// from the build.
	Version string
}

// OSEnv builds the Env of the running process.
func OSEnv() *Env {
	exe, _ := os.Executable()
	return &Env{
		Stdin:        os.Stdin,
		Stdout:       os.Stdout,
		Stderr:       os.Stderr,
		StdinTTY:     term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY:    term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY:    term.IsTerminal(int(os.Stderr.Fd())),
		NoANSI:       !consoleANSI(os.Stdout, os.Stderr),
		Getenv:       os.Getenv,
		Environ:      os.Environ,
		Home:         awsconfig.HomeDir(os.Getenv), // USERPROFILE on Windows, HOME elsewhere
		Now:          time.Now,
		OpenBrowser:  openBrowser(os.Getenv),
		BrowserCheck: func() error { return browserCheck(os.Getenv) },
		Executable:   exe,
		PromptSecret: promptSecretOnTTY,
	}
}

func (e *Env) version() string {
	if e.Version == "" {
		return "dev"
	}
	return e.Version
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// cacheDir is ssocli's directory for caches that can always be rebuilt (the
// parse index of a large ~/.aws/config), by os.UserCacheDir's rules read from
// this Env: %LocalAppData% on Windows, ~/Library/Caches on macOS, else
// $XDG_CACHE_HOME (when absolute) or ~/.cache. "" when there is none.
func (e *Env) cacheDir() string {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = e.getenv("LocalAppData")
	case "darwin", "ios":
		if e.Home != "" {
			base = filepath.Join(e.Home, "Library", "Caches")
		}
	default:
		base = e.getenv("XDG_CACHE_HOME")
		if !filepath.IsAbs(base) && e.Home != "" {
			base = filepath.Join(e.Home, ".cache")
		}
	}
	if !filepath.IsAbs(base) {
		return ""
	}
	return filepath.Join(base, "ssocli")
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// debugLogger returns the logger behind --debug: text lines on stderr, or nothing.
func debugLogger(e *Env, on bool) *slog.Logger {
	if !on {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
