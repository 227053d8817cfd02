// PoseNet's training units: the pool's mean and spread per component (still components weigh as
// the smallest moving spread), loss weights summing to one, and a head that, zeroed and folded,
// outputs the mean motion in metres and radians; folding is the inverse of reading the units.
#include "tac/twin/pose_units.hpp"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

namespace {

at::Tensor motions() {  // forward moves a lot, right a little, yaw less; down, roll, pitch never
  return at::tensor(std::vector<float>{1.0f, 0.10f, 0, 0, 0, 0.002f,   //
                                       2.0f, -0.10f, 0, 0, 0, 0.000f,  //
                                       3.0f, 0.00f, 0, 0, 0, -0.002f,  //
                                       2.0f, 0.00f, 0, 0, 0, 0.000f})
      .reshape({4, 6});
}

}  // namespace

TEST(PoseUnits, MeanAndSpreadPerComponentStillOnesAtTheSmallestMovingSpread) {
  const tac::twin::PoseUnits u = tac::twin::pose_units_of(motions());
  EXPECT_NEAR(u.mean[0].item<double>(), 2.0, 1e-6);
  EXPECT_NEAR(u.mean[1].item<double>(), 0.0, 1e-7);
  const at::Tensor spread = motions().std(0);
  EXPECT_NEAR(u.scale[0].item<double>(), spread[0].item<double>(), 1e-6);
  EXPECT_NEAR(u.scale[1].item<double>(), spread[1].item<double>(), 1e-7);
  for (int c : {2, 3, 4}) EXPECT_NEAR(u.scale[c].item<double>(), spread[5].item<double>(), 1e-9) << c;  // yaw's, the smallest moving
  EXPECT_NEAR(u.weight.sum().item<double>(), 1.0, 1e-6);
  for (int c : {2, 3, 4}) EXPECT_EQ(u.weight[c].item<float>(), 0.0f) << c;  // no motion, no weight
  // Half equal shares, half the variance's: forward (nearly all the variance) weighs most.
  EXPECT_GT(u.weight[0].item<double>(), 0.6);
  EXPECT_GT(u.weight[5].item<double>(), 1.0 / 6.0 - 1e-6);
}

TEST(PoseUnits, LossIsZeroExactlyAtTheStandardizedTruth) {
  const tac::twin::PoseUnits u = tac::twin::pose_units_of(motions());
  const at::Tensor truth = (motions() - u.mean) / u.scale;
  EXPECT_NEAR(tac::twin::standardized_pose_loss(truth, motions(), u).item<double>(), 0.0, 1e-10);
  EXPECT_GT(tac::twin::standardized_pose_loss(truth + 0.1, motions(), u).item<double>(), 1e-3);
  EXPECT_TRUE(at::allclose(tac::twin::pose_from_units(truth, u.mean, u.scale), motions(), 1e-5, 1e-6));
}

TEST(PoseUnits, AZeroedHeadFoldedOutputsTheMeanAndFoldingMatchesReadingTheUnits) {
  const tac::twin::PoseUnits u = tac::twin::pose_units_of(motions());
  tac::scorer::nn::KeyedTensors head{{"hydra.final_layer.pose.weight", at::randn({12, 5})}, {"hydra.final_layer.pose.bias", at::randn({12})}};
  const at::Tensor x = at::randn({3, 5});
  const at::Tensor rows_after_six = head.at("hydra.final_layer.pose.weight").narrow(0, 6, 6).clone();
  auto forward = [&] { return at::linear(x, head.at("hydra.final_layer.pose.weight"), head.at("hydra.final_layer.pose.bias")); };
  const at::Tensor standardized = forward().narrow(1, 0, 6);
  tac::twin::fold_pose_head(head, u.mean, u.scale);
  EXPECT_TRUE(at::allclose(forward().narrow(1, 0, 6), tac::twin::pose_from_units(standardized, u.mean, u.scale), 1e-4, 1e-5));
  EXPECT_TRUE(at::equal(head.at("hydra.final_layer.pose.weight").narrow(0, 6, 6), rows_after_six));  // only the motion rows

  tac::twin::zero_pose_head(head);
  tac::twin::fold_pose_head(head, u.mean, u.scale);
  EXPECT_TRUE(at::allclose(forward().narrow(1, 0, 6), u.mean.expand({3, 6})));
}
