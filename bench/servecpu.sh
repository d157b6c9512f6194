#!/usr/bin/env bash
# bench/servecpu.sh: the CPU time `ssocli serve` spends per request (its
# utime+stime from /proc, divided by the requests), next to idcload's
# throughput and latency line. CPU per request depends far less on the other
# processes of a shared machine than req/s does, so it is what before/after
# comparisons of the server should read (BENCHMARKS.md, issue 14).
# Usage: bench/servecpu.sh BIN OP N [mem]
#   BIN   an ssocli binary; OP grc, refresh or sts (bench/cmd/idcload -ops);
#   N     requests (8 workers); mem: state in memory instead of --data-dir.
# Environment: PERF=1 also records a CPU profile of the server
# (perf record -e cpu-clock -g) into ./perf.data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${SSOCLI_BENCH_INSIDE:-}" != 1 ]; then
	W=$(mktemp -d /tmp/ssocli-servecpu.XXXXXX)
	(cd "$root" && go build -o "$W/idcload" ./bench/cmd/idcload)
	export SSOCLI_BENCH_INSIDE=1 W
	exec unshare -n bash "$0" "$@"
fi
ip link set lo up
BIN=$1 OP=$2 N=$3
trap 'kill "$spid" 2>/dev/null || true; rm -rf "$W"' EXIT
dd=(--data-dir "$W/data")
[ "${4:-}" = mem ] && dd=()
HOME=$W "$BIN" serve --addr 127.0.0.1:0 --quiet --auto-approve alice "${dd[@]}" >"$W/url" 2>"$W/log" &
spid=$!
for _ in $(seq 100); do [ -s "$W/url" ] && break; sleep 0.05; done
url=$(head -n1 "$W/url")
ppid=
if [ -n "${PERF:-}" ]; then
	perf record -e cpu-clock -F 2000 -g -o perf.data -p "$spid" 2>/dev/null &
	ppid=$!
	sleep 0.2
fi
# Fields 14 and 15 of /proc/PID/stat: utime and stime in clock ticks.
t0=$(awk '{print $14+$15}' "/proc/$spid/stat")
out=$("$W/idcload" -url "$url" -ops "$OP" -n "$N" -d 60s | tail -n1)
t1=$(awk '{print $14+$15}' "/proc/$spid/stat")
[ -n "$ppid" ] && { kill -INT "$ppid"; wait "$ppid" 2>/dev/null || true; }
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$spid/status")
echo "$OP: serve CPU $(((t1 - t0) * 1000000 / $(getconf CLK_TCK) / N)) µs/request, VmHWM $hwm kB | idcload: $out"
