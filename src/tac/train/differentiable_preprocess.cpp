#include "tac/train/differentiable_preprocess.hpp"

#include <ATen/ATen.h>

#include "tac/core/error.hpp"
#include "tac/image/bilinear_resize.hpp"
#include "tac/scorer/preprocess.hpp"

namespace tac::train {

at::Tensor bilinear_axis_matrix(int n_in, int n_out) {
  if (n_in < 1 || n_out < 1) fail(ErrorKind::usage, "bilinear resize: sizes {} -> {}", n_in, n_out);
  // The coefficients come from the one place that computes them (§1.3 in float32).
  const image::BilinearAxis axis = image::bilinear_axis(n_in, n_out);
  at::Tensor m = at::zeros({n_out, n_in}, at::kFloat);
  auto a = m.accessor<float, 2>();
  for (int d = 0; d < n_out; ++d) {
    const auto k = static_cast<std::size_t>(d);
    a[d][axis.i0[k]] += axis.l0[k];
    a[d][axis.i1[k]] += axis.l1[k];
  }
  return m;
}

ResizeMatrices resize_matrices(int h, int w) {
  return {bilinear_axis_matrix(h, scorer::kNetHeight), bilinear_axis_matrix(w, scorer::kNetWidth)};
}

at::Tensor resize_to_net(const at::Tensor& frames, const ResizeMatrices& m) {
  if (frames.dim() != 4 || frames.size(3) != 3)
    fail(ErrorKind::usage, "resize_to_net: frames must be (N, H, W, 3), got {} dimensions", frames.dim());
  if (m.rows.size(1) != frames.size(1) || m.cols.size(1) != frames.size(2))
    fail(ErrorKind::usage, "resize_to_net: matrices for {}x{} frames, got {}x{}", m.rows.size(1), m.cols.size(1),
         frames.size(1), frames.size(2));
  const auto options = frames.options();
  const at::Tensor planar = frames.permute({0, 3, 1, 2});                           // (N, 3, H, W)
  // W axis first, then H (the nested order of §1.3).
  const at::Tensor along_w = at::matmul(planar, m.cols.to(options).t());            // (N, 3, H, 512)
  return at::matmul(m.rows.to(options), along_w);                                   // (N, 3, 384, 512)
}

at::Tensor resize_to_net(const at::Tensor& frames) {
  if (frames.dim() != 4 || frames.size(3) != 3)
    fail(ErrorKind::usage, "resize_to_net: frames must be (N, H, W, 3), got {} dimensions", frames.dim());
  return resize_to_net(frames, resize_matrices(static_cast<int>(frames.size(1)), static_cast<int>(frames.size(2))));
}

at::Tensor rgb_to_yuv6(const at::Tensor& resized) {
  const at::Tensor r = resized.select(1, 0), g = resized.select(1, 1), b = resized.select(1, 2);
  const at::Tensor y = at::clamp((r * 0.299f + g * 0.587f) + b * 0.114f, 0.0, 255.0);
  const at::Tensor u = at::clamp((b - y) / 1.772f + 128.0f, 0.0, 255.0);
  const at::Tensor v = at::clamp((r - y) / 1.402f + 128.0f, 0.0, 255.0);
  using at::indexing::None;
  using at::indexing::Slice;
  const auto even = Slice(0, None, 2), odd = Slice(1, None, 2);
  const auto sub = [&](const at::Tensor& p) {
    return (((p.index({Slice(), even, even}) + p.index({Slice(), odd, even})) + p.index({Slice(), even, odd})) +
            p.index({Slice(), odd, odd})) *
           0.25f;
  };
  return at::stack({y.index({Slice(), even, even}), y.index({Slice(), odd, even}), y.index({Slice(), even, odd}),
                    y.index({Slice(), odd, odd}), sub(u), sub(v)},
                   1);
}

at::Tensor straight_through_uint8(const at::Tensor& x) {
  const at::Tensor rounded = at::clamp(at::round(x), 0.0, 255.0);
  return x + (rounded - x).detach();
}

}  // namespace tac::train
