#pragma once
// The units PoseNet's motion head trains in (issue #15, docs/twin.md): each of the six motion
// components standardized by its mean and spread over the training pool, and the weight each
// standardized error gets in the loss. The head's last layer works in these units while training
// and is folded back to metres and radians before the twin is measured or written. Internal to
// tac_twin (ATen).
#include <ATen/core/Tensor.h>

#include "tac/scorer/torch_weights.hpp"

namespace tac::twin {

struct PoseUnits {
  at::Tensor mean;    // (6) float32: the pool's mean motion
  at::Tensor scale;   // (6) float32: its spread per component, at least the smallest moving one's
  at::Tensor weight;  // (6) float32: each standardized squared error's weight in the loss (sum 1)
};

// The units of a pool whose true motions are `motion` (N, 6).
PoseUnits pose_units_of(const at::Tensor& motion);

// The loss of the head's standardized outputs `out` (B, 6) against true motions `target` (B, 6):
// the weighted sum of the components' mean squared errors in the units.
at::Tensor standardized_pose_loss(const at::Tensor& out, const at::Tensor& target, const PoseUnits& units);

// The head's outputs rows 0..5 (in the units) to metres and radians.
at::Tensor pose_from_units(const at::Tensor& out, const at::Tensor& mean, const at::Tensor& scale);

// Zeroes the head's motion rows (weights and bias of "hydra.final_layer.pose", rows 0..5): it
// starts at the mean motion, as regression heads usually do.
void zero_pose_head(scorer::nn::KeyedTensors& posenet);

// Folds the units into the head's motion rows, so it outputs metres and radians itself.
void fold_pose_head(scorer::nn::KeyedTensors& posenet, const at::Tensor& mean, const at::Tensor& scale);

}  // namespace tac::twin
