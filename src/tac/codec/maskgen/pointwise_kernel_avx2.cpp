// The 1x1 convolution kernel built for avx2 (see pointwise_kernel_impl.hpp).
#include "tac/codec/maskgen/pointwise_kernel_impl.hpp"

namespace tac::codec::maskgen::kernels {

void pointwise_avx2(const float* in, int ic, const float* w, const float* bias, int oc, float* out, std::size_t n) {
  pointwise_body(in, ic, w, bias, oc, out, n);
}

}  // namespace tac::codec::maskgen::kernels
