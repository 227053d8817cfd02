// The bicubic passes built for one instruction set (flags set in CMakeLists.txt).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "tac/image/bicubic_upscale_kernels.hpp"

namespace tac::image::detail {
namespace {
#include "tac/image/bicubic_upscale_impl.hpp"
}  // namespace

BicubicKernels bicubic_kernels_avx512() { return {"avx512", &planar_to_rgb8_impl}; }

}  // namespace tac::image::detail
