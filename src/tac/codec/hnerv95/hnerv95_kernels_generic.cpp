// The hnerv95 forward pass without vector instructions (any processor; exact but slow where
// the compiler emulates fma in software).
#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_decoder.hpp"

namespace tac::codec::hnerv95::detail {
namespace {

struct S {
  using reg = float;
  static constexpr int N = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float v) { return v; }
  static reg fma(reg a, reg b, reg c) { return std::fma(a, b, c); }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg div(reg a, reg b) { return a / b; }
  static reg sin(reg a) { return Sleef_sinf1_u10purec(a); }  // no fma here: may differ from the reference in the last bit
  static reg exp(reg a) { return Sleef_expf1_u10purec(a); }  // no fma here: may differ from the reference in the last bit
  static reg interleave_lo(reg a, reg b) { return a; }  // one lane: a0 (then b0)
  static reg interleave_hi(reg a, reg b) { return b; }
};
using V = S;

#include "tac/codec/hnerv95/hnerv95_kernels_impl.hpp"

}  // namespace

DecoderKernels decoder_kernels_generic() { return {"generic", &decode_pair}; }

}  // namespace tac::codec::hnerv95::detail
