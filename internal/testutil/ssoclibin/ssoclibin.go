// Package ssoclibin builds the ssocli binary once for tests that run it as a
// separate process (storms, crashes, other users, namespaces).
package ssoclibin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvBinary names a ready ssocli binary that Build returns instead of
// building one. Where the test binary cannot run the go command (a Windows
// test binary under Wine cannot run Linux's go), the harness builds ssocli
// from the same tree first and sets it (scripts/test.sh does).
const EnvBinary = "SSOCLI_TEST_BINARY"

// Build compiles ./cmd/ssocli into a new temporary directory that every user
// may read and enter (some tests run the binary as another user), and returns
// the binary's path and a function that removes the directory. With
// SSOCLI_TEST_BINARY set it returns that binary and a no-op cleanup.
func Build() (path string, cleanup func(), err error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", nil, fmt.Errorf("%s: %w (build it with go build -o %s ./cmd/ssocli, or unset %s)", EnvBinary, err, p, EnvBinary)
		}
		// Absolute in the system's own form: under Wine a Linux path such as
		// /host/tmp/ssocli.exe becomes Z:\host\tmp\ssocli.exe, which exec's
		// PATH search accepts (it refuses directories without a drive).
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", EnvBinary, err)
		}
		return abs, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "ssocli-bin-")
	if err != nil {
		return "", nil, fmt.Errorf("make a directory for the ssocli binary: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	if err := os.Chmod(dir, 0o755); err != nil {
		cleanup()
		return "", nil, err
	}
	path = filepath.Join(dir, "ssocli")
	if runtime.GOOS == "windows" {
		path += ".exe"
	}
	out, err := exec.Command(goTool(), "build", "-o", path, "github.com/ssocli/ssocli/cmd/ssocli").CombinedOutput()
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build ./cmd/ssocli: %w\n%s", err, out)
	}
	return path, cleanup, nil
}

// TestMain builds the binary into *bin, runs the package's tests, removes
// the binary and exits: the whole TestMain of a package of process tests.
func TestMain(m *testing.M, bin *string) {
	path, cleanup, err := Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*bin = path
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// goTool returns the go command that runs these tests, else the one on PATH.
func goTool() string {
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go")
		if runtime.GOOS == "windows" {
			p += ".exe"
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}

// HomeEnv is the environment that makes home the home directory of an ssocli
// process on every system: HOME on Unix, USERPROFILE on Windows (where ssocli,
// as the AWS CLI and the Go SDK, ignores HOME).
func HomeEnv(home string) []string {
	return []string{"HOME=" + home, "USERPROFILE=" + home}
}
