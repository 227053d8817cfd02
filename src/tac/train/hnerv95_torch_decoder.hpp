#pragma once
// The hnerv95 decoder (codec/hnerv95/hnerv95_decoder.hpp, fixtures/README.md "Decoder") as a
// differentiable libtorch module, built from a parsed archive: every decoder tensor and the
// latents are float32 leaf tensors (the archive's dequantized values), passed through fake-quant
// onto the archive's own grids in the forward pass (hnerv95_fake_quant.hpp), then
//   stem linear -> sin; 6 x (bilinear x2 [+ 1x1 skip] identity, 3x3 conv, pixel shuffle, sin of
//   the sum); refine (dilated 3x3, 3x3, x + 0.1 sin); heads 255 sigmoid -> (B, 2, 3, 384, 512);
//   then, as inflate: bicubic (a = -0.75, align_corners false) to 874x1164, clamp, round half to
//   even (straight-through), giving (B, 2, 874, 1164, 3) frames 0..255.
// libtorch's kernels sum in other orders than the bit-exact torch-free decoder, so frames may
// differ by one level in a few bytes (hnerv95_torch_decoder_test states the measured agreement);
// what a tuned archive really inflates to is always decided by the torch-free decoder.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/train/separable_resample.hpp"

namespace tac::train {

class Hnerv95TorchDecoder {
 public:
  // Its tensors live on `device` (the CPU by default; tune chooses it from scorer::Device).
  explicit Hnerv95TorchDecoder(const codec::hnerv95::Archive& archive, c10::Device device = c10::Device(c10::DeviceType::CPU));

  struct Weight {
    std::string name;   // the archive's tensor name ("blocks.0.weight", ...)
    float scale = 0;    // its int8 grid step
    at::Tensor value;   // leaf, float32, the archive's shape
  };
  std::vector<Weight>& weights() { return weights_; }
  const std::vector<Weight>& weights() const { return weights_; }
  at::Tensor& latents() { return latents_; }  // (n_pairs, latent_dim) leaf
  const at::Tensor& latents() const { return latents_; }
  const at::Tensor& latent_mins() const { return latent_mins_; }      // (latent_dim)
  const at::Tensor& latent_scales() const { return latent_scales_; }  // (latent_dim)

  // pairs (B) int64 indices into the latents. Network output (B, 2, 3, 384, 512), 0..255.
  at::Tensor decode(const at::Tensor& pairs) const;
  // The same upscaled and rounded as inflate writes: (B, 2, 874, 1164, 3) float 0..255.
  at::Tensor frames(const at::Tensor& pairs) const;

  // The fake-quantized values (exactly what the archive writer stores) in a copy of the archive
  // this decoder was built from: export it with codec::hnerv95::write_member.
  codec::hnerv95::Archive quantized_archive() const;

 private:
  at::Tensor q(std::size_t index) const;  // fake-quantized weight
  at::Tensor q(const std::string& name) const;
  std::size_t index_of(const std::string& name) const;

  codec::hnerv95::Archive archive_;
  std::vector<Weight> weights_;
  at::Tensor latents_, latent_mins_, latent_scales_;
  int widths_[7] = {};
  int grid_h_ = 0, grid_w_ = 0;
  std::optional<SeparableResample> upscale_;  // the heads' size -> 874x1164 (bicubic)
};

}  // namespace tac::train
