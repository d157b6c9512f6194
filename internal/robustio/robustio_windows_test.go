package robustio

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRenameOverOpenFile replaces a file that this process holds open, as
// another reader would: the first rename fails with an ephemeral error, the
// reader closes, and the retried rename succeeds.
func TestRenameOverOpenFile(t *testing.T) {
	dir := t.TempDir()
	target, tmp := filepath.Join(dir, "f.json"), filepath.Join(dir, ".f.json.tmp")
	for _, p := range []string{target, tmp} {
		if err := os.WriteFile(p, []byte(p), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reader, err := os.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	failed := make(chan error, 1)
	go func() {
		if err := <-failed; err != nil {
			reader.Close()
		}
	}()
	first := true
	err = Retry(ctx, func() error {
		err := os.Rename(tmp, target)
		if first {
			first = false
			if err == nil {
				t.Error("rename over an open file succeeded at once: the retry was not exercised")
			} else if !IsEphemeral(err) {
				t.Errorf("rename over an open file: %v, which IsEphemeral does not retry", err)
			}
			failed <- err
		}
		return err
	})
	if err != nil {
		t.Fatalf("Rename after the reader closed: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != tmp {
		t.Errorf("target holds %q, want the new contents", b)
	}
}
