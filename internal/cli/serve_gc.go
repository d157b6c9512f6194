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

// tuneServeGC sets serveGCPercent unless the user chose one with GOGC, and
// returns the function that puts the previous setting back.
func tuneServeGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(serveGCPercent)
	return func() { debug.SetGCPercent(prev) }
}
