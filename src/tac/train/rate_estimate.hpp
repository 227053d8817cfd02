#pragma once
// The rate term of `tac tune` (issue #13, deliverable 3): a differentiable estimate of what the
// trained parameters cost in the archive, so the objective can trade distortion against bytes as
// the score does (25 * archive bytes / original bytes). The model is the one learned codecs use
// for quantized symbols (CompressAI's Laplace conditional): each integer level k costs
// -log2 P(k) bits under a zero-mean discretized Laplace whose scale is the symbols' mean |k|
// (refit every step, no gradient through it), i.e. (|k| / b - ln sinh(1 / 2b)) / ln 2 for k != 0
// and -log2(1 - e^(-1/2b)) for k = 0. Its gradient, sign(k) / (b ln 2) bits per level, pulls
// levels toward zero; a zero level has none (nothing cheaper to move to). An estimate: the real
// archive is brotli over zigzag bytes, measured by the final evaluation.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "tac/train/hnerv95_torch_decoder.hpp"

namespace tac::train {

// Bits of the levels k (forward values integral; gradient w.r.t. k), one scale for all.
at::Tensor laplace_bits(const at::Tensor& k);
// Bits of levels (rows, cols) with one scale per column.
at::Tensor laplace_bits_per_column(const at::Tensor& k);

// Estimated bytes of the hnerv95 parameters being trained, through the decoder's own fake-quant
// (straight-through): the latents (when `latents`) as their levels' temporal deltas along the pairs
// (the archive stores deltas), a scale per latent dimension, the first pair's levels 8 bits each; each named decoder
// tensor as its int8 levels, a scale per tensor.
at::Tensor hnerv95_rate_bytes(const Hnerv95TorchDecoder& decoder, bool latents, const std::vector<std::string>& tensors);

}  // namespace tac::train
