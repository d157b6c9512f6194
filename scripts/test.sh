#!/usr/bin/env bash
# Installs what the tests need when it is missing (Debian's awscli, chromium,
# nodejs with npm (and the AWS SDK for JavaScript from npm, below) and
# python3-boto3 with botocore,
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
command -v zip >/dev/null || need+=(zip)
command -v unzip >/dev/null || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The AWS SDK for JavaScript v3 of the interop tests, pinned by its lock
# file, installed (from the npm registry) into a cache directory keyed by the
# lock's digest, only when it is not there yet; the tests run offline.
command -v npm >/dev/null || { echo "installing: nodejs npm" >&2; sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
sdkjs_src=internal/interop/testdata/sdkjs
sdkjs_sum=$(sha256sum "$sdkjs_src/package-lock.json" | cut -c1-12)
export SSOCLI_SDKJS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ssocli-test/sdkjs-$sdkjs_sum"
if [ ! -f "$SSOCLI_SDKJS_DIR/node_modules/@aws-sdk/client-sts/package.json" ]; then
  echo "installing the AWS SDK for JavaScript into $SSOCLI_SDKJS_DIR" >&2
  mkdir -p "$SSOCLI_SDKJS_DIR"
  cp "$sdkjs_src/package.json" "$sdkjs_src/package-lock.json" "$SSOCLI_SDKJS_DIR/"
  npm ci --prefix "$SSOCLI_SDKJS_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi

unformatted=$(gofmt -l cmd internal)
if [ -n "$unformatted" ]; then
  echo "gofmt is needed on:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 -timeout 30m ./...

# Windows and macOS (issue 10): every package and every test package vets and
# compiles for both, on amd64 and arm64. go list -export compiles without
# linking; the windows/amd64 test binaries are linked and run under Wine next.
for target in windows/amd64 windows/arm64 darwin/amd64 darwin/arm64; do
  GOOS=${target%/*} GOARCH=${target#*/} go vet ./...
  GOOS=${target%/*} GOARCH=${target#*/} go list -test -export ./... >/dev/null
done
bash scripts/windows.sh

# The release builds for all six targets, its sums, formula and manifest, and
# `go install ...@vX` (from a local module proxy) are right (scripts/release.sh).
bash scripts/release.sh --check

# The fuzz corpora (testdata/fuzz/*) and seeds were replayed by go test above;
# exploratory fuzzing, which can find new inputs at random, is not part of this
# gate: run scripts/fuzz.sh and commit what it finds. Here only check that its
# target list matches the code.
sh scripts/fuzz.sh --check
