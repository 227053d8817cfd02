#include "tac/train/hnerv95_fake_quant.hpp"

#include <ATen/ATen.h>

namespace tac::train {
namespace {

// Forward: q. Backward: the gradient of x where `pass` holds, zero elsewhere.
at::Tensor straight_through(const at::Tensor& x, const at::Tensor& q, const at::Tensor& pass) {
  return q.detach() + (x - x.detach()) * pass.to(x.scalar_type());
}

}  // namespace

at::Tensor fake_quant_weight(const at::Tensor& w, float scale) {
  if (scale == 0.0f) return at::zeros_like(w);  // a grid of one value: nothing can move
  const at::Tensor level = at::round(w.detach() / scale);  // ties to even, as the writer
  const at::Tensor q = level.clamp(-128, 127) * scale;
  return straight_through(w, q, (level >= -128) & (level <= 127));
}

at::Tensor fake_quant_latents(const at::Tensor& z, const at::Tensor& mins, const at::Tensor& scales) {
  const at::Tensor zero_scale = scales == 0;
  const at::Tensor safe = at::where(zero_scale, at::ones_like(scales), scales);
  at::Tensor level = at::round((z.detach() - mins) / safe);
  level = at::where(zero_scale, at::zeros_like(level), level);
  const at::Tensor q = level.clamp(0, 255) * scales + mins;  // product, then sum: two roundings
  return straight_through(z, q, (level >= 0) & (level <= 255) & zero_scale.logical_not());
}

}  // namespace tac::train
