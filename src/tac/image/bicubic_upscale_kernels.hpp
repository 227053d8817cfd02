#pragma once
// Per-instruction-set builds of the bicubic passes (bicubic_upscale_impl.hpp compiled three
// times with different flags), chosen once at run time from the CPU's features.
#include <cstddef>
#include <cstdint>

#include "tac/image/bicubic_upscale.hpp"

namespace tac::image::detail {

// `scratch` holds 3 x kBicubicRingRows x out_width floats (a ring of horizontal-pass rows).
inline constexpr int kBicubicRingRows = 8;

struct BicubicKernels {
  const char* name;
  void (*planar_to_rgb8)(const BicubicAxis& rows, const BicubicAxis& cols, const float* const planes[3],
                         std::size_t row_stride, float* scratch, std::uint8_t* out);
};

const BicubicKernels& bicubic_kernels();
BicubicKernels bicubic_kernels_avx512();  // x86-64 only (TAC_X86_KERNELS)
BicubicKernels bicubic_kernels_avx2();
BicubicKernels bicubic_kernels_generic();

}  // namespace tac::image::detail
