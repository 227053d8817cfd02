#include "tac/train/parameter_sensitivity.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tac::train {
namespace {

ParameterSensitivityRow make_row(std::string name, std::int64_t channel, const at::Tensor& grad, double step, double bytes_per_value) {
  ParameterSensitivityRow r;
  r.tensor = std::move(name);
  r.channel = channel;
  r.values = grad.numel();
  r.step = std::abs(step);
  r.bytes = bytes_per_value * static_cast<double>(r.values);
  const at::Tensor g = grad.to(at::kDouble);
  r.grad_l1 = g.abs().sum().item<double>();
  r.grad_l2 = g.pow(2).sum().sqrt().item<double>();
  r.expected_cost = std::sqrt(2.0 / std::numbers::pi) * (r.step / std::sqrt(12.0)) * r.grad_l2;
  r.bound = r.step / 2.0 * r.grad_l1;
  r.cost_per_byte = r.bytes > 0 ? r.expected_cost / r.bytes : 0.0;
  return r;
}

void rank(std::vector<ParameterSensitivityRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.cost_per_byte > b.cost_per_byte; });
}

}  // namespace

ParameterSensitivity parameter_sensitivity(Hnerv95TorchDecoder& decoder, const DifferentiableScorer& scorer, const at::Tensor& pairs,
                                           const GroundTruthOutputs& gt, const SurrogateOptions& options) {
  for (auto& w : decoder.weights()) w.value.set_requires_grad(true);
  decoder.latents().set_requires_grad(true);
  const ScoreTerms terms = scorer.terms(decoder.frames(pairs), gt, options);
  const at::Tensor objective = terms.objective();
  objective.backward();

  ParameterSensitivity out;
  out.objective = objective.item<double>();
  out.seg_distortion = terms.seg_distortion.mean().item<double>();
  out.pose_distortion = terms.pose_distortion.mean().item<double>();
  const c10::NoGradGuard no_grad;
  for (auto& w : decoder.weights()) {
    const at::Tensor g = w.value.grad().defined() ? w.value.grad() : at::zeros_like(w.value);
    out.tensors.push_back(make_row(w.name, -1, g, w.scale, 1.0));
    for (std::int64_t c = 0; c < g.size(0); ++c) out.channels.push_back(make_row(w.name, c, g[c], w.scale, 1.0));
    w.value.mutable_grad().reset();
    w.value.set_requires_grad(false);
  }
  // Latents: only the pairs' rows have a gradient (and only they are counted).
  const at::Tensor lg = decoder.latents().grad().index_select(0, pairs);
  const auto scales = decoder.latent_scales();
  const double mean_step = scales.abs().mean().item<double>();
  auto whole = make_row("latents", -1, lg, mean_step, 2.0);
  // Each dimension has its own step: the whole-tensor expected cost sums variances per dimension.
  double variance = 0, bound = 0;
  for (std::int64_t d = 0; d < lg.size(1); ++d) {
    auto row = make_row("latents", d, lg.select(1, d), scales[d].item<double>(), 2.0);
    variance += std::pow(row.step / std::sqrt(12.0) * row.grad_l2, 2);
    bound += row.bound;
    out.channels.push_back(std::move(row));
  }
  whole.step = mean_step;
  whole.expected_cost = std::sqrt(2.0 / std::numbers::pi) * std::sqrt(variance);
  whole.bound = bound;
  whole.cost_per_byte = whole.expected_cost / whole.bytes;
  out.tensors.push_back(std::move(whole));
  decoder.latents().mutable_grad().reset();
  decoder.latents().set_requires_grad(false);
  rank(out.tensors);
  rank(out.channels);
  return out;
}

}  // namespace tac::train
