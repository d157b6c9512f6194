package ssocache

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// secretFields are struct fields whose values must not appear in test output.
var secretFields = map[string]bool{
	"AccessToken": true, "RefreshToken": true, "ClientSecret": true,
	"SecretAccessKey": true, "SessionToken": true,
}

// cmpOpts compares cache types field by field (unknown keys included) and shows
// secrets in a diff only as a short hash, so a failing test prints no token.
var cmpOpts = cmp.Options{
	cmp.AllowUnexported(Token{}, Registration{}, member{}),
	cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && secretFields[sf.Name()]
	}, cmp.Transformer("redact", redact)),
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(s)))[:19]
}

// diffBytes describes how got differs from want without printing either (cache
// files hold secrets): the first differing offset and the lengths.
func diffBytes(got, want []byte) string {
	if string(got) == string(want) {
		return ""
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("bytes differ from byte %d on (got %d bytes, want %d)", i, len(got), len(want))
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeTemp writes data to a file named name in a new temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
