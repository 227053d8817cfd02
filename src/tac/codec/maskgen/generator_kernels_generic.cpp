// The maskgen generator kernels without vector instructions (any processor; exact, but slow where
// fma is emulated). The pure-C SLEEF exp may differ from the vector one in the last bit.
#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "tac/codec/maskgen/generator_kernels.hpp"

namespace tac::codec::maskgen::kernels {
namespace {

#include "tac/codec/maskgen/generator_scalar_lane.hpp"
using S = ScalarLane<Sleef_expf1_u10purec>;
using V = S;

void moments(const float* x, std::size_t n, double* sum, double* sum_squares) {
  double s = 0, q = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    s += v;
    q += v * v;
  }
  *sum = s, *sum_squares = q;
}

#include "tac/codec/maskgen/generator_kernels_impl.hpp"

}  // namespace

GeneratorKernels generator_kernels_generic() { return make_kernels("generic"); }

}  // namespace tac::codec::maskgen::kernels
