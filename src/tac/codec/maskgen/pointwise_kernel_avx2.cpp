// The 1x1 convolution kernel built for avx2 (see pointwise_kernel_impl.hpp), in an
// instruction-set region (tac/core/isa_target.hpp): standard headers first, outside it.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "tac/codec/maskgen/pointwise_kernel.hpp"
#include "tac/core/isa_target.hpp"

TAC_ISA_BEGIN_AVX2
#include "tac/codec/maskgen/pointwise_kernel_impl.hpp"

namespace tac::codec::maskgen::kernels {

void pointwise_avx2(const float* in, int ic, const float* w, const float* bias, int oc, float* out, std::size_t n) {
  pointwise_body(in, ic, w, bias, oc, out, n);
}

}  // namespace tac::codec::maskgen::kernels
TAC_ISA_END
