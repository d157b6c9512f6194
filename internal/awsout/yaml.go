package awsout

import (
	"bytes"
	"math"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/ssocli/ssocli/internal/termtext"
)

// writeYAML writes v as the AWS CLI's YAMLDumper does: ruamel.yaml's safe
// dumper in block style (indent 2, "- " flush with its key, lines folded at
// 80 columns, single quotes where a string needs quoting), except that a
// scalar result is written as JSON, as YAMLDumper does to avoid YAML's
// "..." document end. go.yaml.in/yaml/v4 does the emitting; the node tree
// built here sets what ruamel's representer decides (key order, the tags of
// numbers, booleans and null, the quoting of a string of several lines).
// The output is safe for a terminal as it is: the emitter writes every
// control character of a value as an escape inside double quotes.
func writeYAML(b *bytes.Buffer, v any) error {
	if isScalar(v) {
		var j bytes.Buffer
		encodeJSONCompact(&j, v)
		b.Write(termtext.JSON(j.Bytes()))
		b.WriteByte('\n')
		return nil
	}
	out, err := yaml.Dump(yamlNode(v), yaml.WithV4Defaults(), yaml.WithIndent(2), yaml.WithCompactSeqIndent(true),
		yaml.WithLineWidth(80), yaml.WithQuotePreference(yaml.QuoteSingle))
	if err != nil {
		return err
	}
	out = bytes.ReplaceAll(out, []byte(endMark+"'"), []byte("'"))
	b.Write(bytes.ReplaceAll(out, []byte(endMark+`"`), []byte(`"`)))
	return nil
}

// endMark follows a string's final line break while it is emitted, then is
// removed: ruamel indents the closing quote of a single-quoted string that
// ends in a line break to the string's level, libyaml leaves it at the
// start of the line. It is a private-use character, which the emitter
// writes as it is, last before the closing quote (single, or double when
// the string needs escapes); a string that holds one already goes without,
// and its closing quote stays at the start of the line.
const endMark = "\ue000"

// encodeJSONCompact is json.dump(v) without indent, for a scalar.
func encodeJSONCompact(b *bytes.Buffer, v any) { encodeJSON(b, v, 0) }

func yamlNode(v any) *yaml.Node {
	scalar := func(tag, value string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
	}
	switch x := v.(type) {
	case nil:
		return scalar("!!null", "null")
	case bool:
		if x {
			return scalar("!!bool", "true")
		}
		return scalar("!!bool", "false")
	case string:
		n := scalar("!!str", x)
		switch {
		case strings.ContainsAny(x, "\n\u0085\u2028\u2029"):
			// ruamel writes a string of several lines single-quoted (its
			// line breaks folded), where the emitter would choose a block
			// literal; the emitter turns to double quotes, which escape
			// every control character, where single quotes cannot hold it.
			n.Style = yaml.SingleQuotedStyle
			if strings.HasSuffix(x, "\n") && !strings.Contains(x, endMark) {
				n.Value += endMark
			}
		case x == "=":
			// The YAML 1.1 value key, which ruamel's resolver knows.
			n.Style = yaml.SingleQuotedStyle
		}
		return n
	case int, int32, int64:
		return scalar("!!int", pyStr(x))
	case float64:
		switch {
		case math.IsNaN(x):
			return scalar("!!float", ".nan")
		case math.IsInf(x, 1):
			return scalar("!!float", ".inf")
		case math.IsInf(x, -1):
			return scalar("!!float", "-.inf")
		}
		return scalar("!!float", pyFloat(x, false))
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range x {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	}
	m, _ := fields(v)
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if len(m) == 0 {
		n.Style = yaml.FlowStyle
	}
	for _, f := range sortedFields(m) {
		n.Content = append(n.Content, yamlNode(f.Key), yamlNode(f.Value))
	}
	return n
}
