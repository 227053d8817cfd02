#pragma once
// The 1x1 convolution kernels of the maskgen generator, one build per instruction set
// (pointwise_kernel_impl.hpp); generator_ops.cpp picks one at run time.
#include <cstddef>

namespace tac::codec::maskgen::kernels {

// out[o][p] = bias[o] + sum_c w[o][c] * in[c][p]; ic / oc planes of n floats, channel-major.
using PointwiseFn = void (*)(const float* in, int ic, const float* w, const float* bias, int oc, float* out,
                             std::size_t n);
void pointwise_generic(const float* in, int ic, const float* w, const float* bias, int oc, float* out, std::size_t n);
void pointwise_avx2(const float* in, int ic, const float* w, const float* bias, int oc, float* out, std::size_t n);

}  // namespace tac::codec::maskgen::kernels
