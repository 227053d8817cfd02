// The hnerv95 forward pass with avx512 + FMA vectors (an instruction-set region: tac/core/isa_target.hpp).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/isa_target.hpp"

TAC_ISA_BEGIN_AVX512
// sleef.h declares each vector variant only under the ISA macros, which a region does not set;
// its declarations must sit inside the region (clang checks the callee's vector ABI).
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define __AVX512F__ 1
#include <sleef.h>
#undef __AVX__
#undef __AVX2__
#undef __FMA__
#undef __AVX512F__
namespace tac::codec::hnerv95::detail {
namespace {

#include "tac/codec/hnerv95/hnerv95_scalar_lane.hpp"
using S = ScalarLane<Sleef_sinf1_u10purecfma, Sleef_expf1_u10purecfma>;

struct V {
  using reg = __m512;
  static constexpr int N = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg set1(float v) { return _mm512_set1_ps(v); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  static reg sin(reg a) { return Sleef_sinf16_u10avx512f(a); }
  static reg exp(reg a) { return Sleef_expf16_u10avx512f(a); }
  static reg interleave_lo(reg a, reg b) {
    return _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), b);
  }
  static reg interleave_hi(reg a, reg b) {
    return _mm512_permutex2var_ps(a, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), b);
  }
};

#include "tac/codec/hnerv95/hnerv95_kernels_impl.hpp"

}  // namespace

}  // namespace tac::codec::hnerv95::detail
TAC_ISA_END

namespace tac::codec::hnerv95::detail {

DecoderKernels decoder_kernels_avx512() { return {"avx512", &decode_pair}; }

}  // namespace tac::codec::hnerv95::detail
