// Package awsout prints a response the way the AWS CLI v2 prints it for each
// --output format (json, text, table, yaml, yaml-stream, off), after the
// --query JMESPath expression, byte for byte: it ports awscli/formatter.py,
// text.py and table.py of the AWS CLI 2.36.7 (unchanged in what they print
// since 2.9.19), and the goldens under testdata/awscli-2.36.7 are those
// files' own output for the same values (scripts/awsout-goldens.sh).
//
// A value is nil, bool, string, an integer, float64, []any, a Map (an object
// whose keys keep their order, as the AWS CLI keeps the order of a response's
// members) or a map[string]any (keys sorted). JMESPath runs in
// github.com/jmespath-community/go-jmespath and YAML is written by
// go.yaml.in/yaml/v4; JSON, text and tables are written here, since their
// exact bytes (Python's json.dumps with indent=4, str() of each value, the
// table layout) are what scripts depend on.
//
// What is printed is safe for a terminal: JSON escapes what a terminal would
// act on without changing a value (termtext.JSON), and the text, table and
// YAML forms have each control character of a value replaced
// (termtext.Line), as everywhere in ssocli. Nothing here is built before it
// is used: the JMESPath and YAML machinery costs nothing to a command that
// prints neither.
package awsout

import (
	"bytes"
	"fmt"
	"io"
)

// Formats are the values --output takes, in the AWS CLI's order.
var Formats = []string{"json", "text", "table", "yaml", "yaml-stream", "off"}

// Field is one member of a Map.
type Field struct {
	Key   string
	Value any
}

// Map is an object whose keys keep their order, as a parsed AWS response
// keeps its members in the order of the service model.
type Map []Field

// Get returns the value of key.
func (m Map) Get(key string) (any, bool) {
	for _, f := range m {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Options say how Write prints.
type Options struct {
	// Format is one of Formats; "" is json.
	Format string
	// Query, when set, is applied to the value first (--query).
	Query *Query
	// Color colours the table's cells, as --color on does (or auto on a
	// terminal).
	Color bool
	// DirectColor is set when a coloured table goes straight to stdout
	// rather than to a pager: the AWS CLI's colorama then adds a reset
	// after each write (formatter.py writes through a wrapped sys.stdout).
	DirectColor bool
	// Width is the terminal's width for the table (the AWS CLI turns a
	// table wider than that into key/value rows); 0 means 80, its default
	// when stdout is not a terminal.
	Width int
}

// Write prints v, the response of the operation command (e.g.
// "GetCallerIdentity", the table's title), to w as o says. A paginated
// operation's pages are given merged, as botocore's build_full_result merges
// them for json, yaml and table (text and yaml-stream, which the AWS CLI
// prints page by page with the query applied to each, print the same as long
// as there is one page or the query does not pick items by position).
func Write(w io.Writer, command string, v any, o Options) error {
	var buf bytes.Buffer
	var err error
	if o.Format == "off" {
		return nil
	}
	if o.Query != nil {
		if v, err = o.Query.Search(v); err != nil {
			return err
		}
	}
	switch o.Format {
	case "", "json":
		if !isEmptyObject(v) {
			writeJSON(&buf, v)
		}
	case "text":
		writeText(&buf, v)
	case "table":
		err = writeTable(&buf, command, v, o)
	case "yaml":
		if !isEmptyObject(v) {
			err = writeYAML(&buf, v)
		}
	case "yaml-stream":
		// The stream of one response, each response a one-item list; an
		// operation without output prints nothing.
		if !isEmptyObject(v) {
			err = writeYAML(&buf, []any{v})
		}
	default:
		return fmt.Errorf("unknown output type: %s", o.Format)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// isEmptyObject is the AWS CLI's `response == {}`: an operation without
// output prints nothing (an empty list or a null still print).
func isEmptyObject(v any) bool {
	switch m := v.(type) {
	case Map:
		return len(m) == 0
	case map[string]any:
		return len(m) == 0
	}
	return false
}
