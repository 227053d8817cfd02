#pragma once
// Polyak averaging while the twin trains (issue #15, docs/twin.md "Weight averaging"): an
// exponential moving average of a network's trainable tensors over about 1 / (1 - decay) steps.
// The held-out PoseNet R² of the last step's weights swings by ±0.08 from one evaluation to the
// next even late in a run (session 11: 0.81, 0.73, 0.75, 0.69, 0.77, 0.64 every 100 steps); the
// average of the weights along that path is what the evaluations and the exported twin use.
// Internal to tac_twin (libtorch).
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "tac/scorer/torch_weights.hpp"

namespace tac::twin {

class WeightAverage {
 public:
  // Starts at the current values of `keys` in `live` (copies). decay in [0, 1).
  WeightAverage(const scorer::nn::KeyedTensors& live, const std::vector<std::string>& keys, double decay);
  // average = decay * average + (1 - decay) * live, for every averaged key.
  void update(const scorer::nn::KeyedTensors& live);
  // Exchanges the averaged and the live values (doing it twice restores both).
  void swap(scorer::nn::KeyedTensors& live);
  // The averages by key, for the checkpoint.
  scorer::nn::KeyedTensors& tensors() { return average_; }

 private:
  double decay_;
  scorer::nn::KeyedTensors average_;
};

}  // namespace tac::twin
