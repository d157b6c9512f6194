package cli_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/testutil/benchhome"

	"github.com/ssocli/ssocli/internal/cli"
)

// Benchmarks of `ssocli configure export-credentials` in-process: everything a
// credential_process call does after the Go runtime and package
// initialisation, down to writing the JSON (to io.Discard). BENCHMARKS.md
// has the results and the command that reproduces them.

func benchEnv(home string, stderr io.Writer) *cli.Env {
	return &cli.Env{
		Stdin:   strings.NewReader(""),
		Stdout:  io.Discard,
		Stderr:  stderr,
		Getenv:  func(string) string { return "" },
		Environ: func() []string { return nil },
		Home:    home,
		Now:     time.Now,
	}
}

// BenchmarkRunExportCredentials is cli.Run of `configure export-credentials
// --profile P` with the profile's role credentials cached.
func BenchmarkRunExportCredentials(b *testing.B) {
	for _, n := range []int{1, 1000} {
		for _, format := range []string{"process", "env"} {
			b.Run(fmt.Sprintf("profiles=%d/format=%s", n, format), func(b *testing.B) {
				home, profile := benchhome.Write(b, n)
				var stderr strings.Builder
				env := benchEnv(home, &stderr)
				args := []string{"configure", "export-credentials", "--profile", profile, "--format", format}
				ctx := context.Background()
				b.ReportAllocs()
				defer benchhome.ReportCPU(b, benchhome.CPUTime(b))
				for b.Loop() {
					if code := cli.Run(ctx, env, args); code != 0 {
						b.Fatalf("exit %d: %s", code, stderr.String())
					}
				}
			})
		}
	}
}

// BenchmarkRunVersion is cli.Run of `--version`: building the command tree
// and parsing flags with no work behind them, the fixed cost that every
// command, export-credentials included, pays.
func BenchmarkRunVersion(b *testing.B) {
	env := benchEnv(b.TempDir(), io.Discard)
	ctx := context.Background()
	b.ReportAllocs()
	defer benchhome.ReportCPU(b, benchhome.CPUTime(b))
	for b.Loop() {
		if code := cli.Run(ctx, env, []string{"--version"}); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
