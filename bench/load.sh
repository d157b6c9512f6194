#!/usr/bin/env bash
# bench/load.sh: throughput and p99 latency of the local IAM Identity Center
# (`ssocli serve`, plain HTTP on loopback) under bench/cmd/idcload, and the
# server's memory (VmRSS idle, VmHWM = peak RSS after each op), inside a
# private network namespace. Server and load generator share the machine's
# cores. Bounded: each op stops after N requests or D seconds.
# Usage: bench/load.sh [-c 8] [-n 20000] [-d 10s]     (about 40 seconds)
# Environment:
#   MEM=1      state in memory (no --data-dir)
#   BASE=REV   also build ssocli at git revision REV; each op then runs on a
#              fresh server of each build in turn, ROUNDS times (default 2),
#              base first: before and after under the same load
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${SSOCLI_BENCH_INSIDE:-}" != 1 ]; then
	cd "$root"
	W=$(mktemp -d /tmp/ssocli-load.XXXXXX)
	go build -trimpath -ldflags "-s -w" -o "$W/ssocli" ./cmd/ssocli
	go build -o "$W/idcload" ./bench/cmd/idcload
	if [ -n "${BASE:-}" ]; then
		mkdir -p "$W/base-src"
		git archive "$BASE" | tar -x -C "$W/base-src"
		(cd "$W/base-src" && go build -trimpath -ldflags "-s -w" -o "$W/ssocli-base" ./cmd/ssocli)
	fi
	state="in --data-dir"
	[ -z "${MEM:-}" ] || state="in memory"
	echo "load: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)${BASE:+, base $(git rev-parse --short "$BASE")}, state $state"
	export SSOCLI_BENCH_INSIDE=1 W
	exec unshare -n bash "$root/bench/load.sh" "$@"
fi
ip link set lo up
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$W"' EXIT
# serve BIN DIR: start a server, set spid and url.
serve() {
	local dd=()
	[ -n "${MEM:-}" ] || dd=(--data-dir "$2")
	rm -f "$W/url"
	HOME="$W" "$1" serve --addr 127.0.0.1:0 --quiet --auto-approve alice "${dd[@]}" >"$W/url" 2>"$W/serve.log" &
	spid=$!
	for _ in $(seq 100); do [ -s "$W/url" ] && break; sleep 0.05; done
	url=$(head -n1 "$W/url")
}
stop() { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true; spid=; }
mem() { grep -E '^(VmRSS|VmHWM)' "/proc/$spid/status" | tr -s ' \t' ' ' | tr '\n' ' '; }

if [ -n "${BASE:-}" ]; then
	echo "| build | op | workers | requests | seconds | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for _ in $(seq "${ROUNDS:-2}"); do
		for op in grc refresh sts; do
			for b in base new; do
				bin="$W/ssocli"; [ "$b" = base ] && bin="$W/ssocli-base"
				rm -rf "$W/serve"
				serve "$bin" "$W/serve"
				echo -n "| $b "
				"$W/idcload" -url "$url" -ops "$op" "$@" | tail -n1
				stop
			done
		done
	done
	exit 0
fi

serve "$W/ssocli" "$W/serve"
echo "serve idle: $(mem)"
echo
for op in grc refresh sts; do
	"$W/idcload" -url "$url" -ops "$op" "$@" | { [ "$op" = grc ] && cat || tail -n1; }
	echo "$op" >>"$W/ops"
	mem >"$W/mem.$op"
done
echo
for op in grc refresh sts; do echo "serve after $op: $(cat "$W/mem.$op")"; done
