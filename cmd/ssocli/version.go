package main

import "runtime/debug"

// version is stamped in by the release build (scripts/release.sh):
// -ldflags "-X main.version=v1.2.3".
var version string

// buildVersion returns the version ssocli reports: the one stamped in by the
// release build, else the main module's version that the go command recorded
// in the binary. `go install github.com/ssocli/ssocli/cmd/ssocli@v1.2.3`
// records v1.2.3; a build in a git checkout records a pseudo-version such as
// v0.0.0-20261201093000-16888d2abcde+dirty (Go 1.24+, unless -buildvcs=false);
// other builds record "(devel)", reported as "dev".
func buildVersion(stamped string, readBuildInfo func() (*debug.BuildInfo, bool)) string {
	if stamped != "" {
		return stamped
	}
	if info, ok := readBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
