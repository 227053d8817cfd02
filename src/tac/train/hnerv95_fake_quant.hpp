#pragma once
// Fake quantization onto an hnerv95 archive's own grids, with straight-through gradients (the
// forward pass gives exactly the values the archive writer stores, the backward pass the identity
// inside the grid's range and zero where a value is clamped):
//   weights: round(w / scale) clamped to -128..127, times scale (one f32 scale per tensor);
//   latents: round((z - min) / scale) clamped to 0..255, times scale, plus min (per dimension).
// The arithmetic is codec/hnerv95/hnerv95_writer.hpp's (float32 division, ties to even, product
// then sum as two roundings), so values already on the grid map to themselves bit for bit.
#include <ATen/core/Tensor.h>

namespace tac::train {

at::Tensor fake_quant_weight(const at::Tensor& w, float scale);
// z (N, D); mins and scales (D).
at::Tensor fake_quant_latents(const at::Tensor& z, const at::Tensor& mins, const at::Tensor& scales);

}  // namespace tac::train
