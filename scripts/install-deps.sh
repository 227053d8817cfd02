#!/usr/bin/env bash
# Installs every Debian 12 package comma-lab needs. Idempotent; quiet when all is present.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev            # libFuzzer targets and the sanitizer build
  libtorch-dev libopenblas0-pthread   # tensors/autograd for the scorer; OpenBLAS as libtorch's BLAS
  libdnnl-dev                         # oneDNN (same library libtorch uses): fused scorer convolutions
  libgloo-dev                         # headers ProcessGroupGloo.hpp needs (sharded evaluation)
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev  # video decode/encode
  ffmpeg                              # reference timing in bench/ and fixture-free test clips
  libbrotli-dev libzstd-dev liblzma-dev zlib1g-dev
  libhtscodecs-dev                    # rANS 4x16 / adaptive arithmetic back ends (src/tac/entropy)
  libsleef-dev                        # libtorch's sin/exp, for the bit-faithful hnerv95 decoder
  ccache                              # compiler cache: rebuilds after the first one are fast
  libsqlite3-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  libtomlplusplus-dev                 # toml++: `tac tune --profile` training recipes (TOML)
  libgtest-dev libgmock-dev
  libssl-dev                          # SHA-256 (custody hashes) via libcrypto
  zip unzip zstd
  libcairo2-dev                       # charts (SVG/PNG via cairo) in sweep/demo/lab reports
  fonts-dejavu-core                   # the real font (DejaVu Sans) the charts' text is drawn with
  chromium                            # test-only: opens the lab report page headless in a test
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
