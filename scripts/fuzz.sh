#!/usr/bin/env bash
# Builds every libFuzzer target with clang (build-fuzz/) and runs each for a bounded time.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET | --build-only]   (default 30 seconds)
# Seeds: fuzz/corpus/<target>/ plus fixture files listed in fuzz/corpus/<target>.fixtures
# (paths relative to $TAC_FIXTURES). The committed corpus is never modified; crashes are kept in
# build-fuzz/crashes/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build_only=0; [ "$seconds" = "--build-only" ] && build_only=1
fixtures=${TAC_FIXTURES:-../shared/fixtures}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAC_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)"
[ "$build_only" -eq 0 ] || exit 0
status=0
for target in build-fuzz/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target"); stem=${name#fuzz_}
  work=$(mktemp -d); mkdir -p "$work/corpus" "build-fuzz/crashes/$stem"
  [ -d "fuzz/corpus/$stem" ] && cp -rL "fuzz/corpus/$stem/." "$work/corpus/"  # -L: seeds may be symlinks
  if [ -f "fuzz/corpus/$stem.fixtures" ]; then
    while read -r rel; do
      [ -n "$rel" ] && [ -f "$fixtures/$rel" ] && cp "$fixtures/$rel" "$work/corpus/$(echo "$rel" | tr / _)"
    done < "fuzz/corpus/$stem.fixtures"
  fi
  echo "fuzz: $name for ${seconds}s ($(ls "$work/corpus" | wc -l) seeds)"
  if ! "$target" "$work/corpus" -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=2048 -timeout=20 \
       -artifact_prefix="build-fuzz/crashes/$stem/" -print_final_stats=1 >"$work/log" 2>&1; then
    echo "fuzz: $name FAILED (crash input in build-fuzz/crashes/$stem/):"; tail -40 "$work/log"; status=1
  else
    grep -E "stat::number_of_executed_units" "$work/log" | sed "s/^/  $name: /" || true
  fi
  rm -rf "$work"
done
exit $status
