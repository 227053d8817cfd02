#!/usr/bin/env bash
# Classical lane benchmarks (prints one JSON object):
#   inflate:  the submission's inflate.sh (tac-inflate) on a 1200-frame classical archive of
#             baseline_fast's kind (x265 ultrafast crf 30 all-intra at 45 %), against upstream
#             baseline_fast inflate.py's 86.1 s / 327 MB (fixtures README: the 1200-frame replay
#             video compressed by that command, 25.7 MB);
#   compress: `tac compress` against the equivalent ffmpeg command line (baseline_fast compress.sh)
#             on the same clip, runs alternating.
# Usage: bench/classical_bench.sh BUILD_DIR [VIDEO]
#   VIDEO default: a 1200-frame `tac synth` clip. For the reference-sized archive use the replay
#   video: `tac inflate fixtures/replay/qhnerv_ft_best/archive.zip DIR names.txt`, then
#   `ffmpeg -f rawvideo -pix_fmt rgb24 -s 1164x874 -r 20 -i DIR/0.raw -c:v libx265 -preset medium
#    -crf 16 -pix_fmt yuv420p replay.mkv` (how the fixtures' gt.mkv was made).
#   env: RUNS (3: runs of each command; medians reported), BENCH_WORK (work directory to keep)
set -euo pipefail
build="$(cd "${1:?usage: classical_bench.sh BUILD_DIR [VIDEO]}" && pwd)"
tac="$build/apps/tac/tac"
runs=${RUNS:-3}
work="${BENCH_WORK:-$(mktemp -d /tmp/tac-classical-bench.XXXXXX)}"
mkdir -p "$work"
video="${2:-$work/synth1200.mkv}"
if [ ! -f "$video" ]; then "$tac" synth -o "$video" --frames 1200 --seed 1 >&2; fi
command -v ffmpeg >/dev/null || { echo "classical_bench: ffmpeg CLI not found (scripts/install-deps.sh installs it)" >&2; exit 1; }

# "wall_seconds peak_rss_kb cpu_seconds" of a command, via GNU time.
measure() {
  /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time.txt"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
list() { local IFS=,; echo "[$*]"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

tc_s=() tc_cpu=() tc_kb=() cli_s=() cli_cpu=() cli_kb=()
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/sub" "$work/cli"; mkdir -p "$work/cli"; sync
  read -r s kb cpu < <(measure "$tac" compress "$video" -o "$work/sub")
  tc_s+=("$s") tc_kb+=("$kb") tc_cpu+=("$cpu")
  sync
  read -r s kb cpu < <(measure ffmpeg -y -v warning -r 20 -fflags +genpts -i "$video" \
    -vf "scale=trunc(iw*0.45/2)*2:trunc(ih*0.45/2)*2:flags=lanczos" -c:v libx265 -preset ultrafast -crf 30 -g 1 -bf 0 \
    -x265-params "keyint=1:min-keyint=1:scenecut=0:frame-threads=4:log-level=warning" -r 20 "$work/cli/0.mkv")
  cli_s+=("$s") cli_kb+=("$kb") cli_cpu+=("$cpu")
done

rm -rf "$work/sub/archive"; mkdir -p "$work/sub/archive"
unzip -q -o "$work/sub/archive.zip" -d "$work/sub/archive"
name=$(basename "${video%.*}")
echo "$(basename "$video")" > "$work/names.txt"
inf_s=() inf_cpu=() inf_kb=()
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/sub/inflated"; sync
  read -r s kb cpu < <(measure bash "$work/sub/inflate.sh" "$work/sub/archive" "$work/sub/inflated" "$work/names.txt")
  inf_s+=("$s") inf_kb+=("$kb") inf_cpu+=("$cpu")
done
frames=$(( $(stat -c %s "$work/sub/inflated/$name.raw") / 3052008 ))
archive_bytes=$(stat -c %s "$work/sub/archive.zip")
inf_med=$(median "${inf_s[@]}")
tc_med=$(median "${tc_s[@]}") cli_med=$(median "${cli_s[@]}")
cat <<JSON
{"benchmark": "classical", "video": "$video", "frames": $frames, "archive_bytes": $archive_bytes, "runs": $runs,
 "inflate": {"tac_inflate_seconds": $(list "${inf_s[@]}"), "tac_inflate_median_seconds": $inf_med,
             "tac_inflate_cpu_seconds": $(list "${inf_cpu[@]}"), "tac_inflate_peak_mb": $(( $(median "${inf_kb[@]}") / 1024 )),
             "upstream_reference_seconds": 86.1, "upstream_reference_peak_mb": 327,
             "speedup_vs_upstream": $(ratio 86.1 "$inf_med"), "target_speedup": 5, "goal_speedup": 10},
 "compress": {"tac_seconds": $(list "${tc_s[@]}"), "tac_median_seconds": $tc_med,
              "tac_cpu_seconds": $(list "${tc_cpu[@]}"), "tac_peak_mb": $(( $(median "${tc_kb[@]}") / 1024 )),
              "ffmpeg_cli_seconds": $(list "${cli_s[@]}"), "ffmpeg_cli_median_seconds": $cli_med,
              "ffmpeg_cli_cpu_seconds": $(list "${cli_cpu[@]}"), "ffmpeg_cli_peak_mb": $(( $(median "${cli_kb[@]}") / 1024 )),
              "tac_over_cli": $(ratio "$tc_med" "$cli_med"), "target_max_ratio": 1.10},
 "cores": $(nproc), "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)"}
JSON
