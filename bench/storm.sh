#!/usr/bin/env bash
# bench/storm.sh: N = 1, 8, 32, 128 ssocli processes asking for credentials at
# once with an empty role cache and the token in its refresh window
# (bench/cmd/storm), inside a private network namespace. Exits non-zero if any
# storm made more than one refresh or one GetRoleCredentials per role.
# Usage: bench/storm.sh [storm flags, e.g. -trials 3 -roles 1]   (about 1 minute)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
W=$(mktemp -d /tmp/ssocli-storm.XXXXXX)
trap 'rm -rf "$W"' EXIT
go build -trimpath -ldflags "-s -w" -o "$W/ssocli" ./cmd/ssocli
go build -o "$W/storm" ./bench/cmd/storm
echo "storm: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"
unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$W/storm" -ssocli "$W/ssocli" "$@"
