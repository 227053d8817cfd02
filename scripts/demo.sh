#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install packages, build, and run `tac demo`
# (synthetic dashcam clip -> twin scorer -> compress -> inflate -> eval -> report + HTML page).
# Extra arguments go to `tac demo` (e.g. --upstream /path/to/comma_video_compression_challenge).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/apps/tac/tac demo --out demo-out "$@"
