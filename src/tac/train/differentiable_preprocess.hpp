#pragma once
// The scorer's input path (scorer_architecture.md §1.3–§1.5) as ATen operations with gradients:
// frames -> float32-index bilinear resize to 384x512 -> SegNet's RGB and PoseNet's YUV6.
// Values agree with the torch-free preprocess (tac/scorer/preprocess.hpp) to float32 rounding
// (the resize sums its two taps per axis in the same nested order, but may contract them into
// fused multiply-adds differently); the exact path stays the one that scores, this one gives
// gradients.
#include <ATen/core/Tensor.h>

#include "tac/train/separable_resample.hpp"

namespace tac::train {

// frames (N, H, W, 3) float, 0..255 -> (N, 3, 384, 512) (a channels-last view), differentiable,
// through a resample made by SeparableResample::contest_bilinear(H, W).
at::Tensor resize_to_net(const at::Tensor& frames, const SeparableResample& resize);
at::Tensor resize_to_net(const at::Tensor& frames);  // makes the resample

// rgb_to_yuv6 below is the tensor form of image/rgb_to_yuv6 (same operations and order), for autograd.
// resized (N, 3, 384, 512) -> (N, 6, 192, 256): y00, y10, y01, y11, U_sub, V_sub (§1.4),
// clamps passing gradient inside [min, max] inclusive, as PyTorch's clamp does.
at::Tensor rgb_to_yuv6(const at::Tensor& resized);

// uint8 rounding in the forward pass (round half to even, clamp 0..255), identity in the
// backward pass (straight-through): what inflate would write, with the gradient of the float.
at::Tensor straight_through_uint8(const at::Tensor& x);

}  // namespace tac::train
