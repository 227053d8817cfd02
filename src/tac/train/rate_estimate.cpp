#include "tac/train/rate_estimate.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "tac/core/error.hpp"
#include "tac/train/hnerv95_fake_quant.hpp"

namespace tac::train {
namespace {

constexpr double kMinScale = 0.05;  // below: a column of zeros; its levels cost ~0 bits anyway

// -log2 P(k) for levels k against scales b (broadcast), b detached.
at::Tensor bits_given_scale(const at::Tensor& k, const at::Tensor& b) {
  const at::Tensor half_over_b = 0.5 / b;
  const at::Tensor nonzero = (k.abs() / b - at::log(at::sinh(half_over_b))) / std::log(2.0);
  const at::Tensor zero = -at::log1p(-at::exp(-half_over_b)) / std::log(2.0);
  return at::where(k.detach() == 0, zero.expand_as(k), nonzero);
}

}  // namespace

at::Tensor laplace_bits(const at::Tensor& k) {
  if (k.numel() == 0) return at::zeros({}, k.options());
  const at::Tensor b = k.detach().abs().mean().clamp_min(kMinScale);
  return bits_given_scale(k, b).sum();
}

at::Tensor laplace_bits_per_column(const at::Tensor& k) {
  if (k.dim() != 2) fail(ErrorKind::usage, "laplace_bits_per_column: expects (rows, cols), got {} dimensions", k.dim());
  if (k.numel() == 0) return at::zeros({}, k.options());
  const at::Tensor b = k.detach().abs().mean(0, /*keepdim=*/true).clamp_min(kMinScale);
  return bits_given_scale(k, b).sum();
}

at::Tensor hnerv95_rate_bytes(const Hnerv95TorchDecoder& decoder, bool latents, const std::vector<std::string>& tensors) {
  at::Tensor bits = at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(decoder.latents().device()));
  if (latents) {
    const at::Tensor& scales = decoder.latent_scales();
    const at::Tensor safe = at::where(scales == 0, at::ones_like(scales), scales);
    // Levels 0..255 (straight-through): (q - min) / scale; a zero-scale column is constant.
    const at::Tensor levels = (fake_quant_latents(decoder.latents(), decoder.latent_mins(), scales) - decoder.latent_mins()) / safe;
    // The first pair's levels are a different distribution (absolute 0..255): a flat 8 bits each,
    // no gradient. The deltas after it under the per-dimension Laplace.
    bits = bits + 8.0 * static_cast<double>(levels.size(1));
    if (levels.size(0) > 1) {
      const at::Tensor deltas = levels.narrow(0, 1, levels.size(0) - 1) - levels.narrow(0, 0, levels.size(0) - 1);
      bits = bits + laplace_bits_per_column(at::round(deltas.detach()) + (deltas - deltas.detach()));
    }
  }
  for (const auto& name : tensors) {
    bool found = false;
    for (const auto& w : decoder.weights()) {
      if (w.name != name) continue;
      found = true;
      if (w.scale != 0.0f) bits = bits + laplace_bits(fake_quant_weight(w.value, w.scale) / w.scale);
    }
    if (!found) fail(ErrorKind::internal, "rate estimate: the decoder has no tensor '{}'", name);
  }
  return bits / 8.0;
}

}  // namespace tac::train
