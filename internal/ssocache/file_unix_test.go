//go:build unix

package ssocache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestReadFIFO: a FIFO must fail at once instead of blocking until a writer
// opens it.
func TestReadFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadToken(fifo); err == nil {
		t.Error("no error reading a FIFO")
	}
}
