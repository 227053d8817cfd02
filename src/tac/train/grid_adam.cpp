#include "tac/train/grid_adam.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

namespace tac::train {

void GridAdam::add(std::string name, at::Tensor value, at::Tensor unit, double lr) {
  value.set_requires_grad(true);
  params.push_back({std::move(name), value, std::move(unit), lr, at::zeros_like(value), at::zeros_like(value)});
}

void GridAdam::step() {
  const c10::NoGradGuard no_grad;
  ++steps_taken;
  const double t = static_cast<double>(steps_taken);
  const double bias1 = 1.0 - std::pow(beta1, t), bias2 = 1.0 - std::pow(beta2, t);
  for (auto& p : params) {
    at::Tensor& g = p.value.mutable_grad();
    const at::Tensor grad = g.defined() ? g : at::zeros_like(p.value);
    p.m.mul_(beta1).add_(grad, 1.0 - beta1);
    p.v.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
    const at::Tensor denom = (p.v / bias2).sqrt_().add_(eps);
    p.value.sub_(p.m / denom * p.unit * (p.lr / bias1));
    if (g.defined()) g.zero_();
  }
}

}  // namespace tac::train
