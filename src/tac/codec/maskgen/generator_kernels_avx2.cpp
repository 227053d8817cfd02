// The maskgen generator kernels with AVX2 + FMA vectors, in an instruction-set region
// (tac/core/isa_target.hpp): standard headers first, outside it.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tac/codec/maskgen/generator_kernels.hpp"
#include "tac/core/isa_target.hpp"

TAC_ISA_BEGIN_AVX2
#include "tac/core/sleef_in_isa_region.hpp"

namespace tac::codec::maskgen::kernels {
namespace {

#include "tac/core/isa_scalar_lane.hpp"
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

// Eight floats for GroupNorm's moments (torch's Vectorized<float> under AVX2).
struct W8 {
  __m256 v;
  static constexpr int kLanes = 8;
  static W8 set1(float x) { return {_mm256_set1_ps(x)}; }
  static W8 load(const float* p) { return {_mm256_loadu_ps(p)}; }
  static void store(float* p, W8 a) { _mm256_storeu_ps(p, a.v); }
  static W8 add(W8 a, W8 b) { return {_mm256_add_ps(a.v, b.v)}; }
  static W8 sub(W8 a, W8 b) { return {_mm256_sub_ps(a.v, b.v)}; }
  static W8 mul(W8 a, W8 b) { return {_mm256_mul_ps(a.v, b.v)}; }
};

#include "tac/codec/maskgen/generator_kernels_impl.hpp"

}  // namespace

GeneratorKernels generator_kernels_avx2() { return make_kernels("avx2"); }

}  // namespace tac::codec::maskgen::kernels
TAC_ISA_END
