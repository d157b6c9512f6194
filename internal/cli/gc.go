package cli

import "runtime/debug"

// serveGCPercent is the garbage collector's target while `serve` runs (GOGC;
// Go's default is 100). The heap holds a few megabytes that live while the
// requests allocate tens of kilobytes each (JSON, signatures, with
// --data-dir bbolt's dirty pages): at the default the collector ran every
// couple of hundred requests and took a third of the server's CPU
// (BENCHMARKS.md, issue 14: CPU per GetRoleCredentials 110-121 µs at 100,
// 75-76 µs at 400 with --data-dir, peak RSS 50 -> 62 MB). The same holds
// with the state in memory, now that role credentials and tokens are sealed
// rather than stored: the state grows with sign-ins and client
// registrations, not with requests (in-memory GetRoleCredentials 17.2k/s at
// 100, 21.1k/s at 400; RSS flat at 23 and 36 MB over 180,000 requests).
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
