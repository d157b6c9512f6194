#!/usr/bin/env bash
# Runs the newest AWS CLI v2 from its public source tree (github.com/aws/aws-cli)
# on Debian's python3: the oracle the goldens under internal/*/testdata/awscli-<version>/
# are made with. It is not part of the test gate (CI compares against the
# committed goldens); run it to regenerate them.
#
#   scripts/awscli-latest.sh [aws arguments...]   run it, like `aws`
#   scripts/awscli-latest.sh --version-tag         print the tag it runs (e.g. 2.36.7)
#
# AWSCLI_SRC names a git directory of aws/aws-cli (a clone or a mirror); without it
# the script clones https://github.com/aws/aws-cli into its cache. AWSCLI_TAG picks
# a tag (default: the newest 2.x tag). The tree is extracted once into
# ${XDG_CACHE_HOME:-$HOME/.cache}/ssocli-oracle/awscli-<tag>.
#
# Debian's awscrt predates a few crypto classes and one logging call that only
# `aws login`, some EC2/CloudTrail customizations and --debug use; scripts/oracle/
# sitecustomize.py adds inert stand-ins so that the rest imports. Nothing the goldens
# cover goes through them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ssocli-oracle"
mkdir -p "$cache"

src="${AWSCLI_SRC:-}"
if [ -z "$src" ]; then
  src="$cache/aws-cli.git"
  [ -d "$src" ] || git clone -q --bare https://github.com/aws/aws-cli.git "$src" >&2
fi
tag="${AWSCLI_TAG:-$(git -C "$src" tag --list '2.*' | sort -V | tail -1)}"
if [ "${1:-}" = "--version-tag" ]; then
  echo "$tag"
  exit 0
fi

tree="$cache/awscli-$tag"
if [ ! -f "$tree/bin/aws" ]; then
  mods=(jmespath ruamel.yaml prompt_toolkit distro dateutil urllib3 docutils colorama awscrt wcwidth cryptography)
  pkgs=(python3-jmespath python3-ruamel.yaml python3-prompt-toolkit python3-distro python3-dateutil python3-urllib3 python3-docutils python3-colorama python3-awscrt python3-wcwidth python3-cryptography)
  for i in "${!mods[@]}"; do
    if ! /usr/bin/python3 -c "import ${mods[$i]}" 2>/dev/null; then
      sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
      break
    fi
  done
  tmp=$(mktemp -d "$cache/.extract.XXXXXX")
  git -C "$src" archive "$tag" | tar -x -C "$tmp"
  rm -rf "$tree"
  mv "$tmp" "$tree"
fi
export PYTHONPATH="$here/oracle:$tree"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$tree/bin/aws" "$@"
