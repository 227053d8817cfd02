#include "tac/train/score_terms.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cmath>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/train/differentiable_preprocess.hpp"

namespace tac::train {

at::Tensor ScoreTerms::objective() const {
  // The square root's slope is infinite at 0 (a perfect pose): clamping far below any real
  // distortion keeps the gradient finite there (and zero, as a perfect pose cannot improve).
  return seg_objective() + pose_objective();
}

at::Tensor ScoreTerms::seg_objective(const at::Tensor& weights) const {
  return 100.0 * (weights.defined() ? (seg_surrogate * weights).mean() : seg_surrogate.mean());
}

at::Tensor ScoreTerms::pose_objective(const at::Tensor& weights) const {
  const at::Tensor pose = weights.defined() ? (pose_distortion * weights).mean() : pose_distortion.mean();
  return at::sqrt(10.0 * pose.clamp_min(1e-30));
}

at::Tensor ScoreTerms::per_sample_objective() const {
  const c10::NoGradGuard no_grad;
  return (100.0 * seg_surrogate.detach().to(at::kDouble) + at::sqrt(10.0 * pose_distortion.detach().to(at::kDouble)));
}

double ScoreTerms::true_distortion() const {
  return 100.0 * seg_distortion.mean().item<double>() + std::sqrt(10.0 * pose_distortion.mean().item<double>());
}

// Backend::Aten: oneDNN's fused convs have no backward (and on other devices ATen is the only one).
DifferentiableScorer::DifferentiableScorer(const scorer::nn::SegNetParams& segnet, const scorer::nn::PoseNetParams& posenet,
                                           c10::Device device)
    : segnet_(segnet, device, scorer::nn::Backend::Aten),
      posenet_(posenet, device, scorer::nn::Backend::Aten),
      contest_resize_(SeparableResample::contest_bilinear(contest::kFrameHeight, contest::kFrameWidth)) {}

namespace {
using StageClock = std::chrono::steady_clock;
double ms_since(StageClock::time_point t) { return std::chrono::duration<double, std::milli>(StageClock::now() - t).count(); }
}  // namespace

DifferentiableScorer::Outputs DifferentiableScorer::forward(const at::Tensor& frames, StageTimes* times) const {
  if (frames.dim() != 5 || frames.size(1) != 2 || frames.size(4) != 3)
    fail(ErrorKind::usage, "differentiable scorer: frames must be (B, 2, H, W, 3), got {} dimensions", frames.dim());
  const auto b = frames.size(0);
  // Both frames of every pair resized once (§1.3), then split per network (§1.4, §1.5).
  auto t = StageClock::now();
  const auto h = static_cast<int>(frames.size(2)), w = static_cast<int>(frames.size(3));
  const bool contest_size = h == contest::kFrameHeight && w == contest::kFrameWidth;
  const at::Tensor resized =  // (2B, 3, 384, 512), pair-major
      resize_to_net(frames.flatten(0, 1), contest_size ? contest_resize_ : SeparableResample::contest_bilinear(h, w));
  const at::Tensor yuv = rgb_to_yuv6(resized).view({b, 12, resized.size(2) / 2, resized.size(3) / 2});
  const at::Tensor second = resized.view({b, 2, 3, resized.size(2), resized.size(3)}).select(1, 1);
  if (times != nullptr) times->preprocess_ms = ms_since(t);
  t = StageClock::now();
  Outputs out{posenet_.forward(yuv), {}};
  if (times != nullptr) times->posenet_ms = ms_since(t);
  t = StageClock::now();
  out.seg_logits = segnet_.forward(second);
  if (times != nullptr) times->segnet_ms = ms_since(t);
  return out;
}

GroundTruthOutputs DifferentiableScorer::ground_truth(const at::Tensor& frames) const {
  const c10::NoGradGuard no_grad;
  auto out = forward(frames);
  return {out.pose, out.seg_logits, out.seg_logits.argmax(1)};
}

at::Tensor seg_surrogate(const at::Tensor& logits, const GroundTruthOutputs& gt, const SurrogateOptions& o) {
  const at::Tensor& target = gt.seg_classes;
  const at::Tensor& gt_logits = gt.seg_logits;
  switch (o.kind) {
    case SegSurrogate::cross_entropy:
      return at::nll_loss2d(at::log_softmax(logits, 1), target, {}, at::Reduction::None).flatten(1).mean(1);
    case SegSurrogate::kl: {
      if (!(o.temperature > 0)) fail(ErrorKind::usage, "seg surrogate: temperature must be positive");
      const at::Tensor p = at::softmax(gt_logits / o.temperature, 1);
      const at::Tensor log_q = at::log_softmax(logits / o.temperature, 1);
      const at::Tensor kl = (p * (at::log(p.clamp_min(1e-30)) - log_q)).sum(1);
      return kl.flatten(1).mean(1) * (o.temperature * o.temperature);
    }
    case SegSurrogate::focal: {
      if (o.gamma < 0) fail(ErrorKind::usage, "seg surrogate: gamma must not be negative");
      const at::Tensor log_p_true = at::log_softmax(logits, 1).gather(1, target.unsqueeze(1)).squeeze(1);
      const at::Tensor weight = at::pow(1.0 - at::exp(log_p_true), o.gamma);
      return (-weight * log_p_true).flatten(1).mean(1);
    }
  }
  fail(ErrorKind::internal, "seg surrogate: unknown kind");
}

ScoreTerms DifferentiableScorer::terms(const at::Tensor& frames, const GroundTruthOutputs& gt, const SurrogateOptions& options,
                                       StageTimes* times) const {
  const Outputs out = forward(frames, times);
  ScoreTerms t;
  // §4: PoseNet distortion = mean over the first six outputs of the squared difference.
  t.pose_distortion = (out.pose.narrow(1, 0, 6) - gt.pose.narrow(1, 0, 6)).pow(2).mean(1);
  t.seg_surrogate = seg_surrogate(out.seg_logits, gt, options);
  const c10::NoGradGuard no_grad;
  t.seg_distortion = (out.seg_logits.argmax(1) != gt.seg_classes).to(at::kDouble).flatten(1).mean(1);
  return t;
}

}  // namespace tac::train
