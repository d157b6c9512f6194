//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBrowserGetsWholeURL opens an authorize-like URL (several "&", a "%",
// quotes) through a browser launch and checks that the command received it
// as one argument, unchanged. Windows has no command line to check: it hands
// the URL to ShellExecute as a string (TestSystemBrowser).
func TestBrowserGetsWholeURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" > "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	const url = `https://idc.example/authorize?response_type=code&client_id=a%2Fb&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Foauth%2Fcallback&state="x'y"&scopes=sso:account:access`
	if err := (browserLaunch{Argv: []string{script}, Wait: true}).open(url); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1\n" + url + "\n"; string(got) != want {
		t.Errorf("the browser got %q, want %q", got, want)
	}
}
