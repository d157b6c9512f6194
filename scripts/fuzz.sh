#!/bin/sh
# fuzz.sh runs every Go fuzz target of ssocli for a short, bounded time each
# (FUZZTIME, default 10s), for CI. Each target's seed corpus lives in its
# package's testdata/fuzz/<Target>/ and in its f.Add calls; plain `go test`
# already replays those, so this script is the part that searches for new
# inputs. A failing input is written to testdata/fuzz/<Target>/ by go test:
# commit it with the fix, so it stays a regression test.
#
# Usage: scripts/fuzz.sh [FuzzTarget ...]   (default: all of them)
set -eu
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}

# package target: listed explicitly, so a renamed or deleted target fails
# loudly here instead of silently not running.
TARGETS='
./internal/awsconfig FuzzParse
./internal/ssocache FuzzScanner
./internal/ssocache FuzzReadCacheFiles
./internal/idc FuzzHandler
./internal/idc FuzzAuthorize
./internal/idc/proxy FuzzConnectTarget
./internal/idc/sts FuzzParseAuthorization
'

echo "$TARGETS" | while read -r pkg target; do
	[ -n "$pkg" ] || continue
	if [ $# -gt 0 ]; then
		want=no
		for a in "$@"; do [ "$a" = "$target" ] && want=yes; done
		[ $want = yes ] || continue
	fi
	if ! grep -q "^func $target(" "$pkg"/*_test.go; then
		echo "fuzz.sh: $target not found in $pkg" >&2
		exit 1
	fi
	echo "== $pkg $target ($FUZZTIME)"
	# -parallel 2: the CI machine has 2 cores; more workers only add noise.
	go test -run='^$' -fuzz="^$target\$" -fuzztime="$FUZZTIME" -parallel=2 "$pkg" || exit 1
done
