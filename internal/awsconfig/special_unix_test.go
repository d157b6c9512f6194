//go:build unix

package awsconfig

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoadSpecialFiles: config and credentials paths that are not regular
// files read as empty files, as the AWS CLI reads them, and at once: /dev/zero
// is not read until memory runs out, a FIFO with no writer is not waited on
// (research/adversarial-2026-12.md B2, B3), nor is either behind a symlink.
func TestLoadSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	linkZero, linkFIFO := filepath.Join(dir, "link-zero"), filepath.Join(dir, "link-fifo")
	if err := os.Symlink("/dev/zero", linkZero); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fifo, linkFIFO); err != nil {
		t.Fatal(err)
	}
	creds := writeTemp(t, dir, "credentials", "[default]\nregion = r\n") // a profile in either file
	for _, path := range []string{"/dev/zero", "/dev/urandom", fifo, dir, linkZero, linkFIFO} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			for _, files := range [][2]string{{path, creds}, {creds, path}} {
				done := make(chan struct{})
				var names []string
				var err error
				go func() {
					defer close(done)
					var c *Config
					if c, err = Load(files[0], files[1]); err == nil {
						names = c.ProfileNames()
					}
				}()
				select {
				case <-done:
				case <-time.After(time.Minute): // a hang, not a timing assertion
					t.Fatalf("Load(%q, %q) still running after a minute", files[0], files[1])
				}
				if err != nil {
					t.Fatalf("Load(%q, %q): %v", files[0], files[1], err)
				}
				if d := cmp.Diff([]string{"default"}, names); d != "" {
					t.Errorf("Load(%q, %q) profiles (-want +got):\n%s", files[0], files[1], d)
				}
			}
		})
	}
}

// TestEditFileThroughSymlink: a config kept in a dotfiles repository stays a
// link, and its target is edited.
func TestEditFileThroughSymlink(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	target := writeTemp(t, d, "dotfiles-config", "[default]\n")
	link := filepath.Join(d, "config")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := EditFile(context.Background(), link, addProfile("p"), EditOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link replaced by a file (err %v)", err)
	}
	if got, _ := os.ReadFile(target); !strings.Contains(string(got), "[profile p]") {
		t.Errorf("target = %q, want the new profile", got)
	}
}

// TestIndexFIFO: a FIFO planted where the parse index goes is neither read
// (which would wait for a writer) nor replaced: Load parses the file.
func TestIndexFIFO(t *testing.T) {
	t.Parallel()
	cfg, dir := indexHome(t, 600)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := IndexPath(dir, cfg)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		c, err := LoadIndexed(cfg, "", dir)
		if err == nil {
			if _, ok := c.Profile("team0599-ReadOnly"); !ok {
				err = os.ErrNotExist
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Load waited on the FIFO at the index's path")
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v, %v", fi, err)
	}
}
