#!/usr/bin/env bash
# Regenerates internal/cli/testdata/awscli-<tag>/vanity/*.golden.json: the
# AWS CLI (the newest v2, scripts/awscli-latest.sh) logs in with each case of
# cases.json against a local Identity Center that answers the case's vanity
# start URLs through its CONNECT proxy, inside a private network namespace
# (loopback only). Needs root (unshare -n). CI does not run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${AWSCLI_SRC:=/work/.mirror/aws+aws-cli/repo}"
export AWSCLI_SRC XDG_CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}"
tag=$("$root/scripts/awscli-latest.sh" --version-tag)
dir="$root/internal/cli/testdata/awscli-$tag/vanity"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/vanitygolden" ./scripts/vanitygolden)
"$root/scripts/awscli-latest.sh" --version >/dev/null # extract the tree outside the namespace
unshare -n sh -c 'ip link set lo up && exec "$0" -aws "$1" -dir "$2"' "$bin/vanitygolden" "$root/scripts/awscli-latest.sh" "$dir"
