#!/usr/bin/env bash
# bench/compare.sh: ssocli and the real AWS CLI (/usr/bin/aws) side by side,
# in one command. It builds ssocli as released (CGO_ENABLED=0 go build -trimpath -ldflags
# "-s -w"), the floor (bench/floor: a static Go binary that reads one small
# file) and the tools of bench/cmd, then re-runs itself inside a private
# network namespace (unshare -n) where it starts the local IAM Identity Center
# on loopback, writes one HOME with one ~/.aws/config that both tools use,
# logs in, warms the role cache, and times, alternating the tools round by
# round (bench/cmd/alternate):
#
#   export  configure export-credentials from a warm cache (+ the floor, a
#           chained role profile (role_arn on an SSO profile) next to the SSO
#           profile, and
#           two experiments: ssocli built with CGO_ENABLED=0, and
#           bench/cmd/leanexport, the cached path without the rest of ssocli)
#   sts     sts get-caller-identity (warm role cache, one signed STS call)
#   login   sso login, device code, approved at once by the server
#
# then peak RSS with /usr/bin/time -v and the package-init profile of ssocli
# (GODEBUG=inittrace=1). Everything talks to loopback inside the namespace.
#
# Usage: bench/compare.sh            (about 2-4 minutes on 2 cores)
# Environment:
#   RUNS=20        measured runs of each command in each group (>= 20 for the report)
#   LOGIN_RUNS     runs for the login group (default RUNS)
#   SERVER=bench   bench: bench/cmd/benchserve, approving logins at once;
#                  ssocli: `ssocli serve --auto-approve alice` (logins then take
#                  ~6 s each: 1 s approval delay + a SlowDown answer to the
#                  immediate second poll that both tools make)
#   OUT=FILE       also write the report to FILE
#   KEEP=1         keep the work directory
#   PROFILES=N     profiles in ~/.aws/config (default 1): N-1 generated SSO
#                  profiles (a comment every tenth) before the one asked for;
#                  PROFILES=1001 is issue 14's 121 KB file
#   GROUP=G        time only group G (export, sts or login)
#   BASE=REV       also build ssocli at git revision REV and time it in the
#                  same rounds ("ssocli-base"): before and after, interleaved
set -euo pipefail

if [ "${SSOCLI_BENCH_INSIDE:-}" != 1 ]; then
	root=$(cd "$(dirname "$0")/.." && pwd)
	cd "$root"
	need() { command -v "$1" >/dev/null 2>&1 || { echo "compare.sh: installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
	[ -x /usr/bin/time ] || need /usr/bin/time time
	need unshare util-linux
	need ip iproute2
	[ -x /usr/bin/aws ] || { echo "compare.sh: installing awscli" >&2; apt-get install -y awscli >/dev/null; }
	W=$(mktemp -d /tmp/ssocli-compare.XXXXXX)
	echo "compare.sh: building into $W" >&2
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$W/ssocli" ./cmd/ssocli
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$W/floor" ./bench/floor
	# Two experiments next to the released build: the same ssocli linked
	# statically (no cgo, no dynamic loader), and bench/cmd/leanexport, the
	# cached path alone without the rest of ssocli linked in.
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$W/ssocli-static" ./cmd/ssocli
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$W/lean" ./bench/cmd/leanexport
	go build -o "$W/alternate" ./bench/cmd/alternate
	if [ -n "${BASE:-}" ]; then
		mkdir -p "$W/base-src"
		git archive "$BASE" | tar -x -C "$W/base-src"
		(cd "$W/base-src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$W/ssocli-base" ./cmd/ssocli)
		base=$(git rev-parse --short "$BASE")
		export base
	fi
	go build -o "$W/benchserve" ./bench/cmd/benchserve
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	dirty=$(git status --porcelain -- cmd internal 2>/dev/null | wc -l)
	gover=$(go version | cut -d' ' -f3)
	export SSOCLI_BENCH_INSIDE=1 W commit dirty gover
	exec unshare -n bash "$root/bench/compare.sh" "$@"
fi

# Inside the namespace from here on.
ip link set lo up
RUNS=${RUNS:-20}
LOGIN_RUNS=${LOGIN_RUNS:-$RUNS}
SERVER=${SERVER:-bench}
mkdir -p "$W/home/.aws" "$W/serve"
spid=
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	[ "${KEEP:-}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT

case "$SERVER" in
bench) "$W/benchserve" -data-dir "$W/serve" >"$W/url" 2>"$W/serve.log" & ;;
ssocli) "$W/ssocli" serve --addr 127.0.0.1:0 --quiet --auto-approve alice --data-dir "$W/serve" >"$W/url" 2>"$W/serve.log" & ;;
*) echo "compare.sh: SERVER must be bench or ssocli" >&2; exit 2 ;;
esac
spid=$!
for _ in $(seq 100); do [ -s "$W/url" ] && break; sleep 0.05; done
url=$(head -n1 "$W/url")
[ -n "$url" ] || { echo "compare.sh: the server did not start" >&2; cat "$W/serve.log" >&2; exit 1; }

cat >"$W/home/.aws/config" <<EOF
[sso-session corp]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

EOF
PROFILES=${PROFILES:-1}
for i in $(seq 2 "$PROFILES"); do
	[ $((i % 10)) = 0 ] && echo "# team $i: generated by bench/compare.sh (PROFILES=$PROFILES)"
	printf '[profile fill-%d]\nsso_session = corp\nsso_account_id = %012d\nsso_role_name = Role%d\nregion = us-west-2\noutput = json\n\n' "$i" "$i" "$i"
done >>"$W/home/.aws/config"
cat >>"$W/home/.aws/config" <<EOF
[profile p]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2
output = json

[profile admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region = us-west-2

[profile chained]
role_arn = arn:aws:iam::444455556666:role/Deployer
source_profile = admin
region = us-west-2
EOF

# One environment for both tools and everything they start (spec §12):
# nothing of the outer environment but PATH.
run() {
	env -i PATH="$PATH" HOME="$W/home" HTTPS_PROXY="$url" AWS_CA_BUNDLE="$W/serve/ca.pem" \
		AWS_EC2_METADATA_DISABLED=true AWS_PAGER= BROWSER=/bin/false "$@"
}

# Log in with each tool once (registration and token cached), then warm the
# role cache; the AWS CLI must read the cache ssocli wrote, and vice versa.
run "$W/ssocli" sso login --profile p --use-device-code --no-browser >/dev/null 2>&1
run /usr/bin/aws sso login --profile p --no-browser >/dev/null 2>&1
run "$W/ssocli" configure export-credentials --profile p >/dev/null
run /usr/bin/aws configure export-credentials --profile p >/dev/null
# A role assumed from an SSO profile (issue 9), warm in ~/.aws/cli/cache. The
# AWS CLI 2.9.19 cannot resolve it (aws-cli#7496), so only ssocli runs it.
run "$W/ssocli" configure export-credentials --profile chained >/dev/null
rolefile=$(ls "$W/home/.aws/cli/cache/"*.json | head -n1)

cat >"$W/commands" <<EOF
export floor $W/floor $rolefile
export ssocli $W/ssocli configure export-credentials --profile p
export ssocli-chained $W/ssocli configure export-credentials --profile chained
EOF
[ -n "${BASE:-}" ] && echo "export ssocli-base $W/ssocli-base configure export-credentials --profile p" >>"$W/commands"
cat >>"$W/commands" <<EOF
export aws /usr/bin/aws configure export-credentials --profile p
export ssocli-static $W/ssocli-static configure export-credentials --profile p
export lean-experiment $W/lean p
sts ssocli $W/ssocli sts get-caller-identity --profile p
sts aws /usr/bin/aws sts get-caller-identity --profile p
login ssocli $W/ssocli sso login --profile p --use-device-code --no-browser
login aws /usr/bin/aws sso login --profile p --no-browser
EOF

report() {
	echo "## ssocli vs the AWS CLI, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "- machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), Linux $(uname -r)"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- ssocli: commit $commit ($dirty uncommitted files under cmd/ internal/), $gover, $(stat -c %s "$W/ssocli") bytes"
	echo "- AWS CLI: $(run /usr/bin/aws --version 2>&1)"
	[ -n "${BASE:-}" ] && echo "- ssocli-base: commit $base (BASE=$BASE)"
	echo "- ~/.aws/config: $PROFILES profiles, $(stat -c %s "$W/home/.aws/config") bytes"
	echo "- server: $SERVER ($url, CONNECT proxy + CA as in spec §12); command: bench/compare.sh (RUNS=$RUNS LOGIN_RUNS=$LOGIN_RUNS PROFILES=$PROFILES${GROUP:+ GROUP=$GROUP}${BASE:+ BASE=$BASE})"
	run "$W/alternate" -runs "$RUNS" -runs-for "login=$LOGIN_RUNS" ${GROUP:+-group "$GROUP"} -json "$W/samples.json" "$W/commands"

	if perf stat -e page-faults true >/dev/null 2>&1; then
		echo
		echo "### page faults and task clock (perf stat -r 20, one command after the other)"
		echo
		echo "| command | page faults | task-clock ms |"
		echo "| --- | ---: | ---: |"
		while read -r _ name argv; do
			case "$name" in aws) continue ;; esac
			# shellcheck disable=SC2086
			run perf stat -x, -e page-faults,task-clock -r 20 -o "$W/perf.txt" $argv >/dev/null 2>&1
			echo "| $name | $(awk -F, '$3 ~ /page-faults/ {print $1}' "$W/perf.txt") | $(awk -F, '$3 ~ /task-clock/ {printf "%.2f", $1}' "$W/perf.txt") |"
		done < <(grep '^export ' "$W/commands")
	fi

	echo
	echo "### peak RSS, one run each (/usr/bin/time -v)"
	echo
	echo "| command | max RSS KiB | wall |"
	echo "| --- | ---: | ---: |"
	while read -r _ name argv; do
		case "$name" in floor | ssocli | aws) ;; *) continue ;; esac
		# shellcheck disable=SC2086
		run /usr/bin/time -v -o "$W/time.txt" $argv >/dev/null 2>&1
		echo "| $name export | $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time.txt") | $(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/time.txt") |"
	done < <(grep '^export ' "$W/commands")

	echo
	echo "### ssocli start-up: package initialisation (GODEBUG=inittrace=1, configure export-credentials)"
	echo
	run env GODEBUG=inittrace=1 "$W/ssocli" configure export-credentials --profile p 2>"$W/inittrace" >/dev/null
	awk '/^init /{n++; total+=$5; bytes+=$8; allocs+=$10; at=substr($3, 2)+$5}
		END {printf "- %d packages initialised: %.3f ms clock, %d bytes, %d allocs in all; the last init ended %.2f ms after the process started\n\n", n, total, bytes, allocs, at}' "$W/inittrace"
	echo "| packages | count | init ms | bytes |"
	echo "| --- | ---: | ---: | ---: |"
	awk '/^init /{pkg=$2; mod="std"
		if (pkg ~ /^github.com\/aws\//) mod="github.com/aws/*"; else if (pkg ~ /^github.com\/spf13\//) mod="github.com/spf13/*"
		else if (pkg ~ /^github.com\/ssocli\//) mod="github.com/ssocli/*"; else if (pkg ~ /^golang.org\/x\//) mod="golang.org/x/*"
		else if (pkg ~ /\./) mod=pkg
		ms[mod]+=$5; cnt[mod]++; b[mod]+=$8}
		END {for (m in ms) printf "%.3f|%s|%d|%d\n", ms[m], m, cnt[m], b[m]}' "$W/inittrace" |
		sort -t'|' -k1 -rn | awk -F'|' '{printf "| %s | %d | %.3f | %d |\n", $2, $3, $1, $4}'
	echo
	echo "slowest packages:"
	echo
	awk '/^init /{printf "%s - %s: %s ms, %s bytes, %s allocs\n", $5, $2, $5, $8, $10}' "$W/inittrace" | sort -rn | head -n 10 | sed 's/^[^ ]* //'
}

if [ -n "${OUT:-}" ]; then
	report | tee "$OUT"
else
	report
fi
