#!/usr/bin/env bash
# Every function of BINARY that uses 256- or 512-bit vector registers must belong to a kernel
# instruction-set region (src/tac/core/isa_target.hpp); anything else (a standard-library template
# instantiated inside a kernel file, say) would be shared with callers that run on any x86-64
# processor. Usage: isa_regions_check.sh OBJDUMP BINARY...
set -euo pipefail
objdump=$1; shift
# Allowed: the kernel regions, SLEEF, glibc's own vector string functions, and function clones
# made by target_clones (reached only through their ifunc resolver).
allowed='\[clone \.(avx[0-9a-z_]*|fma|arch_[a-z0-9_]+)\]$|tac::image::detail::\(anonymous namespace\)::|tac::codec::hnerv95::detail::\(anonymous namespace\)::|tac::codec::maskgen::kernels::|^<?Sleef_|^<?_?_?(mem|str|wmem|wcs)[a-z]*_(avx|evex)'
status=0
for binary in "$@"; do
  offenders=$("$objdump" -d --no-show-raw-insn -C "$binary" |
    awk '/^[0-9a-f]+ <.*>:$/ { sub(/^[0-9a-f]+ </, ""); sub(/>:$/, ""); fn = $0; next }
         /%[yz]mm[0-9]/ { if (fn != last) { print fn; last = fn } }' | sort -u | grep -Ev "$allowed" || true)
  if [ -n "$offenders" ]; then
    echo "$binary: wide-vector code outside the kernel regions:"; echo "$offenders" | head -20 | sed 's/^/  /'
    status=1
  else
    echo "$binary: ok"
  fi
done
exit $status
