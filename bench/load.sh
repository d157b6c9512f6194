#!/usr/bin/env bash
# bench/load.sh: throughput and p99 latency of the local IAM Identity Center
# (`ssocli serve`, plain HTTP on loopback) under bench/cmd/idcload, and the
# server's memory (VmRSS idle, VmHWM = peak RSS after each op), inside a
# private network namespace. Server and load generator share the machine's
# cores. Bounded: each op stops after N requests or D seconds.
# Usage: bench/load.sh [-c 8] [-n 20000] [-d 10s]     (about 40 seconds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${SSOCLI_BENCH_INSIDE:-}" != 1 ]; then
	cd "$root"
	W=$(mktemp -d /tmp/ssocli-load.XXXXXX)
	go build -trimpath -ldflags "-s -w" -o "$W/ssocli" ./cmd/ssocli
	go build -o "$W/idcload" ./bench/cmd/idcload
	echo "load: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"
	export SSOCLI_BENCH_INSIDE=1 W
	exec unshare -n bash "$root/bench/load.sh" "$@"
fi
ip link set lo up
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$W"' EXIT
"$W/ssocli" serve --addr 127.0.0.1:0 --quiet --auto-approve alice --data-dir "$W/serve" >"$W/url" 2>"$W/serve.log" &
spid=$!
for _ in $(seq 100); do [ -s "$W/url" ] && break; sleep 0.05; done
url=$(head -n1 "$W/url")
mem() { grep -E '^(VmRSS|VmHWM)' "/proc/$spid/status" | tr -s ' \t' ' ' | tr '\n' ' '; }
echo "serve idle: $(mem)"
echo
for op in grc refresh sts; do
	"$W/idcload" -url "$url" -ops "$op" "$@" | { [ "$op" = grc ] && cat || tail -n1; }
	echo "$op" >>"$W/ops"
	mem >"$W/mem.$op"
done
echo
for op in grc refresh sts; do echo "serve after $op: $(cat "$W/mem.$op")"; done
