// PoseNet's flow supervision: its targets are ground_flow's, it reads the stride-8 and stride-16
// stage outputs, and its loss reaches the backbone and falls when the head learns.
#include "tac/twin/posenet_flow_head.hpp"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "tac/core/error.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/twin_params.hpp"
#include "tac/scorer/twin_weights.hpp"
#include "tac/twin/ground_flow.hpp"

namespace {

at::Tensor motions() {
  return at::tensor({0.9, 0.02, 0.0, 0.0, 0.0, 0.004, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.4, -0.05, 0.0, 0.0, 0.0, -0.012},
                    at::TensorOptions().dtype(at::kDouble))
      .view({3, 6});
}

}  // namespace

TEST(PoseFlowHead, TargetsAreTheGroundFlowOfEachMotion) {
  const at::Tensor m = motions();
  const at::Tensor t = tac::twin::ground_flow_targets(m, 6, 8);
  ASSERT_EQ(t.sizes(), (std::vector<std::int64_t>{3, 2, 6, 8}));
  for (int b = 0; b < 3; ++b) {
    std::array<double, 6> one{};
    for (int c = 0; c < 6; ++c) one[static_cast<std::size_t>(c)] = m[b][c].item<double>();
    const auto flow = tac::twin::ground_flow(tac::synth::Camera{}, one, 6, 8);
    EXPECT_TRUE(at::equal(t[b].flatten(), at::tensor(flow, at::TensorOptions().dtype(at::kFloat)))) << b;
  }
}

TEST(PoseFlowHead, ItsLossReachesTheBackboneAndFallsAsTheHeadLearns) {
  auto twin = tac::scorer::load_posenet_twin(tac::scorer::make_twin(tac::scorer::Network::PoseNet, 704));
  tac::twin::PoseFlowHead head(704);
  head.set_scale(motions());
  const at::Tensor x = at::rand({3, 12, tac::twin::kPoseInputRows, tac::twin::kPoseInputCols}, at::TensorOptions().dtype(at::kFloat)) * 255;
  at::Tensor stem;
  for (auto& [key, t] : twin.tensors)
    if (key.find("stem.0.conv_kxk") != std::string::npos && key.ends_with(".conv.weight")) stem = t.requires_grad_(true);
  ASSERT_TRUE(stem.defined());
  std::vector<at::Tensor> params;
  for (auto& [key, t] : head.tensors()) params.push_back(t.requires_grad_(true));
  ASSERT_EQ(params.size(), 4u);

  std::vector<at::Tensor> stages;
  (void)tac::scorer::nn::posenet_forward_train(twin.params, x, &stages);
  ASSERT_EQ(stages.size(), 4u);
  EXPECT_EQ(stages[1].sizes(), (std::vector<std::int64_t>{3, 128, 24, 32}));
  EXPECT_EQ(stages[2].sizes(), (std::vector<std::int64_t>{3, 256, 12, 16}));
  at::Tensor loss = head.loss(stages, motions());
  const double first = loss.item<double>();
  EXPECT_GT(first, 0.0);
  loss.backward();
  ASSERT_TRUE(stem.grad().defined());
  EXPECT_GT(stem.grad().abs().max().item<double>(), 0.0) << "the flow loss does not reach PoseNet's first layer";

  // Plain gradient descent on the head alone, the stages fixed: the loss falls.
  std::vector<at::Tensor> fixed;
  for (const at::Tensor& s : stages) fixed.push_back(s.detach());
  double last = first;
  for (int step = 0; step < 20; ++step) {
    for (at::Tensor& p : params) p.mutable_grad() = at::Tensor();
    at::Tensor l = head.loss(fixed, motions());
    l.backward();
    {
      at::NoGradGuard no_grad;
      for (at::Tensor& p : params) p.sub_(p.grad() * 0.05);
    }
    last = l.item<double>();
  }
  EXPECT_LT(last, 0.8 * first);
}

TEST(PoseFlowHead, StageOutputsOfTheWrongShapeAreRefused) {
  tac::twin::PoseFlowHead head(1);
  EXPECT_THROW((void)head.loss({}, motions()), tac::Error);
  const std::vector<at::Tensor> wrong{at::zeros({3, 64, 48, 64}), at::zeros({3, 64, 24, 32}), at::zeros({3, 256, 12, 16})};
  EXPECT_THROW((void)head.loss(wrong, motions()), tac::Error);
}
