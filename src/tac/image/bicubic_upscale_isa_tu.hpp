// The body of an instruction-set build of the bicubic passes (bicubic_upscale_avx2.cpp,
// bicubic_upscale_avx512.cpp): the including file defines TAC_ISA_AVX2 or TAC_ISA_AVX512 and
// TAC_BICUBIC_KERNELS (the getter's name). Standard headers first, outside the region
// (tac/core/isa_target.hpp says why).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>
#include <immintrin.h>

#include "tac/core/isa_target.hpp"
#include "tac/image/bicubic_upscale_kernels.hpp"

#if defined(TAC_ISA_AVX512)
TAC_ISA_BEGIN_AVX512
#else
TAC_ISA_BEGIN_AVX2
#endif
namespace tac::image::detail {
namespace {
#include "tac/image/bicubic_upscale_impl.hpp"
}  // namespace
}  // namespace tac::image::detail
TAC_ISA_END

namespace tac::image::detail {

BicubicKernels TAC_BICUBIC_KERNELS() {
#if defined(TAC_ISA_AVX512)
  return {"avx512", &planar_to_rgb8_impl};
#else
  return {"avx2", &planar_to_rgb8_impl};
#endif
}

}  // namespace tac::image::detail
