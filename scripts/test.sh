#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (packages), builds, and runs every test:
#   1. the GoogleTest suite through ctest (Release build, fixture-backed tests included),
#   2. the torch-free suite again under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. every libFuzzer target for a bounded time (FUZZ_SECONDS, default 30 each).
# Under CI (CI=true) missing fixtures are failures, not skips (TAC_REQUIRE_FIXTURES=1).
# `--build-only` sets up and builds every test target of the three stages without running them
# (what scripts/fresh-check.sh does in a clean root).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
case "${1:-}" in
  --build-only) build_only=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--build-only]" >&2; exit 2 ;;
esac
if [ "${CI:-}" = "true" ]; then export TAC_REQUIRE_FIXTURES=1; fi
scripts/install-deps.sh
jobs=$(nproc)
stage() { echo "== $1 ($(date +%T))"; }

stage "build (Release)"
scripts/build.sh
if [ "$build_only" -eq 0 ]; then
  stage "tests (Release)"
  ctest --test-dir build --output-on-failure -j"$jobs" | tee build/ctest.log
fi

stage "build (ASan+UBSan, torch-free targets)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAC_SANITIZE=ON -DTAC_WITH_TORCH=OFF \
      -DTAC_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
if [ "$build_only" -eq 0 ]; then
  stage "tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" | tee build-asan/ctest.log
fi

if [ "$build_only" -eq 1 ]; then
  stage "build (libFuzzer targets)"
  scripts/fuzz.sh --build-only
  echo "test.sh: every test target built"
  exit 0
fi
stage "fuzzing"
scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
fuzzers=$(ls build-fuzz/fuzz/fuzz_* 2>/dev/null | wc -l)
stage "done"

# One closing line over all three stages (ctest failures or a fuzz crash exit non-zero above).
total() { grep -oE "out of [0-9]+" "$1" | grep -oE "[0-9]+" | tail -1 || true; }
passed=$(( $(total build/ctest.log) + $(total build-asan/ctest.log) + fuzzers ))
echo "all: ${passed} passed, 0 failed"
