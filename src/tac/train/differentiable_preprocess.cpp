#include "tac/train/differentiable_preprocess.hpp"

#include <ATen/ATen.h>

#include "tac/core/error.hpp"
#include "tac/scorer/preprocess.hpp"

namespace tac::train {

at::Tensor resize_to_net(const at::Tensor& frames, const SeparableResample& resize) {
  if (frames.dim() != 4 || frames.size(3) != 3)
    fail(ErrorKind::usage, "resize_to_net: frames must be (N, H, W, 3), got {} dimensions", frames.dim());
  if (resize.out_height() != scorer::kNetHeight || resize.out_width() != scorer::kNetWidth)
    fail(ErrorKind::internal, "resize_to_net: a resample to {}x{}, not the networks' input", resize.out_height(), resize.out_width());
  // Width axis first, then height (the nested order of §1.3); interleaved in and out.
  return resize(frames.to(at::kFloat)).permute({0, 3, 1, 2});  // (N, 3, 384, 512)
}

at::Tensor resize_to_net(const at::Tensor& frames) {
  if (frames.dim() != 4 || frames.size(3) != 3)
    fail(ErrorKind::usage, "resize_to_net: frames must be (N, H, W, 3), got {} dimensions", frames.dim());
  return resize_to_net(frames, SeparableResample::contest_bilinear(static_cast<int>(frames.size(1)), static_cast<int>(frames.size(2))));
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
