package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// exitError ends a command with a code and no message (the command has
// already said what there was to say, e.g. sso status).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// parseError is a command line that the parser refused: a flag cobra could
// not parse (root.SetFlagErrorFunc) or arguments an Args validator refused
// (exit 252). It prints as the AWS CLI prints its parser's errors: the usage
// lines, then "ssocli: error: msg" (or msg alone, as "Unknown options: x").
type parseError struct {
	msg  string
	bare bool
}

func (e *parseError) Error() string { return e.msg }

// usageLines is the AWS CLI's USAGE text, with ssocli's help flag.
const usageLines = `usage: ssocli [options] <command> <subcommand> [<subcommand> ...] [parameters]
To see help text, you can run:

  ssocli --help
  ssocli <command> --help
  ssocli <command> <subcommand> --help
`

// flagError is root's FlagErrorFunc: every flag cobra cannot parse is a
// parseError, worded as the AWS CLI words the two common ones.
func flagError(_ *cobra.Command, err error) error {
	var (
		unknown  *pflag.NotExistError
		required *pflag.ValueRequiredError
		refused  *parseError // a flag value's own refusal (choiceValue)
	)
	switch {
	case errors.As(err, &refused):
		return refused
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "":
		return &parseError{msg: "Unknown options: --" + unknown.GetSpecifiedName(), bare: true}
	case errors.As(err, &required) && required.GetSpecifiedShortnames() == "":
		return &parseError{msg: "argument --" + required.GetSpecifiedName() + ": expected one argument"}
	}
	return &parseError{msg: err.Error()}
}

// noArgs is the Args validator of a command that takes no arguments.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &parseError{msg: "Unknown options: " + strings.Join(args, ", "), bare: true}
	}
	return nil
}

// invalidChoice is the AWS CLI's error for a value outside choices, with
// cobra's suggestions for a mistyped subcommand of c.
func invalidChoice(arg string, choices []string, typed string, suggest []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "argument %s: Invalid choice, valid choices are:\n\n", arg)
	for i := 0; i < len(choices); i += 2 {
		if i+1 < len(choices) {
			fmt.Fprintf(&b, "%-40s | %-40s\n", choices[i], choices[i+1])
		} else {
			fmt.Fprintf(&b, "%-40s\n", choices[i])
		}
	}
	if len(suggest) > 0 {
		fmt.Fprintf(&b, "\n\nInvalid choice: '%s', maybe you meant:\n\n", typed)
		for _, s := range suggest {
			fmt.Fprintf(&b, "  * %s\n", s)
		}
	}
	return &parseError{msg: strings.TrimSuffix(b.String(), "\n")}
}

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
	var pe *parseError
	if errors.As(err, &pe) {
		line := pe.msg
		if !pe.bare {
			line = "ssocli: error: " + line
		}
		fmt.Fprintf(a.env.Stderr, "\n%s\n%s\n\n", usageLines, termtext.Text(line))
		return usererr.CodeUsage
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		fmt.Fprintln(a.env.Stderr)
		return usererr.CodeInterrupted
	}
	err = usererr.FromAPI(err)
	if u := usererr.As(err); u != nil {
		fmt.Fprintf(a.env.Stderr, "\n%s\n", termtext.Text(u.Msg))
		if u.Hint != "" {
			fmt.Fprintf(a.env.Stderr, "%s\n", termtext.Text(u.Hint))
		}
		if a.g.Debug && u.Err != nil {
			fmt.Fprintf(a.env.Stderr, "debug: %s\n", termtext.Text(u.Err.Error()))
		}
		return u.Code
	}
	fmt.Fprintf(a.env.Stderr, "\n%s\n", termtext.Text(err.Error()))
	return usererr.CodeOther
}
