#include "tac/train/grid_adam.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

#include "tac/core/error.hpp"

namespace tac::train {

void GridAdam::add(std::string name, at::Tensor value, at::Tensor unit, double lr) {
  value.set_requires_grad(true);
  params.push_back({std::move(name), value, std::move(unit), lr, at::zeros_like(value), at::zeros_like(value), 0});
}

void GridAdam::step() { step(std::vector<double>(params.size(), 1.0)); }

void GridAdam::step(const std::vector<double>& lr_scales) {
  if (lr_scales.size() != params.size()) fail(ErrorKind::internal, "grid adam: {} lr scales for {} parameters", lr_scales.size(), params.size());
  const c10::NoGradGuard no_grad;
  ++steps_taken;
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto& p = params[i];
    at::Tensor& g = p.value.mutable_grad();
    if (lr_scales[i] == 0.0) {  // frozen this step
      if (g.defined()) g.zero_();
      continue;
    }
    const double t = static_cast<double>(++p.steps);
    const double bias1 = 1.0 - std::pow(beta1, t), bias2 = 1.0 - std::pow(beta2, t);
    const at::Tensor grad = g.defined() ? g : at::zeros_like(p.value);
    p.m.mul_(beta1).add_(grad, 1.0 - beta1);
    p.v.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
    const at::Tensor denom = (p.v / bias2).sqrt_().add_(eps);
    p.value.sub_(p.m / denom * p.unit * (p.lr * lr_scales[i] / bias1));
    if (g.defined()) g.zero_();
  }
}

}  // namespace tac::train
