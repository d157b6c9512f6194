package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ssocli/ssocli/internal/awsout"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// The error forms of the AWS CLI 2.34+ (awscli/errorhandler.py,
// errorformat.py), chosen by --cli-error-format, AWS_CLI_ERROR_FORMAT or the
// profile's cli_error_format:
//
//	enhanced (default)  \nssocli: [ERROR]: An error occurred (<Code>): <message>\n, and for
//	                    a service error its modelled fields under "Additional error details:"
//	legacy              \nssocli: [ERROR]: <message>\n
//	json, yaml, text,   the error information ({"Code", "Message", ...}) printed by that
//	table               output formatter
//
// Errors without a class (botocore's general exceptions: a missing token, a
// failed connection, ...) are always printed in the legacy form. ssocli names
// itself where the AWS CLI prints "aws: [ERROR]:", as its usage lines do; the
// message words are the AWS CLI's, including their "aws configure" advice.
//
// ssocli adds its hint, the line that names the fix, after the message in the
// enhanced and legacy forms as "ssocli: [HINT]: <hint>", and as a last
// "Hint" key in the json and yaml forms, so that a script reading the
// structured form still parses it (and finds Code and Message where the AWS
// CLI puts them). The text and table forms get no hint: their columns and
// rows stay the AWS CLI's.

// errorFormats are the values of --cli-error-format (VALID_ERROR_FORMATS).
var errorFormats = []string{"legacy", "json", "yaml", "text", "table", "enhanced"}

// errorPrefix is format_error_message's prefix, with ssocli's name.
const errorPrefix = "ssocli: [ERROR]:"

// hintPrefix starts ssocli's hint line in the text forms.
const hintPrefix = "ssocli: [HINT]: "

// errorFormatValue is the --cli-error-format flag: one of errorFormats, else
// the AWS CLI's invalid-choice usage error (a flag error, so the parser
// reports it as it reports any other).
type errorFormatValue struct{ v *string }

func (e errorFormatValue) String() string { return *e.v }
func (e errorFormatValue) Type() string   { return "string" }
func (e errorFormatValue) Set(s string) error {
	if !slices.Contains(errorFormats, s) {
		return invalidChoice("--cli-error-format", errorFormats, s, nil)
	}
	*e.v = s
	return nil
}

// errorFormat resolves the error form as _resolve_error_format does: the flag
// (unless the command line itself could not be parsed: then there are no
// parsed globals), AWS_CLI_ERROR_FORMAT, the selected profile's
// cli_error_format, else enhanced; an unknown value is enhanced. When looking
// in the config fails (the file cannot be parsed, or the profile named by
// --profile or AWS_PROFILE does not exist) botocore's lookup raises and the
// AWS CLI falls back to the legacy form.
func (a *app) errorFormat(useFlag bool) string {
	f := ""
	if useFlag && a.g.ErrorFormat == "" {
		// cobra stops at the first flag it cannot parse; the AWS CLI's main
		// parser has read the global options of the whole line by then.
		for i, arg := range a.args {
			if arg == "--" {
				break // what follows is exec's command
			}
			if v, ok := strings.CutPrefix(arg, "--cli-error-format="); ok {
				f = v
			} else if arg == "--cli-error-format" && i+1 < len(a.args) {
				f = a.args[i+1]
			}
		}
		if !slices.Contains(errorFormats, f) {
			f = ""
		}
	}
	switch {
	case f != "":
	case useFlag && a.g.ErrorFormat != "":
		f = a.g.ErrorFormat
	case a.env.getenv("AWS_CLI_ERROR_FORMAT") != "":
		f = a.env.getenv("AWS_CLI_ERROR_FORMAT")
	default:
		d := a.deps()
		cfg, err := d.Config()
		if err != nil {
			return "legacy"
		}
		name, explicit := d.profileName()
		if s, ok := cfg.Profile(name); ok {
			f = s.Values["cli_error_format"]
		} else if explicit {
			return "legacy"
		}
	}
	f = strings.ToLower(f)
	if !slices.Contains(errorFormats, f) {
		return "enhanced"
	}
	return f
}

// errorOutput is the error form (errorFormat) with the formatter's options
// of _display_structured_error: the table coloured as --color says, where
// auto, and a command line the main parser refused (no parsed globals),
// colour when stdout is a terminal (table.py MultiTable); the width is
// stdout's, as for any table. The stream is the stderr the handler was given
// before colorama wrapped it, so no reset follows each write (unlike a
// table printed straight to stdout, awsout.Options.DirectColor).
func (a *app) errorOutput(useFlag bool) awsout.Options {
	o := awsout.Options{Format: a.errorFormat(useFlag), Width: stdoutWidth(a.env)}
	c := a.g.Color
	if !useFlag {
		c = ""
	}
	switch c {
	case "on":
		o.Color = true
	case "", "auto":
		o.Color = a.env.StdoutTTY
	}
	return o
}

// writeError is errorformat.write_error: the message, stripped, after the
// prefix, between newlines.
func writeError(w io.Writer, msg string) {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		fmt.Fprintf(w, "\n%s\n", errorPrefix)
		return
	}
	fmt.Fprintf(w, "\n%s %s\n", errorPrefix, termtext.Text(msg))
}

// writeHint writes ssocli's hint line of the text forms.
func writeHint(w io.Writer, hint string) {
	if hint != "" {
		fmt.Fprintf(w, "%s%s\n", hintPrefix, termtext.Text(hint))
	}
}

// structuredError is an error of one of the AWS CLI's classes: its error
// information and the message of the enhanced form.
type structuredError struct {
	info     []usererr.Field // Code, Message and, for service errors, the modelled fields
	enhanced string          // the enhanced form's message
	service  bool            // a service error: modelled fields go under "Additional error details:"
	legacy   string          // the legacy form's message
}

// writeStructured prints e in format, with hint. The json, yaml, text and
// table forms are the AWS CLI's --output formatters run on the error
// information as the response of the command "error" (errorhandler.py's
// _display_structured_error), so they are awsout's; the hint is a last
// "Hint" member in json (yaml sorts it among the keys), where a script parses the whole of stderr,
// and left out of text and table, whose columns a script splits.
func writeStructured(w io.Writer, o awsout.Options, e structuredError, hint string) {
	format := o.Format
	switch format {
	case "legacy":
		writeError(w, e.legacy)
		writeHint(w, hint)
	case "json", "yaml", "text", "table":
		info := e.info
		if hint != "" && (format == "json" || format == "yaml") {
			info = append(slices.Clip(info), usererr.Field{Key: "Hint", Value: hint})
		}
		m := make(awsout.Map, len(info))
		for i, f := range info {
			m[i] = awsout.Field{Key: f.Key, Value: f.Value}
		}
		if err := awsout.Write(w, "error", m, o); err != nil {
			writeError(w, e.legacy)
		}
	default:
		writeError(w, e.enhanced)
		if e.service {
			writeDetails(w, e.info)
		}
		writeHint(w, hint)
	}
}

// writeDetails is EnhancedErrorFormatter.format_error for fields that are
// all strings, as service errors' modelled fields here are.
func writeDetails(w io.Writer, info []usererr.Field) {
	var extra []usererr.Field
	for _, f := range info {
		if k := strings.ToLower(f.Key); k != "code" && k != "message" {
			extra = append(extra, f)
		}
	}
	if len(extra) == 0 {
		return
	}
	fmt.Fprint(w, "\nAdditional error details:\n")
	for _, f := range extra {
		fmt.Fprintf(w, "%s: %s\n", f.Key, termtext.Text(f.Value))
	}
}
