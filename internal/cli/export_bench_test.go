//go:build unix

package cli_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"syscall"
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
				defer reportCPU(b, cpuTime(b))
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
	defer reportCPU(b, cpuTime(b))
	for b.Loop() {
		if code := cli.Run(ctx, env, []string{"--version"}); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// cpuTime is this process's user+system CPU time. The benchmarks report it
// per operation ("cpu-ns/op") next to wall time, which on a shared machine is
// mostly noise from other processes.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}
