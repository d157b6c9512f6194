package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func addProfile(name string) func(*Document) error {
	return func(d *Document) error {
		return d.Update(ProfileSection(name), []KeyValue{{"sso_session", "corp"}, {"sso_account_id", "111122223333"}})
	}
}

func profileNames(t *testing.T, path string) []string {
	t.Helper()
	c, err := Load(path, "")
	if err != nil {
		t.Fatal(err)
	}
	return c.ProfileNames()
}

// TestEditFileParallel is the adversarial run's B6: twenty edits at once,
// each adding a profile, through the real cross-process lock; every profile
// survives.
func TestEditFileParallel(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".aws", "config")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var want []string
	for i := range 20 {
		name := fmt.Sprintf("p%02d", i)
		want = append(want, name)
		wg.Go(func() {
			if _, err := EditFile(ctx, path, addProfile(name), EditOptions{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := profileNames(t, path)
	if d := cmp.Diff(want, slices.Sorted(slices.Values(got))); d != "" {
		t.Errorf("profiles after 20 parallel edits (-want +got):\n%s", d)
	}
}

// TestEditFileWaitsAndRereads makes the lost update certain if EditFile did
// not lock, or read before locking: a second edit starts while the first is
// inside its edit function; it must wait, then see the first one's profile.
func TestEditFileWaitsAndRereads(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inside, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		_, err := EditFile(ctx, path, func(d *Document) error {
			close(inside)
			<-release
			return addProfile("first")(d)
		}, EditOptions{})
		firstDone <- err
	}()
	<-inside
	waiting := make(chan struct{})
	secondDone := make(chan error, 1)
	go func() {
		_, err := EditFile(ctx, path, addProfile("second"), EditOptions{onWait: func() { close(waiting) }})
		secondDone <- err
	}()
	select {
	case <-waiting:
	case err := <-secondDone:
		t.Errorf("the second edit finished (%v) while the first held the file", err)
		secondDone <- err
	}
	close(release)
	for _, ch := range []chan error{firstDone, secondDone} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff([]string{"first", "second"}, profileNames(t, path)); d != "" {
		t.Errorf("profiles (-want +got):\n%s", d)
	}
}

func TestEditFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("keeps line endings, mode and other bytes", func(t *testing.T) {
		t.Parallel()
		path := writeTemp(t, t.TempDir(), "config", "# mine\r\n[default]\r\nregion = x\r\n")
		if runtime.GOOS != "windows" {
			if err := os.Chmod(path, 0o640); err != nil {
				t.Fatal(err)
			}
		}
		c, err := EditFile(ctx, path, addProfile("p"), EditOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := "# mine\r\n[default]\r\nregion = x\r\n[profile p]\r\nsso_session = corp\r\nsso_account_id = 111122223333\r\n"
		got, _ := os.ReadFile(path)
		if d := cmp.Diff(want, string(got)); d != "" {
			t.Errorf("file (-want +got):\n%s", d)
		}
		if string(c.After) != want || string(c.Before) != "# mine\r\n[default]\r\nregion = x\r\n" {
			t.Errorf("Change = %q -> %q", c.Before, c.After)
		}
		if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
			t.Errorf("mode %o, want 640", fi.Mode().Perm())
		}
	})
	t.Run("new file", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), ".aws", "config")
		if _, err := EditFile(ctx, path, addProfile("p"), EditOptions{}); err != nil {
			t.Fatal(err)
		}
		eol := "\n"
		if runtime.GOOS == "windows" {
			eol = "\r\n"
		}
		got, _ := os.ReadFile(path)
		if want := "[profile p]" + eol + "sso_session = corp" + eol + "sso_account_id = 111122223333" + eol; string(got) != want {
			t.Errorf("file = %q, want %q", got, want)
		}
		if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %o, want 600", fi.Mode().Perm())
		}
	})
	t.Run("dry run writes nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := writeTemp(t, dir, "config", "[default]\n")
		c, err := EditFile(ctx, path, addProfile("p"), EditOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != "[default]\n" || string(c.After) == string(c.Before) {
			t.Errorf("dry run: file %q, change %q -> %q", got, c.Before, c.After)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("dry run left %d entries in the directory, want only the config", len(entries))
		}
	})
	t.Run("edit error writes nothing", func(t *testing.T) {
		t.Parallel()
		path := writeTemp(t, t.TempDir(), "config", "[default]\n")
		errNo := errors.New("no")
		if _, err := EditFile(ctx, path, func(d *Document) error { addProfile("p")(d); return errNo }, EditOptions{}); !errors.Is(err, errNo) {
			t.Errorf("err = %v, want the edit's error", err)
		}
		if got, _ := os.ReadFile(path); string(got) != "[default]\n" {
			t.Errorf("file = %q after a failed edit", got)
		}
	})
	t.Run("unparsable file is refused", func(t *testing.T) {
		t.Parallel()
		path := writeTemp(t, t.TempDir(), "config", "[default]\n[default]\n")
		if _, err := EditFile(ctx, path, addProfile("p"), EditOptions{}); err == nil {
			t.Error("no error editing a file botocore cannot read")
		}
	})
	t.Run("a directory is refused", func(t *testing.T) {
		t.Parallel()
		if _, err := EditFile(ctx, t.TempDir(), addProfile("p"), EditOptions{}); err == nil {
			t.Error("no error editing a directory")
		}
	})
}
