//go:build unix

package ssocache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// TestWritePermissionsUnderUmask is not parallel: the umask is process-wide.
func TestWritePermissionsUnderUmask(t *testing.T) {
	for _, umask := range []int{0, 0o022, 0o077, 0o277, 0o777} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			home := t.TempDir()
			old := syscall.Umask(umask)
			defer syscall.Umask(old)

			path := TokenPath(home, "my-sso", "")
			if err := WriteToken(path, &Token{AccessToken: "a", ExpiresAt: date("2026-11-26T01:08:02Z")}); err != nil {
				t.Fatal(err)
			}
			// A file that exists with a wider mode is replaced by a 0600 one.
			rc := RoleCredsPath(home, "1", "r", "s", "")
			if err := os.MkdirAll(filepath.Dir(rc), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(rc, []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := WriteRoleCredentials(rc, &RoleCredentials{AccessKeyID: "a"}); err != nil {
				t.Fatal(err)
			}
			syscall.Umask(old)

			got := map[string]fs.FileMode{}
			for _, p := range []string{".aws", ".aws/sso", ".aws/sso/cache", path, rc} {
				if !filepath.IsAbs(p) {
					p = filepath.Join(home, p)
				}
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(home, p)
				got[filepath.ToSlash(rel)] = fi.Mode().Perm()
			}
			want := map[string]fs.FileMode{
				".aws": 0o700, ".aws/sso": 0o700, ".aws/sso/cache": 0o700,
				".aws/sso/cache/" + TokenFileName("my-sso", ""):          0o600,
				".aws/cli/cache/" + RoleCredsFileName("1", "r", "s", ""): 0o600,
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("modes (-want +got):\n%s", d)
			}
		})
	}
}

func TestWriteFileAtomicFailureKeepsOld(t *testing.T) {
	t.Parallel()
	t.Run("failure before rename", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "f.json")
		if err := WriteFileAtomic(path, []byte("old")); err != nil {
			t.Fatal(err)
		}
		errBoom := errors.New("boom")
		err := writeFileAtomic(path, []byte("new contents"), func(tmp string) error {
			if _, err := os.Stat(tmp); err != nil {
				t.Errorf("temp file missing before rename: %v", err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("err = %v, want boom", err)
		}
		checkDir(t, dir, map[string]string{"f.json": "old"})
	})
	t.Run("rename onto a directory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "f.json")
		if err := os.MkdirAll(filepath.Join(path, "child"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("new")); err == nil {
			t.Fatal("no error writing over a directory")
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || !entries[0].IsDir() {
			t.Errorf("directory holds %d entries, want only the f.json directory", len(entries))
		}
	})
	t.Run("parent is a file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "aws"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(filepath.Join(dir, "aws", "cache", "f.json"), []byte("new")); err == nil {
			t.Fatal("no error when a parent is a file")
		}
	})
}

// checkDir checks that dir holds exactly the files in want, with those contents.
func checkDir(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
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

// TestAtomicWriteReadersSeeWholeFiles runs writers that replace one file with
// contents of different lengths while a reader loop reads it: every read must be
// one of the written files, whole (a truncate-and-write, as the AWS CLI does,
// fails this quickly).
func TestAtomicWriteReadersSeeWholeFiles(t *testing.T) {
	t.Parallel()
	path := RoleCredsPath(t.TempDir(), "111122223333", "ReadOnly", "my-sso", "")
	const writers, writes = 4, 25
	valid := map[string]bool{}
	var contents [writers][]byte
	for i := range contents {
		c := &RoleCredentials{
			AccessKeyID: fmt.Sprintf("ASIA%016d", i), SecretAccessKey: "k", Expiration: date("2026-11-26T01:08:02Z"),
			SessionToken: strings.Repeat(string(rune('a'+i)), 100+400*i),
		}
		contents[i] = c.Marshal()
		valid[string(contents[i])] = true
	}
	if err := WriteFileAtomic(path, contents[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			for range writes {
				if err := WriteFileAtomic(path, contents[i]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	reads, bad := 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		if !valid[string(b)] {
			bad++
		}
		if _, err := ReadRoleCredentials(path); err != nil {
			t.Fatalf("ReadRoleCredentials %d: %v", reads, err)
		}
		reads++
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if bad > 0 {
		t.Errorf("%d of %d reads saw a partial or mixed file", bad, reads)
	}
	checkDir(t, filepath.Dir(path), map[string]string{filepath.Base(path): string(mustRead(t, path))})
}

func TestSymlinks(t *testing.T) {
	t.Parallel()
	tok := &Token{AccessToken: "fake-access-token", ExpiresAt: date("2026-11-26T01:08:02Z")}
	newTok := &Token{AccessToken: "fake-access-token-2", ExpiresAt: date("2026-11-26T01:08:02Z")}

	t.Run("inside the directory is followed", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		target := filepath.Join(dir, "real.json")
		link := filepath.Join(dir, "link.json")
		mustWrite(t, target, tok.Marshal())
		mustSymlink(t, "real.json", link)
		got, err := ReadToken(link)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tok, got, cmpOpts); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if err := WriteToken(link, newTok); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v", err)
		}
		if d := diffBytes(mustRead(t, target), newTok.Marshal()); d != "" {
			t.Errorf("target: %s", d)
		}
	})
	t.Run("outside the directory is refused", func(t *testing.T) {
		t.Parallel()
		outside := filepath.Join(t.TempDir(), "victim")
		mustWrite(t, outside, tok.Marshal())
		dir := t.TempDir()
		link := filepath.Join(dir, "link.json")
		mustSymlink(t, outside, link)
		if _, err := ReadToken(link); !errors.Is(err, ErrUnsafeSymlink) {
			t.Errorf("ReadToken: %v, want ErrUnsafeSymlink", err)
		}
		if _, err := ReadRoleCredentials(link); !errors.Is(err, ErrUnsafeSymlink) {
			t.Errorf("ReadRoleCredentials: %v, want ErrUnsafeSymlink", err)
		}
		if err := WriteToken(link, newTok); !errors.Is(err, ErrUnsafeSymlink) {
			t.Errorf("WriteToken: %v, want ErrUnsafeSymlink", err)
		}
		if d := diffBytes(mustRead(t, outside), tok.Marshal()); d != "" {
			t.Errorf("the file outside was changed: %s", d)
		}
	})
	t.Run("up and back into the directory is followed", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "cache")
		mustWrite(t, filepath.Join(dir, "real.json"), tok.Marshal())
		mustSymlink(t, "../cache/real.json", filepath.Join(dir, "link.json"))
		if _, err := ReadToken(filepath.Join(dir, "link.json")); err != nil {
			t.Error(err)
		}
	})
	t.Run("symlinked ~/.aws works", func(t *testing.T) {
		t.Parallel()
		home, dotfiles := t.TempDir(), t.TempDir()
		mustSymlink(t, dotfiles, filepath.Join(home, ".aws"))
		path := TokenPath(home, "my-sso", "")
		if err := WriteToken(path, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadToken(path); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dotfiles, "sso", "cache", TokenFileName("my-sso", ""))); err != nil {
			t.Error(err)
		}
	})
	t.Run("dangling", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		link := filepath.Join(dir, "link.json")
		mustSymlink(t, "nowhere.json", link)
		if _, err := ReadToken(link); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadToken: %v, want fs.ErrNotExist", err)
		}
		if err := WriteToken(link, tok); !errors.Is(err, ErrUnsafeSymlink) {
			t.Errorf("WriteToken: %v, want ErrUnsafeSymlink", err)
		}
	})
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestReadNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		require.Missingf(t, "cannot make a FIFO: %v", err)
	}
	// Must fail at once instead of blocking until a writer opens the FIFO.
	if _, err := ReadToken(fifo); err == nil {
		t.Error("no error reading a FIFO")
	}
	if _, err := ReadToken(dir); err == nil {
		t.Error("no error reading a directory")
	}
	big := filepath.Join(dir, "big.json")
	mustWrite(t, big, make([]byte, maxFileSize+1))
	var ce *CorruptError
	if _, err := ReadToken(big); !errors.As(err, &ce) {
		t.Errorf("ReadToken of a huge file: %v, want *CorruptError", err)
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	mustWrite(t, path, []byte("{}"))
	for i := range 2 { // the second time the file is already gone
		if err := Remove(path); err != nil {
			t.Fatalf("Remove #%d: %v", i+1, err)
		}
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file still there: %v", err)
	}
	mustWrite(t, filepath.Join(dir, "d", "x"), nil)
	if err := Remove(filepath.Join(dir, "d")); err == nil {
		t.Error("Remove of a non-empty directory: no error")
	}
}
