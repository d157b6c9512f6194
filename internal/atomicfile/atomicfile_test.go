package atomicfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var cacheOpts = Options{Perm: 0o600}

// checkDir checks that dir holds exactly the files in want, with those
// contents (directories as "<dir>").
func checkDir(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			got[e.Name()] = "<dir>"
			continue
		}
		if !e.Type().IsRegular() {
			got[e.Name()] = "<" + e.Type().String() + ">"
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("directory contents (-want +got):\n%s", d)
	}
}

func TestWriteFileReplaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "f.json")
	for _, data := range []string{"first, longer contents", "second"} {
		if err := WriteFile(context.Background(), path, []byte(data), cacheOpts); err != nil {
			t.Fatal(err)
		}
		checkDir(t, filepath.Dir(path), map[string]string{"f.json": data})
	}
}

func TestFailureBeforeRenameKeepsOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := WriteFile(context.Background(), path, []byte("old"), cacheOpts); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	o := cacheOpts
	o.beforeRename = func(tmp string) error {
		if b, err := os.ReadFile(tmp); err != nil || string(b) != "new contents" {
			t.Errorf("temp file before rename: %q, %v", b, err)
		}
		return errBoom
	}
	if err := WriteFile(context.Background(), path, []byte("new contents"), o); !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want boom", err)
	}
	checkDir(t, dir, map[string]string{"f.json": "old"})
}

// TestRefusesNonRegularTarget: a directory (and, on Unix, a FIFO and a
// socket: see nonregular_unix_test.go) at the target is refused before
// anything is written, and left as it was.
func TestRefusesDirectoryTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(context.Background(), path, []byte("new"), cacheOpts)
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("err = %v, want ErrNotRegular", err)
	}
	checkDir(t, dir, map[string]string{"f.json": "<dir>"})
	if err := CanWrite(path, cacheOpts); !errors.Is(err, ErrNotRegular) {
		t.Errorf("CanWrite: %v, want ErrNotRegular", err)
	}
}

func TestParentIsAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "aws"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(context.Background(), filepath.Join(dir, "aws", "cache", "f.json"), []byte("new"), cacheOpts); err == nil {
		t.Fatal("no error when a parent is a file")
	}
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 101)), 0o600); err != nil {
		t.Fatal(err)
	}
	o := ReadOptions{MaxSize: 100}
	if b, err := ReadFile(context.Background(), small, o); err != nil || string(b) != "hello" {
		t.Errorf("ReadFile(small) = %q, %v", b, err)
	}
	if _, err := ReadFile(context.Background(), big, o); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile(big): %v, want ErrTooLarge", err)
	}
	if _, err := ReadFile(context.Background(), dir, o); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(directory): %v, want ErrNotRegular", err)
	}
	if _, err := ReadFile(context.Background(), filepath.Join(dir, "missing"), o); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing): %v, want fs.ErrNotExist", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadFile(ctx, small, o); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFile with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestDevZeroIsNotRead: a device is refused before a byte is read (the AWS
// CLI treats it as no file; reading /dev/zero never ends).
func TestDevZeroIsNotRead(t *testing.T) {
	t.Parallel()
	dev := "/dev/zero"
	if runtime.GOOS == "windows" {
		dev = "NUL"
	}
	if _, err := ReadFile(context.Background(), dev, ReadOptions{MaxSize: 1 << 30, FollowSymlinks: true}); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(%s): %v, want ErrNotRegular", dev, err)
	}
}
