#!/usr/bin/env bash
# Decode speed: `tac decode CLIP -o out.raw` against `ffmpeg -i CLIP -f rawvideo -pix_fmt rgb24`
# on a synthetic 874x1164 HEVC clip made here with the ffmpeg CLI. Runs alternate between the two
# tools; prints medians and the ratio as JSON on stdout.
#
#   bench/decode_bench.sh [TAC_BINARY]     (default: build/apps/tac/tac)
#   env: FRAMES (300), RUNS (5 each), CRF (22: ~28 KB/frame, like the contest video), PRESET (fast), PATTERN (testsrc2|mandelbrot),
#        THREADS (tac --threads, 0 = libav default), CLIP (use this video instead of a synthetic one),
#        KEEP_DIR (work directory to keep; default a temporary directory removed at exit),
#        FRESH (1: delete the previous output and sync before each timed run; 0: overwrite it)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tac=${1:-$here/../build/apps/tac/tac}
frames=${FRAMES:-300}
runs=${RUNS:-5}
crf=${CRF:-22}
preset=${PRESET:-fast}
pattern=${PATTERN:-testsrc2}
threads=${THREADS:-0}

[ -x "$tac" ] || { echo "decode_bench: no tac binary at $tac (build it, or pass its path)" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "decode_bench: ffmpeg CLI not found (scripts/install-deps.sh installs it)" >&2; exit 1; }

if [ -n "${KEEP_DIR:-}" ]; then
  work=$KEEP_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/tac-decode-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

clip=${CLIP:-$work/clip.mkv}
if [ ! -s "$clip" ]; then
  case $pattern in
    testsrc2) source="testsrc2=size=1164x874:rate=20" ;;
    mandelbrot) source="mandelbrot=size=1164x874:rate=20" ;;
    *) echo "decode_bench: PATTERN must be testsrc2 or mandelbrot" >&2; exit 1 ;;
  esac
  # Noise makes the clip cost about what camera footage costs to decode.
  ffmpeg -v error -y -f lavfi -i "$source" -frames:v "$frames" -vf "noise=alls=6:allf=t" \
    -pix_fmt yuv420p -c:v libx265 -preset "$preset" -crf "$crf" -x265-params log-level=error "$clip"
fi

# Prints "wall_seconds cpu_seconds" (cpu = user + sys of the command and its threads).
time_cmd() {
  local TIMEFORMAT='%R %U %S' t
  t=$({ time "$@" >/dev/null 2>"$work/stderr"; } 2>&1) || { cat "$work/stderr" >&2; exit 1; }
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Each run writes a new file: the previous output is deleted and the disk synced outside the
# timing, so neither tool pays for freeing the last run's 0.9 GB (ext4 discard, page cache) or for
# write-back of the other tool's output.
# FRESH=0 keeps the old behaviour (each run overwrites its previous output).
fresh() { if [ "${FRESH:-1}" != 0 ]; then rm -f "$1"; sync; fi; }

tac_times=() tac_cpu=() ffmpeg_times=() ffmpeg_cpu=()
for ((i = 0; i < runs; i++)); do
  fresh "$work/tac.raw"
  read -r wall cpu < <(time_cmd "$tac" decode "$clip" -o "$work/tac.raw" --threads "$threads")
  tac_times+=("$wall") tac_cpu+=("$cpu")
  fresh "$work/ffmpeg.raw"
  read -r wall cpu < <(time_cmd ffmpeg -v error -y -i "$clip" -f rawvideo -pix_fmt rgb24 "$work/ffmpeg.raw")
  ffmpeg_times+=("$wall") ffmpeg_cpu+=("$cpu")
done

# Process start-up alone (dynamic loading of everything tac links), to separate it from decoding.
startup_times=() startup_cpu=()
for ((i = 0; i < runs; i++)); do
  read -r wall cpu < <(time_cmd "$tac" --version)
  startup_times+=("$wall") startup_cpu+=("$cpu")
done

decoded=$(($(stat -c %s "$work/tac.raw") / 3052008))
[ "$(stat -c %s "$work/tac.raw")" = "$(stat -c %s "$work/ffmpeg.raw")" ] ||
  { echo "decode_bench: tac and ffmpeg wrote different frame counts" >&2; exit 1; }
tac_median=$(median "${tac_times[@]}")
ffmpeg_median=$(median "${ffmpeg_times[@]}")
clip_bytes=$(stat -c %s "$clip")

cat <<EOF
{
  "bench": "decode",
  "clip": {"frames": $decoded, "width": 1164, "height": 874, "bytes": $clip_bytes, "pattern": "$pattern", "crf": $crf, "preset": "$preset"},
  "runs": $runs,
  "cpus": $(nproc),
  "tac_seconds": [$(IFS=,; echo "${tac_times[*]}")],
  "ffmpeg_seconds": [$(IFS=,; echo "${ffmpeg_times[*]}")],
  "tac_cpu_seconds": [$(IFS=,; echo "${tac_cpu[*]}")],
  "ffmpeg_cpu_seconds": [$(IFS=,; echo "${ffmpeg_cpu[*]}")],
  "tac_median_seconds": $tac_median,
  "ffmpeg_median_seconds": $ffmpeg_median,
  "tac_fps": $(echo "$decoded / $tac_median" | bc -l | xargs printf '%.1f'),
  "ffmpeg_fps": $(echo "$decoded / $ffmpeg_median" | bc -l | xargs printf '%.1f'),
  "tac_median_cpu_seconds": $(median "${tac_cpu[@]}"),
  "ffmpeg_median_cpu_seconds": $(median "${ffmpeg_cpu[@]}"),
  "tac_startup_median_seconds": $(median "${startup_times[@]}"),
  "tac_startup_median_cpu_seconds": $(median "${startup_cpu[@]}"),
  "load_average_at_end": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "tac_over_ffmpeg_time_ratio": $(echo "$tac_median / $ffmpeg_median" | bc -l | xargs printf '%.3f')
}
EOF
