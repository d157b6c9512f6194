#!/bin/sh
# Measures `ssocli configure populate` against a large organisation: a local
# Identity Center with ACCOUNTS accounts × ROLES roles that throttles the
# portal at RATE requests a second (TooManyRequestsException above it), and
# compares the wall time with the floor: requests / rate, where requests =
# ceil(ACCOUNTS/100) ListAccounts pages + ACCOUNTS ListAccountRoles calls.
#
# Usage: bench/populate.sh [ACCOUNTS [ROLES [RATE]]]   (defaults 1000 3 20)
# Everything stays on loopback, in a temporary HOME.
set -eu
ACCOUNTS=${1:-1000}
ROLES=${2:-3}
RATE=${3:-20}

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
go build -o "$work/ssocli" ./cmd/ssocli

"$work/ssocli" serve --addr 127.0.0.1:0 --quiet --auto-approve alice \
	--generate-accounts "$ACCOUNTS" --roles-per-account "$ROLES" --rate-limit "$RATE" >"$work/addr" 2>"$work/serve.log" &
server=$!
i=0
while [ ! -s "$work/addr" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "server did not start:"; cat "$work/serve.log"; exit 1; }
	sleep 0.1
done
url=$(head -n1 "$work/addr")

export HOME="$work/home" AWS_ENDPOINT_URL="$url" BROWSER=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE HTTPS_PROXY https_proxy HTTP_PROXY http_proxy
mkdir -p "$HOME/.aws"
printf '[sso-session corp]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = us-east-1\n' >"$HOME/.aws/config"
"$work/ssocli" sso login --sso-session corp --use-device-code >/dev/null

requests=$(( (ACCOUNTS + 99) / 100 + ACCOUNTS ))
start=$(date +%s.%N)
"$work/ssocli" --debug configure populate --sso-session corp --rate "$RATE" 2>"$work/populate.log"
end=$(date +%s.%N)
profiles=$(grep -c '^\[profile ' "$HOME/.aws/config")
stats=$(grep -o 'populate: .*' "$work/populate.log" || true)
start2=$(date +%s.%N)
cp "$HOME/.aws/config" "$work/first"
"$work/ssocli" configure populate --sso-session corp --rate "$RATE" 2>/dev/null
end2=$(date +%s.%N)
cmp -s "$HOME/.aws/config" "$work/first" && same=yes || same=NO

awk -v s="$start" -v e="$end" -v s2="$start2" -v e2="$end2" -v r="$requests" -v rate="$RATE" -v p="$profiles" -v st="$stats" -v same="$same" 'BEGIN {
	floor = r / rate
	printf "populate: %d profiles, %s\n", p, st
	printf "first run:  %.1f s   second run: %.1f s (file unchanged: %s)\n", e - s, e2 - s2, same
	printf "floor:      %.1f s   (%d requests / %g per second); first run is %.1f%% over the floor\n", floor, r, rate, ((e - s) / floor - 1) * 100
}'
