#include "tac/train/hnerv95_torch_decoder.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include <cstring>

#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/train/differentiable_preprocess.hpp"
#include "tac/train/hnerv95_fake_quant.hpp"

namespace tac::train {
namespace hn = codec::hnerv95;
namespace {

at::Tensor leaf(const std::vector<float>& values, std::vector<std::int64_t> shape) {
  return at::from_blob(const_cast<float*>(values.data()), shape, at::kFloat).clone();
}

std::vector<float> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kCPU).contiguous().to(at::kFloat);
  std::vector<float> out(static_cast<std::size_t>(c.numel()));
  std::memcpy(out.data(), c.data_ptr<float>(), out.size() * sizeof(float));
  return out;
}

}  // namespace

Hnerv95TorchDecoder::Hnerv95TorchDecoder(const hn::Archive& archive, c10::Device device) : archive_(archive) {
  // build_model validates every name and shape (and the tensor count), so the forward pass below
  // can index by name without further checks.
  const hn::Model model = hn::build_model(archive_);
  for (int i = 0; i < 7; ++i) widths_[i] = model.widths[static_cast<std::size_t>(i)];
  grid_h_ = model.grid_h;
  grid_w_ = model.grid_w;
  upscale_.emplace(SeparableResample::bicubic(grid_h_ << 6, grid_w_ << 6, contest::kFrameHeight, contest::kFrameWidth));
  for (const auto& t : archive_.tensors) weights_.push_back({t.name, t.scale, leaf(t.values, t.shape).to(device)});
  const auto d = archive_.meta.latent_dim;
  if (archive_.latent_mins.size() != static_cast<std::size_t>(d) || archive_.latent_scales.size() != static_cast<std::size_t>(d))
    fail(ErrorKind::usage, "hnerv95 torch decoder: the archive carries no latent grid");
  latents_ = leaf(archive_.latents, {archive_.meta.n_pairs, d}).to(device);
  latent_mins_ = leaf(archive_.latent_mins, {d}).to(device);
  latent_scales_ = leaf(archive_.latent_scales, {d}).to(device);
}

std::size_t Hnerv95TorchDecoder::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < weights_.size(); ++i)
    if (weights_[i].name == name) return i;
  fail(ErrorKind::internal, "hnerv95 torch decoder: no tensor '{}'", name);
}

at::Tensor Hnerv95TorchDecoder::q(std::size_t index) const {
  return fake_quant_weight(weights_[index].value, weights_[index].scale);
}

at::Tensor Hnerv95TorchDecoder::q(const std::string& name) const { return q(index_of(name)); }

at::Tensor Hnerv95TorchDecoder::decode(const at::Tensor& pairs) const {
  const auto b = pairs.size(0);
  const at::Tensor z = fake_quant_latents(latents_.index_select(0, pairs), latent_mins_, latent_scales_);
  at::Tensor x = at::linear(z, q("stem.weight"), q("stem.bias")).view({b, widths_[0], grid_h_, grid_w_}).sin();
  for (int i = 0; i < 6; ++i) {
    at::Tensor identity = at::upsample_bilinear2d(x, {2 * x.size(2), 2 * x.size(3)}, /*align_corners=*/false);
    if (widths_[i + 1] != widths_[i])
      identity = at::conv2d(identity, q(fmt::format("skips.{}.weight", i)), q(fmt::format("skips.{}.bias", i)));
    x = at::pixel_shuffle(at::conv2d(x, q(fmt::format("blocks.{}.weight", i)), q(fmt::format("blocks.{}.bias", i)), 1, 1), 2);
    x = at::sin(x + identity);
  }
  const at::Tensor r = at::conv2d(at::conv2d(x, q("refine.0.weight"), q("refine.0.bias"), 1, 2, 2), q("refine.1.weight"),
                                  q("refine.1.bias"), 1, 1);
  x = x + 0.1 * at::sin(r);
  const at::Tensor f0 = 255.0 * at::sigmoid(at::conv2d(x, q("rgb_0.weight"), q("rgb_0.bias"), 1, 1));
  const at::Tensor f1 = 255.0 * at::sigmoid(at::conv2d(x, q("rgb_1.weight"), q("rgb_1.bias"), 1, 1));
  return at::stack({f0, f1}, 1);
}

at::Tensor Hnerv95TorchDecoder::frames(const at::Tensor& pairs) const {
  const at::Tensor net = decode(pairs);
  const auto b = net.size(0);
  // Interleaved in, interleaved out: the small head output is transposed, not the frames.
  const at::Tensor up = (*upscale_)(net.flatten(0, 1).permute({0, 2, 3, 1}));  // (2B, 874, 1164, 3)
  return straight_through_uint8(up.view({b, 2, contest::kFrameHeight, contest::kFrameWidth, 3}));
}

hn::Archive Hnerv95TorchDecoder::quantized_archive() const {
  const c10::NoGradGuard no_grad;
  hn::Archive out = archive_;
  for (std::size_t i = 0; i < weights_.size(); ++i) out.tensors[i].values = to_vector(q(i));
  out.latents = to_vector(fake_quant_latents(latents_, latent_mins_, latent_scales_));
  return out;
}

}  // namespace tac::train
