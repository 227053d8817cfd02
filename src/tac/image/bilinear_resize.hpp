#pragma once
// Float32-index bilinear resize exactly as PyTorch >= 2 computes F.interpolate(mode='bilinear',
// align_corners=False, antialias=False) on CPU (scorer_architecture.md §1.3). Torch-free.
#include <cstdint>
#include <vector>

namespace tac::image {

// Source taps and weights of one axis: output index d reads i0[d] with l0[d] and i1[d] with l1[d].
struct BilinearAxis {
  std::vector<std::int32_t> i0, i1;
  std::vector<float> l0, l1;
};

// The per-axis coefficients of §1.3 (float32 scale, src, clamps). Requires n_in, n_out >= 1.
BilinearAxis bilinear_axis(int n_in, int n_out);

// Resizes one interleaved uint8 image (h x w x channels, row-major) to planar float32
// (channels x out_h x out_w), values unrounded, using the nested form
// lh0*(lw0*x00 + lw1*x01) + lh1*(lw0*x10 + lw1*x11) of PyTorch's generic CPU kernel.
void resize_bilinear_u8_to_planar(const std::uint8_t* src, int h, int w, int channels, float* dst,
                                  int out_h, int out_w);

// Same for a planar float32 image (channels x h x w) -> (channels x out_h x out_w).
void resize_bilinear_planar(const float* src, int h, int w, int channels, float* dst, int out_h,
                            int out_w);

}  // namespace tac::image
