#pragma once
// Internal to tac_scorer (torch, CPU): a decoder conv1 of SegNet, i.e. ReLU(conv3x3(pad 1) over
// [nearest_up2(y), skip] + bias) (scorer_architecture.md §2.2), computed without materializing the
// upsampled / concatenated tensor. Each of the four output phases (row parity, column parity)
// sees y through a 2x2 kernel on the low-resolution grid (the 3x3 taps that land on the same
// source pixel are summed into one weight: 4/9 of the MACs) and the skip through a stride-2 3x3
// conv with phase-dependent padding; the phases are then interleaved. Same math as upstream up to
// float rounding (the summed weights round differently).
#include <ATen/core/Tensor.h>

#include <array>
#include <memory>

#include "tac/scorer/dnnl_conv.hpp"
#include "tac/scorer/torch_weights.hpp"

namespace tac::scorer::nn {

class UpsampleConcatConv {
 public:
  // folded: conv1 with BN folded, weight (out, y_channels + skip_channels, 3, 3).
  UpsampleConcatConv(const Conv& folded, std::int64_t y_channels);
  // y: (B, Cy, h, w); skip: (B, Cs, 2h, 2w) or null when Cs == 0. Returns (B, out, 2h, 2w), channels-last.
  at::Tensor operator()(const at::Tensor& y, const at::Tensor* skip) const;

 private:
  std::int64_t cy_ = 0, cs_ = 0, cout_ = 0;
  std::array<std::unique_ptr<DnnlConv>, 4> y_phase_, skip_phase_;
};

}  // namespace tac::scorer::nn
