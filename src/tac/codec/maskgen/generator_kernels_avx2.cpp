// The maskgen generator kernels with AVX2 + FMA vectors, in an instruction-set region
// (tac/core/isa_target.hpp): standard headers first, outside it.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "tac/codec/maskgen/generator_kernels.hpp"
#include "tac/core/isa_target.hpp"

TAC_ISA_BEGIN_AVX2
#include "tac/core/sleef_in_isa_region.hpp"

namespace tac::codec::maskgen::kernels {
namespace {

#include "tac/codec/maskgen/generator_scalar_lane.hpp"
using S = ScalarLane<Sleef_expf1_u10purecfma>;

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
  static reg exp(reg a) { return Sleef_expf8_u10avx2(a); }
};

void moments(const float* x, std::size_t n, double* sum, double* sum_squares) {
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, q0 = s0, q1 = s0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    s0 = _mm256_add_pd(s0, lo);
    s1 = _mm256_add_pd(s1, hi);
    q0 = _mm256_fmadd_pd(lo, lo, q0);
    q1 = _mm256_fmadd_pd(hi, hi, q1);
  }
  alignas(32) double s[4], q[4];
  _mm256_store_pd(s, _mm256_add_pd(s0, s1));
  _mm256_store_pd(q, _mm256_add_pd(q0, q1));
  double ts = (s[0] + s[1]) + (s[2] + s[3]), tq = (q[0] + q[1]) + (q[2] + q[3]);
  for (; i < n; ++i) {
    const double v = x[i];
    ts += v;
    tq += v * v;
  }
  *sum = ts, *sum_squares = tq;
}

#include "tac/codec/maskgen/generator_kernels_impl.hpp"

}  // namespace

GeneratorKernels generator_kernels_avx2() { return make_kernels("avx2"); }

}  // namespace tac::codec::maskgen::kernels
TAC_ISA_END
