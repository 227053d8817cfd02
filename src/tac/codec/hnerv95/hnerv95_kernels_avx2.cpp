// The hnerv95 forward pass with avx2 + FMA vectors (an instruction-set region: tac/core/isa_target.hpp).
#include "tac/codec/hnerv95/hnerv95_kernels_prelude.hpp"

TAC_ISA_BEGIN_AVX2
#include "tac/core/sleef_in_isa_region.hpp"
// 8 floats a register; unpack works within each 128-bit half, so halves are then recombined.
#define TAC_LANE_OP(name) _mm256_##name##_ps
#define TAC_LANE_SLEEF(name) Sleef_##name##f8_u10avx2
#define TAC_LANE_INTERLEAVE(a, b, high) \
  _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), (high) ? 0x31 : 0x20)
#include "tac/codec/hnerv95/hnerv95_kernels_isa.hpp"
TAC_ISA_END

tac::codec::hnerv95::detail::DecoderKernels tac::codec::hnerv95::detail::decoder_kernels_avx2() {
  return {"avx2", &decode_pair};
}
