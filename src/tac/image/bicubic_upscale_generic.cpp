// The bicubic passes without vector instructions (any processor).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tac/image/bicubic_upscale_kernels.hpp"

namespace tac::image::detail {
namespace {
#include "tac/image/bicubic_upscale_impl.hpp"
}  // namespace

BicubicKernels bicubic_kernels_generic() { return {"generic", &planar_to_rgb8_impl}; }

}  // namespace tac::image::detail
