#!/usr/bin/env bash
# The README's two commands on a machine nobody touched (issue #9).
#
# Makes a clean Debian 12 (bookworm) root with `mmdebstrap --variant=minbase`, puts a clean
# export of the committed tree (`git archive HEAD`) and a copy of ../shared beside it, and there
#   1. installs the packages (`scripts/install-deps.sh`, timed on its own), runs the README's main
#      command exactly as written (`scripts/demo.sh`: install check, build, demo), and
#   2. builds every test target the README's test command builds (`scripts/test.sh --build-only`:
#      Release suite, ASan+UBSan suite, libFuzzer targets).
# Everything the project needs must come from scripts/install-deps.sh: a package installed on this
# host by hand is invisible in there. Prints each step with its time and ends with one line,
# `fresh-check: passed` or `fresh-check: FAILED at <step>: <first error line>`, exit 0 or 1.
#
# Usage: scripts/fresh-check.sh [--keep] [--root DIR] [--logs DIR] [--ccache DIR]
#   --keep        keep the root afterwards (default: removed)
#   --root DIR    where to make the root (default: a new directory under ${TMPDIR:-/var/tmp})
#   --logs DIR    where each step's full output goes (default: build-fresh/ in the work tree)
#   --ccache DIR  lend the root this compiler cache (bind mount; CI lends the host's). A cache
#                 cannot hide a missing package: configure and link are never cached, and a
#                 cached compile is used only when every header it read is present with the
#                 same content; otherwise ccache preprocesses, which fails like the compiler.
# Environment: FRESH_MIRROR (default http://deb.debian.org/debian), FRESH_SECURITY_MIRROR.
#
# Runs as root. Never changes the host's packages (only installs mmdebstrap if it is missing);
# unmounts everything it mounted, also on failure or interrupt. Package downloads are retried
# up to 3 times (apt's Acquire::Retries inside the root, and the bootstrap itself).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

keep=0; root=""; logs="$top/build-fresh"; ccache_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --root) root=${2:?--root needs a directory}; shift ;;
    --logs) logs=${2:?--logs needs a directory}; shift ;;
    --ccache) ccache_dir=${2:?--ccache needs a directory}; shift ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-check: FAILED at setup: must run as root (it makes a chroot and mounts into it)"; exit 1
fi
shared_src=${TAC_SHARED:-$top/../shared}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
security=${FRESH_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
mkdir -p "$logs"
[ -n "$root" ] || root=$(mktemp -d "${TMPDIR:-/var/tmp}/tac-fresh.XXXXXX")
mounted=()
started=$(date +%s.%N)

# --- cleanup: unmount in reverse order, then remove the root (never across a live mount) -----
cleanup() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  mounted=()
  if [ "$keep" -eq 0 ] && [ -d "$root" ]; then
    if grep -qF " $root/" /proc/self/mountinfo || grep -qF " $root " /proc/self/mountinfo; then
      echo "fresh-check: something is still mounted under $root; not removing it" >&2
    else
      rm -rf --one-file-system "$root"
    fi
  elif [ "$keep" -eq 1 ]; then
    echo "fresh-check: root kept at $root"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- steps: each prints its time; the first failure ends the check with its first error line --
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
first_error() {  # the first error-looking line with its continuation lines (up to a blank line)
  local n text
  # (ninja's progress lines and file names such as error.cpp are not errors)
  n=$(grep -n -E '(^|[^a-z])(error|Error|ERROR|E:|FAILED|Failed|fatal|No such file|not found|cannot|Terminated|Killed)' "$1" \
      | grep -v -E '^[0-9]+:\[[0-9]+/[0-9]+\] |Werror|-Wno-error|error_on|errors?\.(hpp|cpp|o)' | head -1 | cut -d: -f1)
  if [ -n "$n" ]; then
    text=$(tail -n +"$n" "$1" | awk 'NR > 1 && /^[[:space:]]*$/ {exit} {print}' | head -4 | tr -s ' \t\r\n' ' ')
  else
    text=$(grep -v '^[[:space:]]*$' "$1" | tail -1)
  fi
  printf '%s' "${text:-no output}" | cut -c1-300
}
step() {  # step NAME COMMAND...
  local name=$1; shift
  local log="$logs/$name.log" t0
  t0=$(date +%s.%N)
  printf 'fresh-check: %-22s ... ' "$name"
  if "$@" >"$log" 2>&1; then
    echo "ok    $(elapsed "$t0") s"
  else
    local rc=$?
    echo "FAILED (exit $rc) after $(elapsed "$t0") s; last lines of $log:"
    tail -n 25 "$log" | sed 's/^/  | /'
    echo "fresh-check: FAILED at $name: $(first_error "$log")"
    exit 1
  fi
}
retry3() {  # a download-bound command, tried up to 3 times
  local n
  for n in 1 2 3; do
    "$@" && return 0
    echo "fresh-check: attempt $n of 3 failed: $*" >&2
    [ "$n" -lt 3 ] && sleep $((n * 10))
  done
  return 1
}
in_root() {  # a clean login environment inside the root, from the exported work tree
  local cache_env=()
  # Paths relative to /root/work, so that objects compiled
  # on the host (CCACHE_BASEDIR = the parent of its work tree) are found here.
  # NOHASHDIR: -g compiles (ASan, fuzz) would otherwise key on the working directory and miss.
  [ -z "$ccache_dir" ] || cache_env=(CCACHE_DIR=/root/.cache/ccache CCACHE_BASEDIR=/root/work CCACHE_NOHASHDIR=1)
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 "${cache_env[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "cd /root/work/main && $1"
}

# --- the steps -------------------------------------------------------------------------------
host_tools() {
  if ! command -v mmdebstrap >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap
  fi
  git rev-parse --verify HEAD >/dev/null
  [ -d "$shared_src" ] || { echo "error: no shared folder at $shared_src (set TAC_SHARED)"; return 1; }
}
bootstrap() {
  [ -z "$(ls -A "$root" 2>/dev/null)" ] || rm -rf --one-file-system "${root:?}"/*
  # The sources a fresh Debian 12 machine has (main, updates, security). Release files of a
  # mirror snapshot may be past their Valid-Until date; the archive signatures are still checked.
  retry3 mmdebstrap --variant=minbase --mode=root \
    --aptopt='Acquire::Retries "3"' --aptopt='Acquire::Check-Valid-Until "false"' \
    bookworm "$root" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main"
}
mount_into_root() {
  local m
  for m in proc sys dev dev/pts dev/shm; do mkdir -p "$root/$m"; done
  mount -t proc proc "$root/proc" && mounted+=("$root/proc") || return 1
  mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" && mounted+=("$root/sys") || return 1
  mount --bind /dev "$root/dev" && mounted+=("$root/dev") || return 1
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && mounted+=("$root/dev/pts") || return 1
  mount -t tmpfs -o size=4g tmpfs "$root/dev/shm" && mounted+=("$root/dev/shm") || return 1
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  if [ -n "$ccache_dir" ]; then
    mkdir -p "$ccache_dir" "$root/root/.cache/ccache"
    mount --bind "$ccache_dir" "$root/root/.cache/ccache" && mounted+=("$root/root/.cache/ccache") || return 1
  fi
}
export_tree() {
  mkdir -p "$root/root/work/main" "$root/root/work/shared"
  git archive HEAD | tar -x -C "$root/root/work/main"
  cp -a "$shared_src/." "$root/root/work/shared/"
  echo "exported $(git rev-parse --short HEAD) and $(du -sh "$shared_src" | cut -f1) of shared/"
}
install_deps()  { in_root "scripts/install-deps.sh"; }  # timed alone; the main command then finds all present
main_command()  { in_root "scripts/demo.sh"; }
test_targets()  { in_root "scripts/test.sh --build-only"; }

step host-tools    host_tools
step bootstrap     bootstrap
step mount         mount_into_root
step export-tree   export_tree
step install-deps  install_deps
step main-command  main_command
step test-targets  test_targets
# The main command's promise: the demo's report exists in the exported tree.
step demo-output   test -s "$root/root/work/main/demo-out/index.html"
echo "fresh-check: total $(elapsed "$started") s (logs in $logs)"
echo "fresh-check: passed"
