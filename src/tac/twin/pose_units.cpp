#include "tac/twin/pose_units.hpp"

#include <ATen/ATen.h>

#include <algorithm>

namespace tac::twin {
namespace {

constexpr const char* kHeadWeight = "hydra.final_layer.pose.weight";
constexpr const char* kHeadBias = "hydra.final_layer.pose.bias";

}  // namespace

PoseUnits pose_units_of(const at::Tensor& motion) {
  PoseUnits u;
  // Standardized per component so forward speed (metres) does not drown yaw (milliradians), and
  // Adam's steps — of a fixed size whatever the gradient's scale — do not throw outputs thousands
  // of milliradians off. Components that never move (the scene has no climb, roll or pitch) weigh
  // as the smallest spread that does.
  u.mean = motion.mean(0);
  const at::Tensor spread = motion.std(0);
  const at::Tensor moving = spread.gt(1e-9);
  const double smallest = moving.any().item<bool>() ? spread.masked_select(moving).min().item<double>() : 1.0;
  u.scale = spread.clamp_min(smallest);
  // The standardized errors are weighed half equally and half by each component's share of the
  // motion's variance in metres and radians — the share the pooled R² (the measure of success)
  // gives it. Equal weights alone let the small lateral and yaw motions, which are easier, take as
  // much of the training as forward speed, which holds most of the variance.
  const at::Tensor variance = spread.pow(2);
  const double active = std::max<double>(1.0, moving.sum().item<double>());
  u.weight = (0.5 * moving.to(at::kFloat) / active + 0.5 * variance / variance.sum().clamp_min(1e-30)).to(at::kFloat);
  return u;
}

at::Tensor standardized_pose_loss(const at::Tensor& out, const at::Tensor& target, const PoseUnits& units) {
  return ((out - (target - units.mean) / units.scale).pow(2).mean(0) * units.weight).sum();
}

at::Tensor pose_from_units(const at::Tensor& out, const at::Tensor& mean, const at::Tensor& scale) { return out * scale + mean; }

void zero_pose_head(scorer::nn::KeyedTensors& posenet) {
  at::NoGradGuard no_grad;
  posenet.at(kHeadWeight).narrow(0, 0, 6).zero_();
  posenet.at(kHeadBias).narrow(0, 0, 6).zero_();
}

void fold_pose_head(scorer::nn::KeyedTensors& posenet, const at::Tensor& mean, const at::Tensor& scale) {
  at::NoGradGuard no_grad;
  posenet.at(kHeadWeight).narrow(0, 0, 6).mul_(scale.unsqueeze(1));
  posenet.at(kHeadBias).narrow(0, 0, 6).mul_(scale).add_(mean);
}

}  // namespace tac::twin
