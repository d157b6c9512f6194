package awsout

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/termtext"
)

// goldenDir holds what the AWS CLI 2.36.7's own formatters print for each
// case of testdata/cases.json (scripts/awsout-goldens.sh).
const goldenDir = "testdata/awscli-2.36.7"

type goldenCase struct {
	Name    string `json:"name"`
	Input   string `json:"input"`
	Command string `json:"command"`
	Query   string `json:"query"`
	Width   int    `json:"width"`
}

func decodeOrdered(t *testing.T, data []byte) any {
	t.Helper()
	v, err := FromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGoldens compares Write with the AWS CLI's own formatters for every
// case and format.
func TestGoldens(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	formats := []struct {
		suffix string
		opts   Options
	}{
		{"json", Options{Format: "json"}},
		{"text", Options{Format: "text"}},
		{"table", Options{Format: "table"}},
		{"table-color", Options{Format: "table", Color: true, DirectColor: true}},
		{"table-color-pager", Options{Format: "table", Color: true}},
		{"yaml", Options{Format: "yaml"}},
		{"yaml-stream", Options{Format: "yaml-stream"}},
		{"off", Options{Format: "off"}},
	}
	for _, c := range cases {
		in, err := os.ReadFile(filepath.Join("testdata/inputs", c.Input+".json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range formats {
			t.Run(c.Name+"."+f.suffix, func(t *testing.T) {
				o := f.opts
				o.Width = c.Width
				if c.Query != "" {
					if o.Query, err = CompileQuery(c.Query); err != nil {
						t.Fatal(err)
					}
				}
				var got bytes.Buffer
				werr := Write(&got, c.Command, decodeOrdered(t, in), o)
				path := filepath.Join(goldenDir, c.Name+"."+f.suffix)
				if want, err := os.ReadFile(path + ".error"); err == nil {
					if werr == nil || !strings.Contains(string(want), werr.Error()) {
						t.Errorf("Write = %v with output\n%s\nwant the AWS CLI's error %s", werr, got.String(), want)
					}
					return
				}
				if werr != nil {
					t.Fatalf("Write: %v", werr)
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if c.Input == "controls" {
					if strings.HasPrefix(f.suffix, "yaml") || f.suffix == "json" {
						if bad := unsafeRunes(got.String()); bad != "" {
							t.Errorf("output holds %q:\n%s", bad, got.String())
						}
					}
					want = sanitizedGolden(t, want, f.suffix, decodeOrdered(t, in))
					if want == nil {
						if bad := unsafeRunes(got.String()); bad != "" {
							t.Errorf("output holds %q:\n%s", bad, got.String())
						}
						return
					}
				}
				if diff := cmp.Diff(string(want), got.String()); diff != "" {
					t.Errorf("%s (-aws +awsout):\n%s", path, diff)
				}
			})
		}
	}
}

// sanitizedGolden is the AWS CLI's output want made safe for a terminal as
// awsout makes it: JSON escapes DEL and the C1 controls; text has each
// value's control characters replaced (termtext.Line); YAML escapes them
// already. A table's widths count a replaced character twice (U+FFFD is
// East Asian ambiguous), so for it nil: the caller checks that nothing
// unsafe is left instead.
func sanitizedGolden(t *testing.T, want []byte, format string, in any) []byte {
	t.Helper()
	switch format {
	case "json":
		return termtext.JSON(want)
	case "text":
		s := string(want)
		m := in.(Map)
		ctl, _ := m.Get("Controls")
		for _, v := range ctl.([]any) {
			s = strings.ReplaceAll(s, v.(string), termtext.Line(v.(string)))
		}
		name, _ := m.Get("Name")
		s = strings.ReplaceAll(s, name.(string), termtext.Line(name.(string)))
		return []byte(s)
	case "table", "table-color", "table-color-pager":
		return nil
	}
	return want
}

// unsafeRunes returns the control characters of s other than newline and
// the colour sequences' ESC (which awsout writes itself).
func unsafeRunes(s string) string {
	for _, seq := range []string{colorRow, colorIndent, colorReset} {
		s = strings.ReplaceAll(s, seq, "")
	}
	var bad []rune
	for _, r := range s {
		if r != '\n' && (r < 0x20 || r >= 0x7f && r <= 0x9f) {
			bad = append(bad, r)
		}
	}
	return string(bad)
}
