package main

import (
	"os"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/cli"
	"github.com/ssocli/ssocli/internal/sigctx"
	"github.com/ssocli/ssocli/internal/testutil/benchhome"
)

// TestCachedExportDoesNotAskForSignals: the cached credential path never
// waits on its context, so main's sigctx never asks the runtime for the
// signals (which costs a third of the run, issue 14). Code that adds a wait
// to the path (a lock, a derived context with a timeout, a network call)
// fails this test; such work belongs behind the cache check.
func TestCachedExportDoesNotAskForSignals(t *testing.T) {
	for _, format := range []string{"process", "env", "powershell"} {
		home, profile := benchhome.Write(t, 1)
		var stderr strings.Builder
		ctx := sigctx.New(os.Interrupt)
		code := cli.Run(ctx, exportEnv(home, &stderr), []string{"configure", "export-credentials", "--profile", profile, "--format", format})
		ctx.Stop()
		if code != 0 {
			t.Fatalf("configure export-credentials --format %s: exit %d: %s", format, code, stderr.String())
		}
		if ctx.Armed() {
			t.Errorf("configure export-credentials --format %s from a warm cache waited on its context (sigctx armed)", format)
		}
	}
}
