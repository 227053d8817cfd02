#!/usr/bin/env bash
# Classical lane benchmarks (prints one JSON object):
#   inflate: tac-inflate of a 1200-frame classical archive (baseline_fast's kind: x265 ultrafast
#            crf 30 all-intra at 45 %) vs upstream baseline_fast inflate.py's 86.1 s (fixtures README);
#   compress: tac compress vs the equivalent ffmpeg command line (baseline_fast compress.sh) on the
#            same clip.
# Usage: bench/classical_bench.sh BUILD_DIR [VIDEO]   (VIDEO default: a 1200-frame `tac synth` clip)
set -euo pipefail
build="$(cd "${1:?usage: classical_bench.sh BUILD_DIR [VIDEO]}" && pwd)"
tac="$build/apps/tac/tac"; inflate="$build/apps/tac-inflate/tac-inflate"
work="${BENCH_WORK:-$(mktemp -d /tmp/tac-classical-bench.XXXXXX)}"
video="${2:-$work/synth1200.mkv}"
if [ ! -f "$video" ]; then "$tac" synth -o "$video" --frames 1200 --seed 1 >&2; fi
# wall seconds, peak RSS (KB) and CPU seconds (user+sys) of a command, via GNU time.
measure() { /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }; cat "$work/time.txt"; }

rm -rf "$work/sub" "$work/cli"
read -r tac_compress_s tac_compress_kb tac_compress_u tac_compress_y < <(measure "$tac" compress "$video" -o "$work/sub")
mkdir -p "$work/cli"
read -r cli_compress_s cli_compress_kb cli_compress_u cli_compress_y < <(measure ffmpeg -y -v warning -r 20 -fflags +genpts -i "$video" \
  -vf "scale=trunc(iw*0.45/2)*2:trunc(ih*0.45/2)*2:flags=lanczos" -c:v libx265 -preset ultrafast -crf 30 -g 1 -bf 0 \
  -x265-params "keyint=1:min-keyint=1:scenecut=0:frame-threads=4:log-level=warning" -r 20 "$work/cli/0.mkv")

rm -rf "$work/sub/archive" "$work/sub/inflated"; mkdir -p "$work/sub/archive"
unzip -q -o "$work/sub/archive.zip" -d "$work/sub/archive"
basename "$video" > "$work/names.txt"
sync
read -r inflate_s inflate_kb inflate_u inflate_y < <(measure bash "$work/sub/inflate.sh" "$work/sub/archive" "$work/sub/inflated" "$work/names.txt")
frames=$(( $(stat -c %s "$work/sub/inflated/$(basename "${video%.*}").raw") / 3052008 ))
archive_bytes=$(stat -c %s "$work/sub/archive.zip")
python_free_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<JSON
{"benchmark": "classical", "video": "$video", "frames": $frames, "archive_bytes": $archive_bytes,
 "inflate": {"tac_inflate_seconds": $inflate_s, "tac_inflate_peak_mb": $((inflate_kb / 1024)),
             "tac_inflate_cpu_seconds": $(awk -v a="$inflate_u" -v b="$inflate_y" 'BEGIN { print a + b }'),
             "upstream_reference_seconds": 86.1, "upstream_reference_peak_mb": 327,
             "speedup_vs_upstream": $(python_free_ratio 86.1 "$inflate_s"), "target_speedup": 5, "goal_speedup": 10},
 "compress": {"tac_seconds": $tac_compress_s, "tac_peak_mb": $((tac_compress_kb / 1024)),
              "tac_cpu_seconds": $(awk -v a="$tac_compress_u" -v b="$tac_compress_y" 'BEGIN { print a + b }'),
              "ffmpeg_cli_seconds": $cli_compress_s, "ffmpeg_cli_peak_mb": $((cli_compress_kb / 1024)),
              "ffmpeg_cli_cpu_seconds": $(awk -v a="$cli_compress_u" -v b="$cli_compress_y" 'BEGIN { print a + b }'),
              "tac_over_cli": $(python_free_ratio "$tac_compress_s" "$cli_compress_s"), "target_max_ratio": 1.10},
 "cores": $(nproc), "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)"}
JSON
