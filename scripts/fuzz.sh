#!/bin/sh
# fuzz.sh searches for new inputs to every Go fuzz target of ssocli (FUZZTIME
# each, default 60s). It is exploratory and NOT part of the CI gate: plain
# `go test` (scripts/test.sh) already replays every committed corpus in
# testdata/fuzz/<Target>/ and every f.Add seed, which is deterministic. When
# this script finds a failing input, go test writes it to
# testdata/fuzz/<Target>/: fix the bug and commit the input with the fix, so it
# becomes part of the gate.
#
# Usage: scripts/fuzz.sh [FuzzTarget ...]   (default: all of them)
set -eu
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-60s}

# package target: listed explicitly, so a renamed or deleted target fails
# loudly here instead of silently not running (scripts/test.sh checks this
# list against the code too).
TARGETS='
./internal/awsconfig FuzzParse
./internal/awsconfig FuzzSetNested
./internal/awsconfig FuzzLazyParse
./internal/ssocache FuzzScanner
./internal/ssocache FuzzReadCacheFiles
./internal/idc FuzzHandler
./internal/idc FuzzAuthorize
./internal/idc/proxy FuzzConnectTarget
./internal/idc/sts FuzzParseAuthorization
'

if [ "${1:-}" = "--check" ]; then
	# Every listed target exists, and every target in the code is listed.
	rc=0
	echo "$TARGETS" | while read -r pkg target; do
		[ -n "$pkg" ] || continue
		grep -q "^func $target(" "$pkg"/*_test.go || { echo "fuzz.sh: $target not found in $pkg" >&2; exit 1; }
	done || rc=1
	for t in $(grep -rhoE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' internal | sed 's/^func //; s/($//'); do
		echo "$TARGETS" | grep -q " $t\$" || { echo "fuzz.sh: $t is not listed in TARGETS" >&2; rc=1; }
	done
	exit $rc
fi

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
	# -parallel 2: the machine has 2 cores; more workers only add noise.
	go test -run='^$' -fuzz="^$target\$" -fuzztime="$FUZZTIME" -parallel=2 "$pkg" || exit 1
done
