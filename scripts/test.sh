#!/usr/bin/env bash
# Installs what the tests need when it is missing (Debian's awscli, chromium,
# python3-boto3 with botocore, node with the AWS SDK for JavaScript v3,
# iproute2 and util-linux for the private network namespace), then runs every
# test. CI runs this same script (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

need=()
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import botocore, boto3' 2>/dev/null || need+=(python3-boto3)
command -v ip >/dev/null || need+=(iproute2)
command -v unshare >/dev/null || need+=(util-linux)
command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The AWS SDK for JavaScript v3 that internal/interop compares the credential
# chain with: the versions pinned in its package-lock.json, installed once into
# a cache directory named by the lock file's hash (the tests look there).
lock=internal/interop/testdata/jssdk/package-lock.json
jsdir="${XDG_CACHE_HOME:-$HOME/.cache}/ssocli/jssdk-$(sha256sum "$lock" | cut -c1-12)"
if [ ! -d "$jsdir/node_modules/@aws-sdk/credential-providers" ]; then
  echo "installing the AWS SDK for JavaScript v3 into $jsdir" >&2
  mkdir -p "$jsdir"
  cp internal/interop/testdata/jssdk/package.json "$lock" "$jsdir/"
  (cd "$jsdir" && npm ci --no-audit --no-fund --loglevel=error)
fi

unformatted=$(gofmt -l cmd internal)
if [ -n "$unformatted" ]; then
  echo "gofmt is needed on:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 -timeout 30m ./...

# The fuzz corpora (testdata/fuzz/*) and seeds were replayed by go test above;
# exploratory fuzzing, which can find new inputs at random, is not part of this
# gate: run scripts/fuzz.sh and commit what it finds. Here only check that its
# target list matches the code.
sh scripts/fuzz.sh --check
