#!/usr/bin/env bash
# Regenerates the goldens of `aws configure list` (and of what only 2.36 has of
# `configure get` and `set`) under internal/cli/testdata/awscli-<tag>/configure-list/
# and configure-get-set/ with the newest AWS CLI v2
# (scripts/awscli-latest.sh), against a local IAM Identity Center (`ssocli serve`)
# for the IAM Identity Center cases, all inside a private network namespace
# (unshare -n, as root), so nothing can leave the machine.
#
#   scripts/awscli-configure-goldens.sh
#
# Each case directory holds its inputs (see the README.md there); this script
# writes stdout, stderr and exit next to them. ssocli logs in for the cases
# with a `login` file (the AWS CLI then reads ssocli's token cache, and calls
# GetRoleCredentials on the local server, as it would on AWS).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export AWSCLI_SRC="${AWSCLI_SRC:-/work/.mirror/aws+aws-cli/repo}"

if [ "${SSOCLI_GOLDENS_NETNS:-}" != 1 ]; then
  # Outside the namespace: build ssocli and extract the AWS CLI's tree
  # (both may need the network), then run this script again inside one.
  tag=$("$here/awscli-latest.sh" --version-tag)
  "$here/awscli-latest.sh" --version >/dev/null
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$root" && go build -o "$work/ssocli" ./cmd/ssocli)
  SSOCLI_GOLDENS_NETNS=1 SSOCLI_BIN="$work/ssocli" AWSCLI_TAG="$tag" XDG_CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}" \
    unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
  exit
fi

tag="$AWSCLI_TAG"
bin="$SSOCLI_BIN"
goldens="$root/internal/cli/testdata/awscli-$tag"
[ -d "$goldens/configure-list" ] || { echo "no cases in $goldens/configure-list" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "${serve_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The local Identity Center, approving every login as alice at once.
"$bin" serve --addr 127.0.0.1:0 --auto-approve alice --auto-approve-delay 0 \
  --data-dir "$work/serve" >"$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  grep -q '^  start URL' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^Local IAM Identity Center listening on //p' "$work/serve.out")
start_url=$(sed -n 's/^  start URL  \([^ ]*\) .*/\1/p' "$work/serve.out")
sso_region=$(sed -n 's/^  start URL  .*(region \(.*\))$/\1/p' "$work/serve.out")
account=$(sed -n 's/^sso_account_id = //p' "$work/serve.out")
role=$(sed -n 's/^sso_role_name = //p' "$work/serve.out")
[ -n "$url" ] && [ -n "$account" ] || { cat "$work/serve.out" >&2; exit 1; }

for dir in "$goldens"/configure-list/*/ "$goldens"/configure-get-set/*/; do
  name=$(basename "$(dirname "$dir")")/$(basename "$dir")
  home="$work/home-${name/\//-}"
  command=(configure)
  [ "${name%%/*}" = configure-list ] && command=(configure list)
  mkdir -p "$home/.aws"
  for f in config credentials; do
    if [ -f "$dir/$f" ]; then
      sed -e "s|START_URL|$start_url|g" -e "s|SSO_REGION|$sso_region|g" \
        -e "s|ACCOUNT|$account|g" -e "s|ROLE|$role|g" "$dir/$f" >"$home/.aws/$f"
    fi
  done
  if [ -f "$dir/elsewhere.config" ]; then
    mkdir -p "$home/elsewhere"
    cp "$dir/elsewhere.config" "$home/elsewhere/config"
  fi
  envs=(PATH=/usr/bin:/bin HOME="$home" AWS_EC2_METADATA_DISABLED=true AWS_PAGER= AWS_ENDPOINT_URL="$url")
  if [ -f "$dir/env" ]; then
    while IFS= read -r line; do envs+=("${line//HOME/$home}"); done <"$dir/env"
  fi
  args=()
  while IFS= read -r line; do args+=("$line"); done <"$dir/args"
  if [ -f "$dir/login" ]; then
    env -i "${envs[@]}" "$bin" sso login --profile "$(cat "$dir/login")" --use-device-code --no-browser >/dev/null
  fi
  # awscli-latest.sh finds its extracted tree through these three.
  aws=(env -i "${envs[@]}" XDG_CACHE_HOME="$XDG_CACHE_HOME" AWSCLI_SRC="$AWSCLI_SRC" AWSCLI_TAG="$tag"
    "$here/awscli-latest.sh" "${command[@]}" "${args[@]}")
  if [ -f "$dir/warm" ]; then
    "${aws[@]}" >/dev/null 2>&1
  fi
  set +e
  "${aws[@]}" >"$work/stdout" 2>"$work/stderr"
  echo $? >"$dir/exit"
  set -e
  # The home directory, and the last four characters of role credentials
  # (new on every run), normalised.
  sed -e "s|$home|HOME|g" \
    -e 's/^\(access_key\|secret_key\) : \*\{16\}[^ ]\{4\}\( *: sso \)/\1 : ****************XXXX\2/' \
    "$work/stdout" >"$dir/stdout"
  sed -e "s|$home|HOME|g" "$work/stderr" >"$dir/stderr"
  if [ "${name%%/*}" = configure-get-set ]; then
    for f in config credentials; do
      rm -f "$dir/$f.after"
      if [ -f "$home/.aws/$f" ]; then cp "$home/.aws/$f" "$dir/$f.after"; fi
    done
  fi
  echo "$name: exit $(cat "$dir/exit")"
done
