#pragma once
// The contest score's distortion terms as a differentiable function of reconstructed frames
// (issue #13): PoseNet's term exactly as scored (MSE of the first six outputs against the
// ground truth's), and for SegNet — whose argmax has no gradient — a selectable surrogate, with
// the true SegNet distortion (fraction of argmax pixels that differ) always computed beside it.
// The scorer weights are frozen: gradients flow to the frames only.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "tac/scorer/posenet.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/train/differentiable_preprocess.hpp"

namespace tac::train {

enum class SegSurrogate {
  cross_entropy,  // per-pixel cross-entropy to the ground truth's argmax class
  kl,             // KL(softmax(gt / T) || softmax(rec / T)) * T^2, to the ground truth's logits
  focal,          // cross-entropy weighted by (1 - p_true)^gamma: pixels near a flip dominate
};

struct SurrogateOptions {
  SegSurrogate kind = SegSurrogate::cross_entropy;
  double temperature = 1.0;  // kl
  double gamma = 2.0;        // focal
};

// What the ground truth's pairs gave (computed once, no gradient).
struct GroundTruthOutputs {
  at::Tensor pose;         // (B, 12) PoseNet outputs
  at::Tensor seg_logits;   // (B, 5, 384, 512) SegNet logits
  at::Tensor seg_classes;  // (B, 384, 512) their argmax (first maximum, as torch.argmax, §4)
};

struct ScoreTerms {
  at::Tensor pose_distortion;  // (B) MSE of the first six outputs: differentiable, as scored
  at::Tensor seg_surrogate;    // (B) the chosen surrogate: differentiable
  at::Tensor seg_distortion;   // (B) true: fraction of argmax pixels differing (no gradient)
  // Batch means in the score's form: 100 * seg + sqrt(10 * pose) (the rate term is not here).
  at::Tensor objective() const;  // with the surrogate in place of seg: what to minimize
  // Its two parts (objective() is their sum), each optionally with per-sample weights (B) in the
  // batch means (hard-sample mining; undefined: plain means): 100 * mean(w * surrogate) and
  // sqrt(10 * mean(w * pose)).
  at::Tensor seg_objective(const at::Tensor& weights = {}) const;
  at::Tensor pose_objective(const at::Tensor& weights = {}) const;
  // Each sample's own objective, 100 * surrogate + sqrt(10 * pose), no gradient: (B) float64.
  at::Tensor per_sample_objective() const;
  double true_distortion() const;  // with the true seg distortion
};

// The networks run in their folded inference form (BatchNorm folded into the convs, PoseNet's
// branches reparameterized, §2.4 / §3.5) on ATen kernels, channels-last on the CPU: the same
// function as the stored graph up to float rounding, with a cheaper forward and backward.
class DifferentiableScorer {
 public:
  // The networks on `device` (tune passes scorer::to_torch_device of its scorer::Device).
  DifferentiableScorer(const scorer::nn::SegNetParams& segnet, const scorer::nn::PoseNetParams& posenet,
                       c10::Device device = c10::Device(c10::DeviceType::CPU));

  // frames (B, 2, H, W, 3) float 0..255 (the pairs' first and second frame, any H x W the
  // resize accepts; the contest's 874x1164) -> the networks' outputs, differentiable.
  struct Outputs {
    at::Tensor pose;        // (B, 12)
    at::Tensor seg_logits;  // (B, 5, 384, 512), second frame only
  };
  // Wall time of the forward's stages, for benchmarks (bench/tune_step_bench.cpp).
  struct StageTimes {
    double preprocess_ms = 0, posenet_ms = 0, segnet_ms = 0;
  };
  Outputs forward(const at::Tensor& frames, StageTimes* times = nullptr) const;
  GroundTruthOutputs ground_truth(const at::Tensor& frames) const;  // forward without gradient
  ScoreTerms terms(const at::Tensor& frames, const GroundTruthOutputs& gt, const SurrogateOptions& options = {},
                   StageTimes* times = nullptr) const;

 private:
  scorer::nn::SegNetFolded segnet_;
  scorer::nn::PoseNetFolded posenet_;
  SeparableResample contest_resize_;  // made once for the contest's 874x1164 frames
};

// The surrogate of each sample from logits (B, 5, h, w) against the ground truth's outputs.
at::Tensor seg_surrogate(const at::Tensor& logits, const GroundTruthOutputs& gt, const SurrogateOptions& options);

}  // namespace tac::train
