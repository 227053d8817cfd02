// The maskgen generator kernels without vector instructions (any processor; exact, but slow where
// fma is emulated). The pure-C SLEEF exp may differ from the vector one in the last bit.
#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tac/codec/maskgen/generator_kernels.hpp"

namespace tac::codec::maskgen::kernels {
namespace {

#include "tac/core/isa_scalar_lane.hpp"
using S = ScalarLane<Sleef_expf1_u10purec>;
using V = S;

// Eight floats for GroupNorm's moments, lane by lane (the AVX2 build's vector, emulated).
struct W8 {
  float v[8];
  static constexpr int kLanes = 8;
  template <class F>
  static W8 each(F&& f) {
    W8 r;
    for (int l = 0; l < 8; ++l) r.v[l] = f(l);
    return r;
  }
  static W8 set1(float x) { return each([&](int) { return x; }); }
  static W8 load(const float* p) { return each([&](int l) { return p[l]; }); }
  static void store(float* p, W8 a) { std::copy(a.v, a.v + 8, p); }
  static W8 add(W8 a, W8 b) { return each([&](int l) { return a.v[l] + b.v[l]; }); }
  static W8 sub(W8 a, W8 b) { return each([&](int l) { return a.v[l] - b.v[l]; }); }
  static W8 mul(W8 a, W8 b) { return each([&](int l) { return a.v[l] * b.v[l]; }); }
};

#include "tac/codec/maskgen/generator_kernels_impl.hpp"

}  // namespace

GeneratorKernels generator_kernels_generic() { return make_kernels("generic"); }

}  // namespace tac::codec::maskgen::kernels
