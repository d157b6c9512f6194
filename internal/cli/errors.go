package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ssocli/ssocli/internal/usererr"
)

// exitError ends a command with a code and no message (the command has
// already said what there was to say, e.g. sso status).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// usageError marks a bad flag or argument (exit 252).
func usageError(format string, args ...any) error {
	return usererr.New(usererr.CodeUsage, fmt.Sprintf(format, args...))
}

// report prints err the way the AWS CLI 2.9.19 does ("\n<message>\n" on stderr),
// adds the hint line, and returns the exit code.
func (a *app) report(ctx context.Context, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		fmt.Fprintln(a.env.Stderr)
		return usererr.CodeInterrupted
	}
	err = usererr.FromAPI(err)
	if u := usererr.As(err); u != nil {
		fmt.Fprintf(a.env.Stderr, "\n%s\n", u.Msg)
		if u.Hint != "" {
			fmt.Fprintf(a.env.Stderr, "%s\n", u.Hint)
		}
		if a.g.debug && u.Err != nil {
			fmt.Fprintf(a.env.Stderr, "debug: %v\n", u.Err)
		}
		return u.Code
	}
	msg := err.Error()
	if isCobraUsage(msg) {
		fmt.Fprintf(a.env.Stderr, "\nssocli: error: %s\nTo see help text, run: ssocli --help\n", msg)
		return usererr.CodeUsage
	}
	fmt.Fprintf(a.env.Stderr, "\n%s\n", msg)
	return usererr.CodeOther
}

// isCobraUsage recognises cobra's own parse errors.
func isCobraUsage(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
