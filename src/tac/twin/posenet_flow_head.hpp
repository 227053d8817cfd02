#pragma once
// Flow supervision for PoseNet while it trains (issue #15, docs/twin.md "Flow supervision"):
// 1x1 convolutions on two of FastViT's stage outputs learn where the road moved between the pair's
// frames (ground_flow), a target at every position instead of six numbers per pair. Training
// only: the head is never part of the exported twin, whose tensors stay upstream's.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "tac/scorer/torch_weights.hpp"

namespace tac::twin {

// The flow at the centres of a rows x cols grid for each motion of `motion` (B, 6; float64, as
// synth::relative_motion): (B, 2, rows, cols) float32, PoseNet input pixels, horizontal first.
at::Tensor ground_flow_targets(const at::Tensor& motion, int rows, int cols);

class PoseFlowHead {
 public:
  // Reads stages 1 and 2: 128 channels at 24x32 and 256 at 12x16 for PoseNet's 192x256 input.
  // Weights drawn from a normal of variance 1/channels, seeded.
  explicit PoseFlowHead(std::uint64_t seed);
  // The head's parameters by key ("flow.1.weight", ...), for the optimizer and the checkpoint.
  scorer::nn::KeyedTensors& tensors() { return tensors_; }
  // The loss's unit per level: the root mean square of the flow over these motions (B, 6).
  void set_scale(const at::Tensor& motions);
  // Mean over the levels of the smooth-L1 distance (beta 1) between the predicted and the true
  // flow of `motion` (B, 6), in units of the level's scale. `stage_outputs` as
  // posenet_forward_train gives them.
  at::Tensor loss(const std::vector<at::Tensor>& stage_outputs, const at::Tensor& motion) const;

 private:
  struct Level {
    int stage, channels, rows, cols;
    double scale = 1.0;
  };
  std::vector<Level> levels_;
  scorer::nn::KeyedTensors tensors_;
};

}  // namespace tac::twin
