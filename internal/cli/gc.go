package cli

import "runtime/debug"

// serveGCPercent is the garbage collector's target while `serve --data-dir`
// runs (GOGC; Go's default is 100). The state is then in bbolt's file, so
// the heap holds a few megabytes that live while the requests allocate tens
// of kilobytes each (bbolt's dirty pages, JSON): at the default the
// collector ran every couple of hundred requests and took a third of the
// server's CPU (BENCHMARKS.md, issue 14: CPU per GetRoleCredentials 110-121
// µs at 100, 75-76 µs at 400, peak RSS 50 -> 62 MB). With the state in
// memory the live heap is the state itself and grows, so the default stays.
const serveGCPercent = 400

// exportGCPercent is the target while `configure export-credentials` runs,
// the credential_process command that lives for milliseconds: a large
// ~/.aws/config (10,000 profiles, 1.3 MB) took the heap just past Go's first
// goal of 4 MB, and the collection that started then cost a quarter of the
// process (BENCHMARKS.md, issue 14: 34-51 M instructions at 100, 34.0-34.1 M
// at 400). Nothing on the path keeps more than a few megabytes.
const exportGCPercent = 400

// tuneGC sets the collector's target to percent unless the user chose one
// with GOGC, and returns the function that puts the previous setting back.
func tuneGC(getenv func(string) string, percent int) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(prev) }
}
