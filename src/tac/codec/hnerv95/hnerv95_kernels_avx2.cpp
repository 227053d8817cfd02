// The hnerv95 forward pass with avx2 + FMA vectors (an instruction-set region: tac/core/isa_target.hpp).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/isa_target.hpp"

TAC_ISA_BEGIN_AVX2
// sleef.h declares each vector variant only under the ISA macros, which a region does not set;
// its declarations must sit inside the region (clang checks the callee's vector ABI).
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#include <sleef.h>
#undef __AVX__
#undef __AVX2__
#undef __FMA__
namespace tac::codec::hnerv95::detail {
namespace {

#include "tac/codec/hnerv95/hnerv95_scalar_lane.hpp"
using S = ScalarLane<Sleef_sinf1_u10purecfma, Sleef_expf1_u10purecfma>;

struct V {
  using reg = __m256;
  static constexpr int N = 8;
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg set1(float v) { return _mm256_set1_ps(v); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
  static reg sin(reg a) { return Sleef_sinf8_u10avx2(a); }
  static reg exp(reg a) { return Sleef_expf8_u10avx2(a); }
  static reg interleave_lo(reg a, reg b) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x20);
  }
  static reg interleave_hi(reg a, reg b) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x31);
  }
};

#include "tac/codec/hnerv95/hnerv95_kernels_impl.hpp"

}  // namespace

}  // namespace tac::codec::hnerv95::detail
TAC_ISA_END

namespace tac::codec::hnerv95::detail {

DecoderKernels decoder_kernels_avx2() { return {"avx2", &decode_pair}; }

}  // namespace tac::codec::hnerv95::detail
