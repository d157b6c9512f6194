package ssocache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
	if err := writeFile(path, contents[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers)
	// On Windows a rename over a file needs a moment when no one has it open,
	// and a reader in a tight loop leaves almost none (the retries give up
	// after 2 s); there the reader reads once per finished write instead.
	wrote := make(chan struct{}, writers*writes)
	for i := range writers {
		wg.Go(func() {
			for range writes {
				if err := writeFile(path, contents[i]); err != nil {
					errs <- err
					return
				}
				wrote <- struct{}{}
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
		if runtime.GOOS == "windows" {
			select {
			case <-wrote:
			case <-done:
				running = false
			}
		}
		// The package's own reader: on Windows a plain os.ReadFile fails with
		// a sharing violation while a writer renames over the file, and
		// ssocache retries that (internal/robustio).
		b, err := readCacheFile(path, kindRoleCreds)
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		if !valid[b] {
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

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestReadNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
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
