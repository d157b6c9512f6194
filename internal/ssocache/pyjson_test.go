package ssocache

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppendPyString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain /path?a=1", `"plain /path?a=1"`},
		{`<>&`, `"<>&"`}, // not \u003c as encoding/json writes
		{"\"\\", `"\"\\"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f\u007f"`},
		{"é€", `"\u00e9\u20ac"`},
		{"\U0001F600", `"\ud83d\ude00"`},
		{"a\xffb", `"a\ufffdb"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := string(AppendPyString(nil, tt.in)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestScannerStrings(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"abc"`, "abc"},
		{`"\u00e9\u00E9"`, "éé"},
		{`"\ud83d\ude00"`, "\U0001F600"},
		{`"\ud83d"`, "\ufffd"},
		{`"\ude00\ud83d x"`, "\ufffd\ufffd x"},
		{`"\ud83d\u0041"`, "\ufffdA"},
		{`"\/\b\f\n\r\t\"\\"`, "/\b\f\n\r\t\"\\"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			sc := scanner{s: tt.in}
			got, err := sc.str()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			var std string // encoding/json agrees
			if err := json.Unmarshal([]byte(tt.in), &std); err != nil || std != got {
				t.Errorf("encoding/json read %q (%v)", std, err)
			}
		})
	}
}

// FuzzScanner checks the scanner against encoding/json: it accepts exactly the
// documents json.Valid accepts, and what it writes back in Python form means the
// same as the input.
// decodeNumbers decodes one JSON value keeping numbers as json.Number.
func decodeNumbers(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func FuzzScanner(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		``, ` `, `{`, `}`, `{}`, `[]`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `"\ud800"`, `"\ud800\udc00"`, `"\u12"`,
		`-`, `-0`, `01`, `1.`, `1.5e`, `1e+5`, `1E1000`, `-1e999`, `-0.0E-0`, `tru`, `nulll`, `{"a":{"b":[{}]}}`, "\"\xff\"", `NaN`,
		`{"k":1,"k":2}`, " \t\r\n{} \n", `"a\u0000b"`, `[1 2]`, `{"a":[1,{"b":null}],"c":true}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := scanner{s: s}
		out, err := sc.value(nil, true, 0)
		if err == nil {
			err = sc.end()
		}
		if valid := json.Valid([]byte(s)); valid != (err == nil) {
			t.Fatalf("scanner error %v, json.Valid %v", err, valid)
		}
		if err != nil {
			return
		}
		// Numbers are compared as the text written (json.Number): the scanner
		// keeps them as written, and a float64 oracle overflows on 1E1000.
		in, err := decodeNumbers([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeNumbers(out)
		if err != nil {
			t.Fatalf("Python form is not JSON: %v", err)
		}
		if d := cmp.Diff(in, back); d != "" {
			t.Errorf("Python form means something else (-in +out):\n%s", d)
		}
		if strings.ContainsFunc(string(out), func(r rune) bool { return r >= 0x7f }) {
			t.Error("Python form is not ASCII")
		}
	})
}
