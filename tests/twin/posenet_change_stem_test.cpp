// PoseNet's training starts with half its first filters seeing the change between the two frames.
#include "tac/twin/posenet_change_stem.hpp"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "tac/core/error.hpp"
#include "tac/scorer/twin_params.hpp"
#include "tac/scorer/twin_weights.hpp"

namespace {

at::Tensor stem_weight(const tac::scorer::nn::KeyedTensors& t, const std::string& branch) {
  for (const auto& [key, w] : t)
    if (key.find("stem.0." + branch) != std::string::npos && key.ends_with(".conv.weight")) return w;
  return {};
}

}  // namespace

TEST(PoseNetChangeStem, HalfTheFirstFiltersSeeTheSecondFrameMinusTheFirst) {
  auto twin = tac::scorer::load_posenet_twin(tac::scorer::make_twin(tac::scorer::Network::PoseNet, 704));
  std::map<std::string, at::Tensor> before;
  for (const auto& [key, w] : twin.tensors) before[key] = w.clone();
  tac::twin::start_stem_on_change(twin.tensors);
  for (const std::string branch : {"conv_kxk", "conv_scale"}) {
    const at::Tensor w = stem_weight(twin.tensors, branch);
    ASSERT_TRUE(w.defined()) << branch;
    ASSERT_EQ(w.size(1), 12);
    const std::int64_t half = w.size(0) / 2;
    const at::Tensor seeded = stem_weight(before, branch);
    // The first frame's weights and the other half of the filters are the seeded ones.
    EXPECT_TRUE(at::equal(w.narrow(1, 0, 6), seeded.narrow(1, 0, 6))) << branch;
    EXPECT_TRUE(at::equal(w.narrow(0, half, w.size(0) - half), seeded.narrow(0, half, w.size(0) - half))) << branch;
    EXPECT_TRUE(at::equal(w.narrow(0, 0, half).narrow(1, 6, 6), -seeded.narrow(0, 0, half).narrow(1, 0, 6))) << branch;
    // What they see: two identical frames give the changed filters nothing, the others the scene;
    // a change between the frames reaches the changed filters.
    const at::Tensor frame = at::randn({1, 6, 32, 32}, at::TensorOptions().dtype(at::kFloat));
    const at::Tensor still = at::conv2d(at::cat({frame, frame}, 1), w);
    EXPECT_LT(still.narrow(1, 0, half).abs().max().item<double>(), 1e-5 * still.narrow(1, half, w.size(0) - half).abs().max().item<double>());
    EXPECT_GT(still.narrow(1, half, w.size(0) - half).abs().max().item<double>(), 0.0);
    const at::Tensor moved = at::conv2d(at::cat({frame, at::roll(frame, {1}, {2})}, 1), w);
    EXPECT_GT(moved.narrow(1, 0, half).abs().max().item<double>(), 0.1 * moved.narrow(1, half, w.size(0) - half).abs().max().item<double>());
  }
  // Every other tensor is untouched.
  for (const auto& [key, w] : twin.tensors) {
    if (key.find("stem.0.conv_") != std::string::npos && key.ends_with(".conv.weight")) continue;
    EXPECT_TRUE(at::equal(w, before.at(key))) << key;
  }
}

TEST(PoseNetChangeStem, ANetworkWithoutThatStemIsRefused) {
  tac::scorer::nn::KeyedTensors none;
  EXPECT_THROW(tac::twin::start_stem_on_change(none), tac::Error);
  tac::scorer::nn::KeyedTensors wrong{{"stem.0.conv_kxk.0.conv.weight", at::zeros({4, 3, 3, 3})}};
  EXPECT_THROW(tac::twin::start_stem_on_change(wrong), tac::Error);
}
