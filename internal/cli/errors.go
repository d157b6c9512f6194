package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
// (exit 252). It prints as the AWS CLI 2.36 prints its parser's errors
// (errorhandler.py ParamValidationErrorsHandler): a ParamValidation error
// whose message is msg, then a blank line and the usage lines (argparse's
// error()), or msg alone when bare (the customizations' "Unknown options: x").
type parseError struct {
	msg  string
	bare bool
	// main marks an error of the AWS CLI's main parser (the global options and
	// the command): it fails before the global options exist, so
	// --cli-error-format does not apply to it.
	main bool
	// unknownArg marks a service operation's unknown arguments
	// (UnknownArgumentError): the usage lines, then msg in the legacy form,
	// whatever the error format.
	unknownArg bool
}

func (e *parseError) Error() string { return e.msg }

// message is the ParamValidation message: argparse's "msg\n\nusage".
func (e *parseError) message() string {
	if e.bare {
		return e.msg
	}
	return e.msg + "\n\n" + usageLines
}

// usageLines is the AWS CLI's usage text (argparser.py USAGE), with ssocli's
// name and help flag.
const usageLines = `usage: ssocli [options] <command> <subcommand> [<subcommand> ...] [parameters]
To see help text, you can run:

  ssocli --help
  ssocli <command> --help
  ssocli <command> <subcommand> --help
`

// ssoOperations are ssocli's sso commands that are operations of the SSO
// service in the AWS CLI; login, logout and the rest are customizations.
var ssoOperations = []string{"list-accounts", "list-account-roles", "get-role-credentials"}

// isServiceOperation reports whether c is a service operation in the AWS CLI
// (every sts command, and ssoOperations), whose unknown arguments are an
// UnknownArgumentError rather than a customization's ParamValidationError.
func isServiceOperation(c *cobra.Command) bool {
	if !c.HasParent() {
		return false
	}
	switch c.Parent().Name() {
	case "sts":
		return true
	case "sso":
		return slices.Contains(ssoOperations, c.Name())
	}
	return false
}

// unknownOptions is the error for arguments nobody takes: a service
// operation's UnknownArgumentError ("a, b"), or a customization's
// ParamValidationError ("a,b", as customizations/commands.py joins them).
func unknownOptions(c *cobra.Command, args []string) error {
	if isServiceOperation(c) {
		return &parseError{msg: "Unknown options: " + strings.Join(args, ", "), bare: true, unknownArg: true}
	}
	return &parseError{msg: "Unknown options: " + strings.Join(args, ","), bare: true}
}

// flagError is root's FlagErrorFunc: every flag cobra cannot parse is a
// parseError, worded as the AWS CLI words the common ones. The flag's
// errors are recognised by pflag's error types, not by their text; an error
// of a global option is the main parser's.
func flagError(c *cobra.Command, err error) error {
	var (
		pe       *parseError // a flag value's own refusal (choiceValue)
		ue       *usererr.Error
		unknown  *pflag.NotExistError
		required *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &ue): // a flag value the AWS CLI refuses after parsing (secondsValue)
		return ue
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "":
		return unknownOptions(c, []string{"--" + unknown.GetSpecifiedName()})
	case errors.As(err, &required) && required.GetSpecifiedShortnames() == "":
		name := required.GetSpecifiedName()
		return &parseError{msg: "argument --" + name + ": expected one argument", main: c.Root().PersistentFlags().Lookup(name) != nil}
	}
	return &parseError{msg: err.Error()}
}

// optionAsValue is argparse's rule that pflag lacks: an option that takes a
// value, followed by something that looks like an option ("--region
// --profile p"), is "argument --region: expected one argument" rather than
// a region named "--profile". It looks at the long options of the command
// args run, up to "--".
func optionAsValue(root *cobra.Command, args []string) error {
	suspect := false // an option followed by something like one: the common case has none
	for i := 0; i+1 < len(args) && args[i] != "--"; i++ {
		suspect = suspect || strings.HasPrefix(args[i], "--") && strings.HasPrefix(args[i+1], "-")
	}
	if !suspect {
		return nil
	}
	c, _, err := root.Find(args)
	if err != nil || c == nil {
		return nil
	}
	for i, arg := range args {
		if arg == "--" {
			return nil
		}
		name, ok := strings.CutPrefix(arg, "--")
		if !ok || strings.Contains(name, "=") || i+1 >= len(args) {
			continue
		}
		f := c.Flags().Lookup(name)
		if f == nil {
			f = c.InheritedFlags().Lookup(name)
		}
		next := args[i+1]
		if f == nil || f.NoOptDefVal != "" || !strings.HasPrefix(next, "-") || next == "-" {
			continue
		}
		if _, err := strconv.ParseFloat(next, 64); err == nil {
			continue // a negative number is a value, as in argparse
		}
		return &parseError{msg: "argument --" + name + ": expected one argument", main: root.PersistentFlags().Lookup(name) != nil}
	}
	return nil
}

// noArgs is the Args validator of a command that takes no arguments.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownOptions(c, args)
	}
	return nil
}

// invalidChoice is the AWS CLI's error for a value outside choices
// (CLIArgParser._check_value): since 2.34 it no longer lists the choices,
// only the close matches among them (closeMatches). suggest is ignored: the
// suggestions are the AWS CLI's, whoever calls.
func invalidChoice(arg string, choices []string, typed string, suggest []string) error {
	_ = suggest
	suggest = closeMatches(typed, choices)
	main := arg == "command" || slices.Contains(globalOptions, strings.TrimPrefix(arg, "--"))
	msg := fmt.Sprintf("argument %s: Found invalid choice '%s'\n", arg, typed)
	if len(suggest) > 0 {
		msg += "\nMaybe you meant:\n"
		for _, s := range suggest {
			msg += "\n  * " + s
		}
	}
	return &parseError{msg: msg, main: main}
}

// globalOptions are the AWS CLI's global options (data/cli.json): their
// errors, like those of the command, are the main parser's.
var globalOptions = []string{"ca-bundle", "cli-auto-prompt", "cli-binary-format", "cli-connect-timeout", "cli-error-format", "cli-read-timeout",
	"color", "debug", "endpoint-url", "no-cli-auto-prompt", "no-cli-pager", "no-paginate", "no-sign-request", "no-verify-ssl", "output",
	"profile", "query", "region", "version"}

// usageError marks a bad flag or argument (exit 252).
func usageError(format string, args ...any) error {
	return usererr.New(usererr.CodeUsage, fmt.Sprintf(format, args...))
}

// report prints err in the error form of the AWS CLI 2.36 (errorformat.go)
// with ssocli's hint, and returns the exit code.
func (a *app) report(ctx context.Context, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	w := a.env.Stderr
	var pe *parseError
	if errors.As(err, &pe) {
		if pe.unknownArg {
			fmt.Fprintf(w, "\nusage: %s\n", strings.TrimPrefix(usageLines, "usage: "))
			writeError(w, pe.msg)
			return usererr.CodeUsage
		}
		msg := pe.message()
		writeStructured(w, a.errorOutput(!pe.main), structuredError{
			info:     []usererr.Field{{Key: "Code", Value: usererr.KindParamValidation}, {Key: "Message", Value: msg}},
			enhanced: "An error occurred (" + usererr.KindParamValidation + "): " + msg,
			legacy:   msg,
		}, "")
		return usererr.CodeUsage
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		// InterruptExceptionHandler: the newline goes to stdout.
		fmt.Fprintln(a.env.Stdout)
		return usererr.CodeInterrupted
	}
	err = usererr.FromAPI(err)
	u := usererr.As(err)
	if u == nil {
		writeError(w, err.Error())
		return usererr.CodeOther
	}
	kind := u.Kind
	if kind == "" {
		switch u.Code {
		case usererr.CodeUsage:
			kind = usererr.KindParamValidation
		case usererr.CodeConfig:
			kind = usererr.KindConfiguration
		}
	}
	switch {
	case kind != "":
		writeStructured(w, a.errorOutput(true), structuredError{
			info:     []usererr.Field{{Key: "Code", Value: kind}, {Key: "Message", Value: u.Msg}},
			enhanced: "An error occurred (" + kind + "): " + u.Msg,
			legacy:   u.Msg,
		}, u.Hint)
	case u.Code == usererr.CodeService:
		// Every 254 is the AWS CLI's ClientError: printed in the error
		// format with its error information (Code, Message, ...).
		writeStructured(w, a.errorOutput(true), structuredError{info: serviceInfo(u), enhanced: u.Msg, legacy: u.Msg, service: true}, u.Hint)
	default:
		writeError(w, u.Msg)
		writeHint(w, u.Hint)
	}
	if a.g.Debug && u.Err != nil {
		fmt.Fprintf(w, "debug: %s\n", termtext.Text(u.Err.Error()))
	}
	return u.Code
}

// serviceInfo is the error information of a service error (exit 254): its
// Details, or for one made without them (a service that is not an AWS API,
// such as the console's federation endpoint) the message under the code
// the AWS CLI's handlers fall back to, "Unknown".
func serviceInfo(u *usererr.Error) []usererr.Field {
	if len(u.Details) > 0 {
		return u.Details
	}
	return []usererr.Field{{Key: "Code", Value: "Unknown"}, {Key: "Message", Value: u.Msg}}
}
