// The hnerv95 forward pass with avx512 + FMA vectors (an instruction-set region: tac/core/isa_target.hpp).
#include "tac/codec/hnerv95/hnerv95_kernels_prelude.hpp"

TAC_ISA_BEGIN_AVX512
#define TAC_SLEEF_WITH_AVX512
#include "tac/core/sleef_in_isa_region.hpp"
// 16 floats a register; one two-source permute picks a0 b0 a1 b1 ... from either half.
#define TAC_LANE_OP(name) _mm512_##name##_ps
#define TAC_LANE_SLEEF(name) Sleef_##name##f16_u10avx512f
#define TAC_LANE_INTERLEAVE(a, b, high)                                                                       \
  _mm512_permutex2var_ps(a,                                                                                    \
                         (high) ? _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31) \
                                : _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23),      \
                         b)
#include "tac/codec/hnerv95/hnerv95_kernels_isa.hpp"
TAC_ISA_END

tac::codec::hnerv95::detail::DecoderKernels tac::codec::hnerv95::detail::decoder_kernels_avx512() {
  return {"avx512", &decode_pair};
}
