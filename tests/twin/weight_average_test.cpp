// Polyak averaging of the twin's weights: the exact moving average of the listed tensors, a swap
// that exchanges and restores, bad decays and unknown keys refused.
#include "tac/twin/weight_average.hpp"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>

#include "tac/core/error.hpp"

namespace {

tac::scorer::nn::KeyedTensors network(float a, float b) {
  return {{"conv.weight", at::full({2, 3}, a)}, {"bn.running_mean", at::full({2}, b)}};
}

}  // namespace

TEST(WeightAverage, AveragesTheListedTensorsOverTheSteps) {
  auto live = network(1.0f, 5.0f);
  tac::twin::WeightAverage average(live, {"conv.weight"}, 0.75);
  EXPECT_EQ(average.tensors().size(), 1u);
  live.at("conv.weight").fill_(3.0f);
  average.update(live);  // 0.75 * 1 + 0.25 * 3
  EXPECT_TRUE(at::allclose(average.tensors().at("conv.weight"), at::full({2, 3}, 1.5f)));
  live.at("conv.weight").fill_(-1.0f);
  average.update(live);  // 0.75 * 1.5 + 0.25 * -1
  EXPECT_TRUE(at::allclose(average.tensors().at("conv.weight"), at::full({2, 3}, 0.875f)));
  // The live tensors are untouched by averaging, and a copy is kept (not an alias).
  EXPECT_TRUE(at::equal(live.at("conv.weight"), at::full({2, 3}, -1.0f)));

  average.swap(live);
  EXPECT_TRUE(at::allclose(live.at("conv.weight"), at::full({2, 3}, 0.875f)));
  EXPECT_TRUE(at::equal(live.at("bn.running_mean"), at::full({2}, 5.0f)));  // not averaged, not swapped
  average.swap(live);
  EXPECT_TRUE(at::equal(live.at("conv.weight"), at::full({2, 3}, -1.0f)));
  EXPECT_TRUE(at::allclose(average.tensors().at("conv.weight"), at::full({2, 3}, 0.875f)));
}

TEST(WeightAverage, ADecayOfZeroFollowsTheWeights) {
  auto live = network(2.0f, 0.0f);
  tac::twin::WeightAverage average(live, {"conv.weight"}, 0.0);
  live.at("conv.weight").fill_(7.0f);
  average.update(live);
  EXPECT_TRUE(at::equal(average.tensors().at("conv.weight"), live.at("conv.weight")));
}

TEST(WeightAverage, BadDecaysAndUnknownKeysAreRefused) {
  const auto live = network(1.0f, 0.0f);
  for (const double decay : {-0.1, 1.0, 1.5, std::nan("")})
    EXPECT_THROW(tac::twin::WeightAverage(live, {"conv.weight"}, decay), tac::Error) << decay;
  EXPECT_THROW(tac::twin::WeightAverage(live, {"conv.bias"}, 0.5), tac::Error);
}
