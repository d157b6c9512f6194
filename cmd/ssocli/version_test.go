package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	t.Parallel()
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/ssocli/ssocli", Version: v}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, tc := range []struct {
		name, stamped string
		read          func() (*debug.BuildInfo, bool)
		want          string
	}{
		{"release build", "v1.2.3", info("(devel)"), "v1.2.3"},
		{"stamped wins over the module version", "v1.2.3", info("v1.2.2"), "v1.2.3"},
		{"go install @v1.4.0", "", info("v1.4.0"), "v1.4.0"},
		{"build in a git checkout", "", info("v0.0.0-20261201093000-16888d2abcde+dirty"), "v0.0.0-20261201093000-16888d2abcde+dirty"},
		{"plain build", "", info("(devel)"), "dev"},
		{"no version recorded", "", info(""), "dev"},
		{"no build info", "", none, "dev"},
	} {
		if got := buildVersion(tc.stamped, tc.read); got != tc.want {
			t.Errorf("%s: buildVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionFlag builds ssocli as the release does, with a version stamped
// in, and checks what --version prints.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "ssocli")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(goTool, "build", "-trimpath", "-ldflags", "-X main.version=v9.8.7", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("ssocli --version: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), "ssocli version v9.8.7"; got != want {
		t.Errorf("ssocli --version printed %q, want %q", got, want)
	}
}
