package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// defaultCacheBase is the user's cache directory when no variable names one:
// none on Windows without %LocalAppData%.
func defaultCacheBase(home string) string {
	switch runtime.GOOS {
	case "windows":
		return ""
	case "darwin":
		return filepath.Join(home, "Library", "Caches")
	}
	return filepath.Join(home, ".cache")
}

// TestConfigIndexLocation: the parse index of a large ~/.aws/config goes to
// the user's cache directory by the platform's rules ($XDG_CACHE_HOME, else
// ~/.cache; ~/Library/Caches; %LocalAppData%), under ssocli/config-index, and
// nowhere when there is none.
func TestConfigIndexLocation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vars func(home string) map[string]string
		dir  func(home string) string // "" for none
	}{
		{"default", func(string) map[string]string { return nil }, defaultCacheBase},
		{"variable", func(home string) map[string]string {
			return map[string]string{"XDG_CACHE_HOME": filepath.Join(home, "xdg"), "LocalAppData": filepath.Join(home, "local")}
		}, func(home string) string {
			switch runtime.GOOS {
			case "windows":
				return filepath.Join(home, "local")
			case "darwin":
				return filepath.Join(home, "Library", "Caches")
			}
			return filepath.Join(home, "xdg")
		}},
		{"relative", func(string) map[string]string {
			return map[string]string{"XDG_CACHE_HOME": "rel", "LocalAppData": "rel"}
		}, defaultCacheBase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			var b strings.Builder
			b.WriteString(h.defaultConfig())
			for i := range 1000 {
				fmt.Fprintf(&b, "\n[profile gen%04d]\nsso_session = corp\nregion = us-west-2\noutput = json\n", i)
			}
			h.writeConfig(b.String())
			for k, v := range tc.vars(h.home) {
				h.vars[k] = v
			}
			out := h.mustRun("configure", "list-profiles")
			if !strings.Contains(out, "gen0999\n") {
				t.Fatalf("list-profiles: %q", out)
			}
			var found []string
			filepath.WalkDir(h.home, func(path string, d os.DirEntry, err error) error {
				if err == nil && strings.HasSuffix(path, ".idx") {
					found = append(found, path)
				}
				return nil
			})
			dir := tc.dir(h.home)
			if dir == "" {
				if len(found) != 0 {
					t.Fatalf("an index without a cache directory: %v", found)
				}
				return
			}
			if len(found) != 1 || filepath.Dir(found[0]) != filepath.Join(dir, "ssocli", "config-index") {
				t.Fatalf("index files %v, want one in %s", found, filepath.Join(dir, "ssocli", "config-index"))
			}
			// The next run reads it and gives the same answer.
			if again := h.mustRun("configure", "list-profiles"); again != out {
				t.Fatalf("second run: %q, first %q", again, out)
			}
		})
	}
}
