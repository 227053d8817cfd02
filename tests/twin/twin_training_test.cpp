// Twin training on synthetic frames: a small budget makes both networks better on held-out
// scenes, the weights are a valid trained twin, and resuming equals not stopping.
#include "tac/twin/twin_training.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/weights_identity.hpp"

namespace {

using tac::twin::TwinTrainingOptions;

// Small enough for a test, on 2 threads.
TwinTrainingOptions tiny() {
  TwinTrainingOptions o;
  o.seed = 11;
  o.clips = 1;
  o.pairs_per_clip = 4;
  o.held_out_clips = 1;
  o.held_out_pairs = 1;
  o.steps = 4;
  o.seg_batch = 1;
  o.seg_crop_height = 64;
  o.seg_crop_width = 64;
  o.pose_batch = 2;
  o.calibration_samples = 2;
  o.threads = 2;
  o.measure_before = false;
  return o;
}

double mean(const std::vector<double>& v, std::size_t first, std::size_t count) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(first), v.begin() + static_cast<std::ptrdiff_t>(first + count), 0.0) /
         static_cast<double>(count);
}

// A resumed run starts from bit-identical state (parameters, BatchNorm buffers, Adam moments and
// step counts), but its later steps differ from the uninterrupted run's in the last bits: the CPU
// kernels' results depend slightly on the process's history (uninterrupted runs are bit-identical
// across processes). 2e-4 of a tensor's largest value is ~10x what that leaves after two resumed
// steps, and ~10x less than a lost optimizer state or a wrong batch causes.
void expect_close_values(const tac::scorer::TwinNetwork& a, const tac::scorer::TwinNetwork& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& x = a.tensors[i].values;
    const auto& y = b.tensors[i].values;
    ASSERT_EQ(a.tensors[i].spec.name, b.tensors[i].spec.name);
    ASSERT_EQ(x.size(), y.size()) << a.tensors[i].spec.name;
    float largest = 0, diff = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
      largest = std::max(largest, std::abs(x[k]));
      diff = std::max(diff, std::abs(x[k] - y[k]));
    }
    EXPECT_LE(diff, 2e-4f * largest + 1e-7f) << a.tensors[i].spec.name;
  }
}

}  // namespace

TEST(TwinTraining, SmallBudgetLowersTheLossAndRaisesHeldOutAccuracy) {
  TwinTrainingOptions o = tiny();
  o.clips = 2;
  o.pairs_per_clip = 6;
  o.held_out_pairs = 4;
  o.steps = 16;
  o.seg_batch = 2;
  o.seg_crop_height = 128;
  o.seg_crop_width = 128;
  o.pose_batch = 4;
  o.calibration_samples = 8;
  o.measure_before = true;
  const auto r = tac::twin::train_twins(o);
  ASSERT_EQ(r.steps, 16);
  ASSERT_EQ(r.seg_loss_curve.size(), 16u);
  EXPECT_LT(mean(r.seg_loss_curve, 12, 4), 0.8 * mean(r.seg_loss_curve, 0, 4));
  EXPECT_LT(mean(r.pose_loss_curve, 12, 4), 0.8 * mean(r.pose_loss_curve, 0, 4));
  EXPECT_GT(r.after.pixel_accuracy, r.before.pixel_accuracy + 0.1)
      << "before " << r.before.pixel_accuracy << ", after " << r.after.pixel_accuracy;
  EXPECT_GT(r.after.pose_r2, r.before.pose_r2);
  EXPECT_EQ(r.after.samples, 4);
  EXPECT_TRUE(r.after.present[0] && r.after.present[2]);

  // The weights are a trained twin in the upstream layout, read by the scorer's strict loader.
  tac::test::TempDir dir("twin-train");
  for (const auto* twin : {&r.segnet, &r.posenet}) {
    const auto path = dir.path / (std::string(tac::scorer::network_name(twin->network)) + ".safetensors");
    tac::scorer::write_twin(*twin, path);
    const auto id = tac::scorer::identify_weights(path, twin->network);
    EXPECT_EQ(id.kind, tac::scorer::WeightsKind::TrainedTwin) << id.description;
    EXPECT_NE(id.description.find("16 steps"), std::string::npos) << id.description;
    if (twin->network == tac::scorer::Network::SegNet) EXPECT_NO_THROW((void)tac::scorer::nn::load_segnet(path));
    else EXPECT_NO_THROW((void)tac::scorer::nn::load_posenet(path));
  }
}

TEST(TwinTraining, ResumingFromACheckpointEqualsNotStopping) {
  tac::test::TempDir dir("twin-resume");
  TwinTrainingOptions straight = tiny();
  straight.checkpoint = dir.path / "straight.pt";
  const auto a = tac::twin::train_twins(straight);

  TwinTrainingOptions first = tiny();
  first.checkpoint = dir.path / "resumed.pt";
  first.checkpoint_every = 0;
  first.interrupt_after = 2;
  const auto stopped = tac::twin::train_twins(first);
  EXPECT_TRUE(stopped.interrupted);
  EXPECT_EQ(stopped.steps, 2);

  TwinTrainingOptions second = tiny();
  second.checkpoint = first.checkpoint;
  second.resume = true;
  const auto b = tac::twin::train_twins(second);
  EXPECT_EQ(b.resumed_from, 2);
  EXPECT_EQ(b.steps, 4);
  expect_close_values(a.segnet, b.segnet);
  expect_close_values(a.posenet, b.posenet);
  EXPECT_NEAR(a.after.pixel_accuracy, b.after.pixel_accuracy, 0.02);

  // A checkpoint made with other options is refused, naming the file.
  TwinTrainingOptions other = tiny();
  other.seed = 12;
  other.checkpoint = first.checkpoint;
  other.resume = true;
  try {
    (void)tac::twin::train_twins(other);
    FAIL() << "a checkpoint of other options was resumed";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("resumed.pt"), std::string::npos) << e.what();
  }
}

TEST(TwinTraining, BadOptionsAreRefused) {
  TwinTrainingOptions o = tiny();
  o.steps = 0;
  EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error);  // neither steps nor budget
  o = tiny();
  o.seg_crop_height = 100;  // not a multiple of 32
  EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error);
  o = tiny();
  o.resume = true;  // no checkpoint path
  EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error);
  o = tiny();
  o.checkpoint = "/nonexistent/dir/ck.pt";
  o.resume = true;
  EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error);
}
