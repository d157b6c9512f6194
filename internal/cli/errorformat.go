package cli

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ssocli/ssocli/internal/ssocache"
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

// writeStructured prints e in format, with hint.
func writeStructured(w io.Writer, format string, e structuredError, hint string) {
	switch format {
	case "legacy":
		writeError(w, e.legacy)
		writeHint(w, hint)
	case "json":
		writeJSONError(w, e.info, hint)
	case "yaml":
		writeYAMLError(w, e.info, hint)
	case "text":
		writeTextError(w, e.info)
	case "table":
		// The table formatter's layout in ssocli's one table writer: the AWS
		// CLI scales the columns to its terminal width (table.py), which this
		// does not follow yet; no golden covers it.
		rows := make([][2]string, 0, len(e.info))
		for _, f := range sortedFields(e.info) {
			rows = append(rows, [2]string{f.Key, f.Value})
		}
		printTable(w, "error", rows)
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

// writeJSONError prints the error information as the AWS CLI's JSON
// formatter does (json.dumps(indent=4, ensure_ascii=True)), keys in order.
func writeJSONError(w io.Writer, info []usererr.Field, hint string) {
	if hint != "" {
		info = append(slices.Clip(info), usererr.Field{Key: "Hint", Value: hint})
	}
	var b strings.Builder
	b.WriteString("{\n")
	for i, f := range info {
		fmt.Fprintf(&b, "    %s: %s", pyJSONString(f.Key), pyJSONString(f.Value))
		if i < len(info)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	io.WriteString(w, b.String())
}

// pyJSONString is Python's json.dumps of a str (ensure_ascii), as the AWS
// CLI's JSON formatter writes it.
func pyJSONString(s string) string { return string(ssocache.AppendPyString(nil, s)) }

// sortedFields returns info sorted by key, as the text, yaml and table
// formatters print a mapping.
func sortedFields(info []usererr.Field) []usererr.Field {
	out := slices.Clone(info)
	slices.SortStableFunc(out, func(a, b usererr.Field) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// writeTextError is the text formatter of a flat mapping: the values in key
// order, tab-separated, on one line.
func writeTextError(w io.Writer, info []usererr.Field) {
	vals := make([]string, 0, len(info))
	for _, f := range sortedFields(info) {
		vals = append(vals, termtext.Text(f.Value))
	}
	fmt.Fprintf(w, "%s\n", strings.Join(vals, "\t"))
}

// writeYAMLError is the yaml formatter (ruamel.yaml's safe dump) of a flat
// mapping of strings: keys sorted, then the Hint. Hand-written for its bytes:
// plain scalars folded at 80 columns with a two-space continuation, and
// single quotes for the strings ruamel will not leave plain.
func writeYAMLError(w io.Writer, info []usererr.Field, hint string) {
	fields := sortedFields(info)
	if hint != "" {
		fields = append(fields, usererr.Field{Key: "Hint", Value: hint})
	}
	for _, f := range fields {
		io.WriteString(w, yamlScalarLine(f.Key, termtext.Text(f.Value)))
	}
}

// yamlScalarLine is "key: value\n" with value as the AWS CLI's YAML dumper
// writes it (ruamel.yaml's safe dumper, which emits through libyaml: the
// scalar style choice, then the plain, single- or double-quoted writer;
// best_width 80, continuation lines indented by 2):
// plain where allowed, else single-quoted, else double-quoted; a single
// space where the column has passed 80 becomes a line break, in the
// single-quoted style a line break of the value is an empty line, and the
// double-quoted style escapes and breaks with a backslash.
func yamlScalarLine(key, v string) string {
	var b strings.Builder
	b.WriteString(key + ":")
	col := len(key) + 1
	write := func(s string) { b.WriteString(s); col += utf8.RuneCountInString(s) }
	indent := func() { b.WriteString("\n  "); col = 2 }
	style := yamlStyle(v)
	if style == '"' {
		yamlDoubleQuoted(v, write, indent, &col)
		b.WriteByte('\n')
		return b.String()
	}
	if style == '\'' {
		write(" '")
	} else {
		write(" ")
	}
	r := []rune(v)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(r); end++ {
		var ch rune
		if end < len(r) {
			ch = r[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && col > 80 && start != 0 && end != len(r) {
					indent()
				} else {
					write(string(r[start:end]))
				}
				start = end
			}
		case breaks:
			if ch != '\n' {
				if r[start] == '\n' {
					b.WriteByte('\n')
				}
				for range r[start:end] {
					b.WriteByte('\n')
				}
				b.WriteString("  ")
				col = 2
				start = end
			}
		default:
			if end == len(r) || ch == ' ' || ch == '\n' || ch == '\'' {
				if start < end {
					write(string(r[start:end]))
					start = end
				}
			}
		}
		if style == '\'' && end < len(r) && ch == '\'' {
			write("''")
			start = end + 1
		}
		if end < len(r) {
			spaces, breaks = ch == ' ', ch == '\n'
		}
	}
	if style == '\'' {
		b.WriteByte('\'')
	}
	b.WriteByte('\n')
	return b.String()
}

// yamlEscapes are write_double_quoted's ESCAPE_REPLACEMENTS.
var yamlEscapes = map[rune]string{0: "0", 7: "a", 8: "b", 9: "t", '\n': "n", 0xb: "v", 0xc: "f", '\r': "r", 0x1b: "e",
	'"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P"}

// yamlUnicode reports whether ruamel.yaml (allow_unicode) writes r as it is.
func yamlUnicode(r rune) bool {
	return r >= 0x20 && r <= 0x7e || r >= 0xa0 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff
}

// yamlDoubleQuoted is libyaml's yaml_emitter_write_double_quoted_scalar
// (the awscli's safe dumper emits through libyaml), the value after "key:".
func yamlDoubleQuoted(v string, write func(string), indent func(), col *int) {
	write(" \"")
	r := []rune(v)
	spaces := false
	for i, ch := range r {
		switch {
		case !yamlUnicode(ch) || ch == 0xfeff || ch == '\n' || ch == '\r' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == '"' || ch == '\\':
			e, ok := yamlEscapes[ch]
			switch {
			case ok:
			case ch <= 0xff:
				e = fmt.Sprintf("x%02X", ch)
			case ch <= 0xffff:
				e = fmt.Sprintf("u%04X", ch)
			default:
				e = fmt.Sprintf("U%08X", ch)
			}
			write("\\" + e)
			spaces = false
		case ch == ' ':
			if !spaces && *col > 80 && i != 0 && i != len(r)-1 {
				indent() // the space becomes the line break
				if i+1 < len(r) && r[i+1] == ' ' {
					write("\\")
				}
			} else {
				write(" ")
			}
			spaces = true
		default:
			write(string(ch))
			spaces = false
		}
	}
	write("\"")
}

// yamlStyle is libyaml's yaml_emitter_select_scalar_style for a mapping value: "" (plain), '\” or '"'.
func yamlStyle(v string) rune {
	if v == "" {
		return '\''
	}
	r := []rune(v)
	var breakSpace, spaceBreak, special, lineBreaks bool
	for i, ch := range r {
		if ch == '\n' {
			lineBreaks = true
		} else if !yamlUnicode(ch) || ch == 0xfeff {
			special = true
		}
		if ch == ' ' && i > 0 && r[i-1] == '\n' {
			breakSpace = true
		}
		if ch == '\n' && i > 0 && r[i-1] == ' ' {
			spaceBreak = true
		}
	}
	switch {
	case special || breakSpace || spaceBreak:
		return '"'
	case lineBreaks || !yamlPlainSafe(v):
		return '\''
	}
	return 0
}

// yamlPlainSafe reports whether ruamel.yaml would write s as a plain scalar.
func yamlPlainSafe(s string) bool {
	if strings.ContainsAny(s[:1], "!&*-?,[]{}#|>@`\"'%: ") || strings.HasSuffix(s, " ") || strings.HasSuffix(s, ":") {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") {
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "~":
		return false
	}
	return true
}
