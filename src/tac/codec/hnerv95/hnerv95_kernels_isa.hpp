// The body of one vector instruction-set translation unit of the hnerv95 forward pass: the
// vector lane V built from the ISA's intrinsic spelling, and the kernels over it. Include inside
// the ISA's region (tac/core/isa_target.hpp), after sleef_in_isa_region.hpp, having defined
//   TAC_LANE_OP(name)          the packed-float intrinsic, e.g. _mm256_##name##_ps
//   TAC_LANE_SLEEF(name)       the 1-ulp SLEEF vector function, e.g. Sleef_##name##f8_u10avx2
//   TAC_LANE_INTERLEAVE(a, b, high)  first (high = 0) or second half of a0 b0 a1 b1 ...
// It undefines them again. No include guard: once per ISA translation unit.
namespace tac::codec::hnerv95::detail {
namespace {

#include "tac/core/isa_scalar_lane.hpp"
using S = ScalarLane<Sleef_expf1_u10purecfma, Sleef_sinf1_u10purecfma>;

struct V {
  using reg = decltype(TAC_LANE_OP(setzero)());
  static constexpr int N = sizeof(reg) / sizeof(float);
  static reg load(const float* p) { return TAC_LANE_OP(loadu)(p); }
  static void store(float* p, reg v) { TAC_LANE_OP(storeu)(p, v); }
  static reg set1(float v) { return TAC_LANE_OP(set1)(v); }
  static reg fma(reg a, reg b, reg c) { return TAC_LANE_OP(fmadd)(a, b, c); }
  static reg add(reg a, reg b) { return TAC_LANE_OP(add)(a, b); }
  static reg sub(reg a, reg b) { return TAC_LANE_OP(sub)(a, b); }
  static reg mul(reg a, reg b) { return TAC_LANE_OP(mul)(a, b); }
  static reg div(reg a, reg b) { return TAC_LANE_OP(div)(a, b); }
  static reg sin(reg a) { return TAC_LANE_SLEEF(sin)(a); }
  static reg exp(reg a) { return TAC_LANE_SLEEF(exp)(a); }
  static reg interleave_lo(reg a, reg b) { return TAC_LANE_INTERLEAVE(a, b, 0); }
  static reg interleave_hi(reg a, reg b) { return TAC_LANE_INTERLEAVE(a, b, 1); }
};

#include "tac/codec/hnerv95/hnerv95_kernels_impl.hpp"

}  // namespace
}  // namespace tac::codec::hnerv95::detail

#undef TAC_LANE_OP
#undef TAC_LANE_SLEEF
#undef TAC_LANE_INTERLEAVE
