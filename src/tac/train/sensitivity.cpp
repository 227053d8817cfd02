#include "tac/train/sensitivity.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "tac/core/error.hpp"

namespace tac::train {
namespace {

// Ground-truth class of every full-resolution pixel: the 384x512 argmax sampled at
// floor(y * 384 / H), floor(x * 512 / W) (nearest; only for the summary, not for scoring).
at::Tensor full_resolution_classes(const at::Tensor& gt_logits, std::int64_t h, std::int64_t w) {
  const at::Tensor argmax = gt_logits.argmax(1)[0];  // (384, 512)
  const auto rows = at::div(at::arange(h, at::kLong) * argmax.size(0), h, "floor");
  const auto cols = at::div(at::arange(w, at::kLong) * argmax.size(1), w, "floor");
  return argmax.index_select(0, rows).index_select(1, cols);  // (H, W)
}

}  // namespace

PixelSensitivity pixel_sensitivity(const DifferentiableScorer& scorer, const at::Tensor& gt_pair, const at::Tensor& recon_pair,
                                   const SurrogateOptions& options) {
  if (gt_pair.dim() != 5 || gt_pair.size(0) != 1 || !gt_pair.sizes().equals(recon_pair.sizes()))
    fail(ErrorKind::usage, "sensitivity: ground truth and reconstruction must both be one pair (1, 2, H, W, 3)");
  const auto gt = scorer.ground_truth(gt_pair);
  const at::Tensor x = recon_pair.detach().clone().set_requires_grad(true);
  const ScoreTerms t = scorer.terms(x, gt, options);
  const at::Tensor objective = t.objective();
  PixelSensitivity s;
  s.gradient = torch::autograd::grad({objective}, {x})[0][0];  // (2, H, W, 3)
  s.map = s.gradient.abs().sum(3);                             // (2, H, W)
  s.objective = objective.item<double>();
  s.pose_distortion = t.pose_distortion.item<double>();
  s.seg_surrogate = t.seg_surrogate.item<double>();
  s.seg_distortion = t.seg_distortion.item<double>();
  const at::Tensor per_frame = s.map.to(at::kDouble).sum({1, 2});
  s.frame_totals = {per_frame[0].item<double>(), per_frame[1].item<double>()};
  s.total = s.frame_totals[0] + s.frame_totals[1];
  const auto h = s.map.size(1), w = s.map.size(2);
  const at::Tensor both = s.map.to(at::kDouble).sum(0);  // (H, W)
  for (int r = 0; r < kRegionRows; ++r)
    for (int c = 0; c < kRegionCols; ++c) {
      const auto y0 = h * r / kRegionRows, y1 = h * (r + 1) / kRegionRows;
      const auto x0 = w * c / kRegionCols, x1 = w * (c + 1) / kRegionCols;
      s.region_totals[static_cast<std::size_t>(r * kRegionCols + c)] = both.slice(0, y0, y1).slice(1, x0, x1).sum().item<double>();
    }
  const at::Tensor classes = full_resolution_classes(gt.seg_logits, h, w);
  const at::Tensor second = s.map[1].to(at::kDouble);
  for (std::size_t k = 0; k < s.class_totals.size(); ++k)
    s.class_totals[k] = second.masked_select(classes == static_cast<std::int64_t>(k)).sum().item<double>();
  return s;
}

}  // namespace tac::train
