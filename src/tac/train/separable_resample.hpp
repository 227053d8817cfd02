#pragma once
// A separable resample of interleaved images (N, H, W, C) -> (N, Ho, Wo, C) — each output pixel a
// weighted sum of a few source columns (width axis first), then of a few of those rows — as one
// autograd operation with its own backward. The two resizes of the tune loop are this op: the
// hnerv95 decoder's bicubic upscale to 874x1164 and the contest's float32-index bilinear resize
// to 384x512 (§1.3). ATen's bicubic backward runs on one thread and a dense matrix product does
// ~100x the multiply-adds of the 2 or 4 taps that matter; here both directions touch only the
// taps and run on every thread. The backward is the exact adjoint (transposed taps, gathered
// per source index in a fixed order): deterministic for a thread count and independent of it.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace tac::image {
struct BilinearAxis;
struct BicubicAxis;
}  // namespace tac::image

namespace tac::train {

// One axis: output index o reads source index[o * taps + t] with weight[o * taps + t].
struct ResampleAxis {
  int n_in = 0, n_out = 0, taps = 0;
  std::vector<std::int32_t> index;
  std::vector<float> weight;
};
ResampleAxis resample_axis(const image::BilinearAxis& axis, int n_in);  // 2 taps (§1.3)
ResampleAxis resample_axis(const image::BicubicAxis& axis);             // 4 taps (clamped borders)

class SeparableResample {
 public:
  // Throws tac::Error (usage) on sizes or indices out of range.
  SeparableResample(ResampleAxis rows, ResampleAxis cols);
  // The contest's resize of h x w frames to the networks' 384x512 (§1.3 coefficients).
  static SeparableResample contest_bilinear(int h, int w);
  // PyTorch's bicubic (align_corners=False, a = -0.75, clamped taps) from h x w to out_h x out_w.
  static SeparableResample bicubic(int h, int w, int out_h, int out_w);

  // x (N, H, W, C) float32 -> (N, Ho, Wo, C), contiguous; differentiable w.r.t. x. On the CPU the
  // tap kernels above; on another device (CUDA) `dense`.
  at::Tensor operator()(const at::Tensor& x) const;
  // The same map as two dense matrix products (W axis, then H) with ATen's autograd, on x's
  // device: what non-CPU tensors use, and the reference the tap kernels are tested against.
  at::Tensor dense(const at::Tensor& x) const;
  int out_height() const;
  int out_width() const;

  struct Plan;  // the axes and their transposes (source index -> the outputs reading it)

 private:
  std::shared_ptr<const Plan> plan_;
};

}  // namespace tac::train
