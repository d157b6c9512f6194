//go:build unix

package atomicfile

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// unprivilegedEnv marks the test binary re-run as nobody by asNobody.
const unprivilegedEnv = "ATOMICFILE_TEST_AS_NOBODY"

const nobody = 65534

// asNobody runs the calling test in a copy of the test binary as uid nobody
// when this process is root (root ignores directory modes, so a read-only
// directory cannot be made for it), and reports whether the caller should run
// the body itself (it is not root, or it is the re-run).
func asNobody(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 || os.Getenv(unprivilegedEnv) != "" {
		return true
	}
	// The test binary lives in a directory only root can enter: copy it.
	dir, err := os.MkdirTemp("", "atomicfile-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), unprivilegedEnv+"=1", "TMPDIR="+os.TempDir())
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as nobody: %v\n%s", t.Name(), err, out)
	}
	t.Logf("as nobody:\n%s", out)
	return false
}

// TestInPlaceFallback is the AWS CLI's case of a cache directory the user
// cannot write (left owned by root by a sudo run) holding a token file the user
// can: an atomic replace is impossible, and with InPlace the file is rewritten
// in place instead of the write failing (research/adversarial-2026-12.md B8).
func TestInPlaceFallback(t *testing.T) {
	if !asNobody(t) {
		return
	}
	dir := t.TempDir()
	existing, missing := filepath.Join(dir, "tok.json"), filepath.Join(dir, "new.json")
	if err := os.WriteFile(existing, []byte("old token, longer than the new one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	ctx := context.Background()
	atomic, inPlace := Options{Perm: 0o600}, Options{Perm: 0o600, InPlace: true}

	// Without the fallback: refused, before and when writing.
	if err := CanWrite(existing, atomic); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("CanWrite without InPlace: %v, want permission denied", err)
	}
	if err := WriteFile(ctx, existing, []byte("new"), atomic); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("WriteFile without InPlace: %v, want permission denied", err)
	}
	// With it: the existing file is rewritten, and tightened to 0600.
	if err := CanWrite(existing, inPlace); err != nil {
		t.Errorf("CanWrite with InPlace: %v", err)
	}
	if err := WriteFile(ctx, existing, []byte("new"), inPlace); err != nil {
		t.Fatalf("WriteFile with InPlace: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "new" {
		t.Errorf("file holds %q, want %q", b, "new")
	}
	if fi, _ := os.Stat(existing); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 600", fi.Mode().Perm())
	}
	// A file that does not exist cannot be made either way.
	if err := CanWrite(missing, inPlace); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("CanWrite of a new file: %v, want permission denied", err)
	}
	if err := WriteFile(ctx, missing, []byte("new"), inPlace); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("WriteFile of a new file: %v, want permission denied", err)
	}
	// Nor can a read-only file in a read-only directory.
	if err := os.Chmod(existing, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := CanWrite(existing, inPlace); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("CanWrite of a read-only file: %v, want permission denied", err)
	}
	if err := WriteFile(ctx, existing, []byte("newer"), inPlace); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("WriteFile of a read-only file: %v, want permission denied", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "new" {
		t.Errorf("read-only file holds %q after a refused write", b)
	}
}
