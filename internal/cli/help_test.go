package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestHelpGolden holds the exact --help text of every command, so that a
// change to it is seen in review. Run with -update to accept a change.
func TestHelpGolden(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := &app{env: &Env{}}
	var walk func(c *cobra.Command)
	var paths [][]string
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		paths = append(paths, strings.Fields(c.CommandPath())[1:])
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(a.rootCmd())
	if len(paths) < 10 {
		t.Fatalf("found only %d commands", len(paths))
	}
	for _, p := range paths {
		name := strings.Join(append([]string{"ssocli"}, p...), "_")
		t.Run(name, func(t *testing.T) {
			out := h.mustRun(append(p, "--help")...)
			golden := filepath.Join("testdata", "help", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out); diff != "" {
				t.Errorf("--help changed (-want +got); run with -update if this is intended:\n%s", diff)
			}
		})
	}
}
