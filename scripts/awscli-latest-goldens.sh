#!/usr/bin/env bash
# Regenerates the error goldens under internal/cli/testdata/awscli-<tag>/errors/
# from the newest AWS CLI v2 (scripts/awscli-latest.sh), one txtar per failure
# situation listed in that directory's cases.json.
#
#   AWSCLI_SRC=/path/to/aws-cli.git scripts/awscli-latest-goldens.sh [case-name...]
#
# It builds ssocli from this tree (for `ssocli serve`, the local Identity Center
# the cases that need a server talk to, and for the logins some cases make
# first), then runs every case inside a private network namespace (unshare -n,
# loopback only), each in a fresh temporary HOME holding the case's ~/.aws files
# and nothing from the caller's environment. See scripts/oracle/error_goldens.py
# for the case format and the normalisation of volatile parts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tag=$("$here/awscli-latest.sh" --version-tag)
"$here/awscli-latest.sh" --version >/dev/null # extract the tree outside the namespace
out="$root/internal/cli/testdata/awscli-$tag/errors"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/ssocli" ./cmd/ssocli)
exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
  /usr/bin/python3 "$here/oracle/error_goldens.py" --aws "$here/awscli-latest.sh" --ssocli "$bin/ssocli" --dir "$out" "$@"
