#include "tac/twin/weight_average.hpp"

#include <ATen/ATen.h>

#include "tac/core/error.hpp"

namespace tac::twin {

WeightAverage::WeightAverage(const scorer::nn::KeyedTensors& live, const std::vector<std::string>& keys, double decay) : decay_(decay) {
  if (!(decay >= 0 && decay < 1)) fail(ErrorKind::usage, "weight averaging: the decay must be in [0, 1), got {}", decay);
  at::NoGradGuard no_grad;
  for (const std::string& key : keys) {
    const auto it = live.find(key);
    if (it == live.end()) fail(ErrorKind::internal, "weight averaging: no tensor '{}'", key);
    average_[key] = it->second.detach().clone();
  }
}

void WeightAverage::update(const scorer::nn::KeyedTensors& live) {
  at::NoGradGuard no_grad;
  for (auto& [key, average] : average_) average.mul_(decay_).add_(live.at(key).detach(), 1.0 - decay_);
}

void WeightAverage::swap(scorer::nn::KeyedTensors& live) {
  at::NoGradGuard no_grad;
  for (auto& [key, average] : average_) {
    at::Tensor& t = live.at(key);
    const at::Tensor kept = t.detach().clone();
    t.detach().copy_(average);
    average.copy_(kept);
  }
}

}  // namespace tac::twin
