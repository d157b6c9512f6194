#!/usr/bin/env bash
# Runs a Windows program under Wine on this Linux machine, for the Windows
# tests (issue 10):
#
#   scripts/wine.sh PROGRAM.exe [ARG...]   run it, pass its output and exit code through
#   scripts/wine.sh setup                  only make the Wine root (done by the run too)
#   scripts/wine.sh stop                   end the shared wineserver now
#
# It also works as `go test -exec`:
#   GOOS=windows go test -exec "$PWD/scripts/wine.sh" ./internal/awsconfig
#
# Go 1.26 programs need Wine >= 8.13 (ProcessPrng) and Go's os.RemoveAll
# needs Wine > 8.0; Debian 12 has only 8.0 (research/portability.md §3.2). So
# the first run builds a Debian trixie root with Wine 10 under $SSOCLI_WINE_ROOT
# (default /var/cache/ssocli/wine-<recipe>) and every run uses it through chroot, as
# root. The root is only *extracted* (mmdebstrap --variant=extract: Wine and
# its dependencies, no maintainer scripts, no apt, no dpkg database): about
# 30 s instead of about 2 minutes for a full debootstrap plus apt-get install.
# Later runs find it and start at once.
#
# Each run happens in a private network namespace with only loopback up, so a
# test cannot reach anything off the machine, and a private mount namespace, so
# nothing it mounts outlives it. The host's file system is visible inside at
# /host (Z:\host in Windows terms): the program and the working directory are
# translated there, so `go test -exec` and relative paths (testdata/) work.
# Other absolute Linux paths in arguments are passed as they are.
#
# One wineserver is shared by consecutive runs (it lingers $SSOCLI_WINE_PERSIST
# seconds, 60 by default, after the last program ends): a warm run costs about
# 0.1 s instead of about 1 s. It and Wine's helper processes are started with
# no standard streams, because helpers that inherited a run's output pipe would
# hold it open after the run ends (`go test -exec` then waits for them).
set -euo pipefail

# Bump when the recipe below changes. Each recipe has its own root, so that
# checkouts of different ages on one machine never rebuild each other's.
recipe=2
root=${SSOCLI_WINE_ROOT:-/var/cache/ssocli/wine-$recipe}
mirror=${SSOCLI_WINE_MIRROR:-http://deb.debian.org/debian}
suite=trixie
persist=${SSOCLI_WINE_PERSIST:-60}

self=$(readlink -f "$0")

die() { echo "wine.sh: $*" >&2; exit 125; }

[ "$(id -u)" = 0 ] || die "must run as root (it uses chroot and namespaces): run it with sudo"

# setup makes the Wine root once. Concurrent callers wait on one lock; the
# root appears under its final name only when it is complete.
setup() {
  if [ "$(cat "$root/.ssocli-wine" 2>/dev/null)" = "$recipe" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$root")"
  exec 9>"$root.lock"
  flock 9
  if [ "$(cat "$root/.ssocli-wine" 2>/dev/null)" = "$recipe" ]; then
    exec 9>&-
    return 0
  fi
  local need=()
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  command -v ip >/dev/null || need+=(iproute2)
  if [ ${#need[@]} -gt 0 ]; then
    echo "wine.sh: installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  local start=$SECONDS new="$root.new"
  # Only an unfinished build can be here (a finished one has the stamp).
  rm -rf "$new" "$root"
  echo "wine.sh: making a Debian $suite root with Wine in $root (once)" >&2
  mmdebstrap --quiet --variant=extract --mode=root --include=wine64,wine \
    "$suite" "$new" "$mirror" >"$root.log" 2>&1 || { cat "$root.log" >&2; die "mmdebstrap failed (log above)"; }
  # What an install would have done and the extraction does not: the merged
  # /usr links, the mount points, and libwine's postinst, which copies zlib
  # from libz-mingw-w64 marked as a Wine builtin DLL (user32.dll needs it).
  local d
  for d in bin sbin lib lib64; do [ -e "$new/$d" ] || ln -s "usr/$d" "$new/$d"; done
  mkdir -p "$new/proc" "$new/sys" "$new/dev" "$new/host" "$new/root" "$new/tmp" "$new/run/user/0"
  chmod 1777 "$new/tmp"
  # localhost resolves from the hosts file, as on Windows itself (netbase,
  # which would bring it, is not extracted).
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$new/etc/hosts"
  printf 'hosts: files\n' >"$new/etc/nsswitch.conf"
  chmod 700 "$new/run/user/0"
  local pair in out
  for pair in i686:i386 x86_64:x86_64; do
    in="$new/usr/${pair%%:*}-w64-mingw32/lib/zlib1.dll"
    out="$new/usr/lib/x86_64-linux-gnu/wine/${pair##*:}-windows/zlib1.dll"
    { head -c 64 "$in"; printf '%b' 'Wine builtin DLL\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'; tail -c +97 "$in"; } >"$out"
  done
  # Make the Wine prefix now, so that no test run pays for it.
  inside "$new" boot >>"$root.log" 2>&1 || { cat "$root.log" >&2; die "wineboot failed (log above)"; }
  echo "$recipe" >"$new/.ssocli-wine"
  mv "$new" "$root"
  echo "wine.sh: $(inside "$root" version 2>/dev/null) ready in $((SECONDS - start)) s" >&2
  exec 9>&-
}

# inside ROOT ACTION [ARG...] runs ACTION in a new network and mount
# namespace, chrooted into ROOT (this script re-runs itself there).
inside() {
  local r=$1
  shift
  unshare --mount --net --propagation private bash "$self" __inside "$r" "$@"
}

# The environment of the Windows program: the caller's, less what would point
# Wine elsewhere or mean nothing inside the root.
wine_env() {
  local v
  local args=(-u DISPLAY -u WAYLAND_DISPLAY -u TMPDIR -u TMP -u TEMP -u LD_PRELOAD -u LD_LIBRARY_PATH)
  for v in $(compgen -e); do
    case $v in WINE*) args+=(-u "$v") ;; esac
  done
  args+=(PATH=/usr/bin:/bin HOME=/root XDG_RUNTIME_DIR=/run/user/0 WINEPREFIX=/root/wineprefix
    WINEDEBUG=-all WINELOADER=/usr/lib/wine/wine64 WINESERVER=/usr/lib/wine/wineserver64)
  printf '%s\0' "${args[@]}"
}

in_namespace() {
  local r=$1 action=$2
  shift 2
  ip link set lo up
  mount --rbind / "$r/host"
  mount -t proc proc "$r/proc"
  mount -t sysfs sysfs "$r/sys"
  mount --rbind /dev "$r/dev"
  local envargs=()
  mapfile -d '' envargs < <(wine_env)
  wine() { env "${envargs[@]}" /usr/sbin/chroot "$r" /usr/lib/wine/wine64 "$@"; }
  case $action in
    boot)
      wine wineboot -i </dev/null
      env "${envargs[@]}" /usr/sbin/chroot "$r" /usr/lib/wine/wineserver64 -w
      ;;
    version) wine --version ;;
    stop) env "${envargs[@]}" /usr/sbin/chroot "$r" /usr/lib/wine/wineserver64 -k 2>/dev/null || true ;;
    run)
      # Start the shared server and Wine's helpers with no standard streams
      # (exit status 2: one is running already).
      env "${envargs[@]}" /usr/sbin/chroot "$r" /usr/lib/wine/wineserver64 -p"$persist" </dev/null >/dev/null 2>&1 || true
      wine cmd /c exit </dev/null >/dev/null 2>&1 || true
      local prog=$1
      shift
      case $prog in /*) ;; *) prog="$PWD/$prog" ;; esac
      exec env "${envargs[@]}" /usr/bin/unshare --root="$r" --wd="/host$PWD" /usr/lib/wine/wine64 "/host$prog" "$@"
      ;;
  esac
}

case ${1:-} in
  __inside) shift; in_namespace "$@" ;;
  setup) setup ;;
  stop) [ -e "$root/.ssocli-wine" ] && inside "$root" stop ;;
  "" | -h | --help) sed -n '2,8p' "$0" >&2; exit 2 ;;
  *)
    [ -f "$1" ] || die "no such program: $1"
    setup
    inside "$root" run "$@"
    ;;
esac
