// Twin training on synthetic frames: a small budget makes both networks better on held-out
// scenes, the weights are a valid trained twin, and resuming equals not stopping.
#include "tac/twin/twin_training.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
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

// A resumed run starts from bit-identical state: its first forward pass gives exactly the
// uninterrupted run's losses at that step. Its backward passes then differ from the
// uninterrupted run's in the last bits (uninterrupted runs are bit-identical across processes;
// not the thread count, not the memory format — cause not found), and Adam, whose steps have a
// fixed size, turns that into weight differences of up to a few learning rates. The bound is
// 4 steps of the largest learning rate (2e-3): a lost or wrong state differs by far more (the
// training moves the weights by ~1e-1 over these steps).
void expect_close_values(const tac::scorer::TwinNetwork& a, const tac::scorer::TwinNetwork& b, double bound) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& name = a.tensors[i].spec.name;
    if (name.ends_with("running_mean") || name.ends_with("running_var")) continue;  // recalibrated from the weights
    const auto& x = a.tensors[i].values;
    const auto& y = b.tensors[i].values;
    ASSERT_EQ(name, b.tensors[i].spec.name);
    ASSERT_EQ(x.size(), y.size()) << name;
    double diff = 0;
    for (std::size_t k = 0; k < x.size(); ++k) diff = std::max(diff, static_cast<double>(std::abs(x[k] - y[k])));
    EXPECT_LE(diff, bound) << name;
  }
}

struct StraightAndResumed {
  tac::twin::TwinTrainingResult straight, stopped, resumed;
  std::filesystem::path checkpoint;  // the stopped run's, resumed
};

// The same options run straight through (checkpoint dir/straight.pt), and stopped after `stop`
// steps (dir/resumed.pt), then resumed from that checkpoint.
StraightAndResumed run_straight_and_resumed(const TwinTrainingOptions& options, const std::filesystem::path& dir, std::int64_t stop) {
  StraightAndResumed out;
  TwinTrainingOptions straight = options;
  straight.checkpoint = dir / "straight.pt";
  out.straight = tac::twin::train_twins(straight);
  TwinTrainingOptions first = options;
  first.checkpoint = out.checkpoint = dir / "resumed.pt";
  first.checkpoint_every = 0;
  first.interrupt_after = stop;
  out.stopped = tac::twin::train_twins(first);
  TwinTrainingOptions second = options;
  second.checkpoint = out.checkpoint;
  second.resume = true;
  out.resumed = tac::twin::train_twins(second);
  return out;
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
  ASSERT_EQ(b.seg_loss_curve.size(), 2u);
  EXPECT_EQ(b.seg_loss_curve[0], a.seg_loss_curve[2]) << "the resumed state is not the interrupted one";
  EXPECT_EQ(b.pose_loss_curve[0], a.pose_loss_curve[2]) << "the resumed state is not the interrupted one";
  const double bound = 4 * std::max(tiny().seg_lr, tiny().pose_lr);
  expect_close_values(a.segnet, b.segnet, bound);
  expect_close_values(a.posenet, b.posenet, bound);

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
  for (const int gap : {0, 9}) {
    o = tiny();
    o.pose_gaps = gap;
    EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error) << gap;
  }
  for (const int moves : {-1, 9}) {
    o = tiny();
    o.pose_moves = moves;
    EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error) << moves;
  }
  for (const double flow : {-0.5, 101.0, std::nan("")}) {
    o = tiny();
    o.pose_flow = flow;
    EXPECT_THROW((void)tac::twin::train_twins(o), tac::Error) << flow;
  }
}

TEST(TwinTraining, MotionOptionsTrainResumeAndBelongToTheCheckpoint) {
  // Random camera moves, the change stem, running BatchNorm statistics, batches of single
  // samples, the flow supervision and weight averaging: a run with all of them resumes into the
  // same state (the flow head too: its loss at the resumed step is the uninterrupted run's), and a
  // checkpoint made with any one of them otherwise is refused.
  tac::test::TempDir dir("twin-motion-options");
  auto options = [&] {
    TwinTrainingOptions o = tiny();
    o.pose_moves = 2;
    o.pose_change_stem = true;
    o.pose_running_bn = true;
    o.pose_batch_from = tac::twin::PoseBatchFrom::samples;
    o.pose_flow = 0.5;
    o.weight_average = 0.5;
    return o;
  };
  const StraightAndResumed runs = run_straight_and_resumed(options(), dir.path, 2);
  const auto& a = runs.straight;
  const auto& b = runs.resumed;
  ASSERT_EQ(a.pose_loss_curve.size(), 4u);
  for (const double loss : a.pose_loss_curve) EXPECT_TRUE(std::isfinite(loss));
  ASSERT_EQ(a.flow_loss_curve.size(), 4u);
  for (const double loss : a.flow_loss_curve) EXPECT_GT(loss, 0.0);
  EXPECT_EQ(a.after.samples, 1);
  ASSERT_EQ(b.pose_loss_curve.size(), 2u);
  EXPECT_EQ(b.pose_loss_curve[0], a.pose_loss_curve[2]) << "the running statistics or the moves did not resume";
  ASSERT_EQ(b.flow_loss_curve.size(), 2u);
  EXPECT_EQ(b.flow_loss_curve[0], a.flow_loss_curve[2]) << "the flow head did not resume";

  for (int change = 0; change < 6; ++change) {
    TwinTrainingOptions other = options();
    if (change == 0) other.pose_moves = 1;
    if (change == 1) other.pose_change_stem = false;
    if (change == 2) other.pose_running_bn = false;
    if (change == 3) other.pose_batch_from = tac::twin::PoseBatchFrom::groups;
    if (change == 4) other.pose_flow = 0;
    if (change == 5) other.weight_average = 0;
    other.checkpoint = runs.checkpoint;
    other.resume = true;
    EXPECT_THROW((void)tac::twin::train_twins(other), tac::Error) << change;
  }
}

TEST(TwinTraining, WeightAveragingLeavesTrainingAloneAndExportsTheAverage) {
  // The same training with and without averaging: identical losses; the exported twin is the
  // average (a decay near 0 exports the last step's weights, one of 0.9 other weights); bad decays
  // are refused.
  auto run = [](double decay) {
    TwinTrainingOptions o = tiny();
    o.weight_average = decay;
    return tac::twin::train_twins(o);
  };
  const auto plain = run(0), follows = run(1e-9), averaged = run(0.9);
  EXPECT_EQ(averaged.pose_loss_curve, plain.pose_loss_curve);
  EXPECT_EQ(averaged.seg_loss_curve, plain.seg_loss_curve);
  auto max_difference = [](const tac::scorer::TwinNetwork& a, const tac::scorer::TwinNetwork& b) {
    double most = 0;
    for (std::size_t i = 0; i < a.tensors.size(); ++i)
      for (std::size_t j = 0; j < a.tensors[i].values.size(); ++j)
        most = std::max(most, static_cast<double>(std::abs(a.tensors[i].values[j] - b.tensors[i].values[j])));
    return most;
  };
  for (const auto which : {&tac::twin::TwinTrainingResult::segnet, &tac::twin::TwinTrainingResult::posenet}) {
    EXPECT_LT(max_difference(follows.*which, plain.*which), 1e-4);
    EXPECT_GT(max_difference(averaged.*which, plain.*which), 1e-3);
  }
  for (const double decay : {-0.5, 1.0, std::nan("")}) EXPECT_THROW((void)run(decay), tac::Error) << decay;
}

TEST(TwinTraining, ACurriculumStageStartsFromAnotherRunsNetworks) {
  // Stage one trains on frame gaps; stage two starts from its networks (--init-from) on
  // consecutive pairs only. Its first loss is that of stage one's networks, not of the seeded
  // start; a stage on another pool starts from them too (the head carried into its units:
  // twin_checkpoint_test); a missing file and the run's own checkpoint are refused.
  tac::test::TempDir dir("twin-curriculum");
  TwinTrainingOptions first = tiny();
  first.pose_gaps = 2;
  first.pose_flow = 0.5;
  first.checkpoint = dir.path / "stage1.pt";
  (void)tac::twin::train_twins(first);

  auto second_stage = [&] {
    TwinTrainingOptions o = tiny();
    o.pose_gaps = 2;
    o.pose_flow = 0.5;
    o.pose_batch_from = tac::twin::PoseBatchFrom::consecutive;
    o.steps = 1;
    return o;
  };
  TwinTrainingOptions fresh = second_stage();
  const auto from_seeded = tac::twin::train_twins(fresh);
  TwinTrainingOptions staged = second_stage();
  staged.init_from = first.checkpoint;
  staged.checkpoint = dir.path / "stage2.pt";
  const auto from_stage1 = tac::twin::train_twins(staged);
  ASSERT_EQ(from_seeded.pose_loss_curve.size(), 1u);
  ASSERT_EQ(from_stage1.pose_loss_curve.size(), 1u);
  EXPECT_TRUE(std::isfinite(from_stage1.pose_loss_curve[0]));
  EXPECT_NE(from_stage1.pose_loss_curve[0], from_seeded.pose_loss_curve[0]);
  EXPECT_NE(from_stage1.seg_loss_curve[0], from_seeded.seg_loss_curve[0]);
  EXPECT_NE(from_stage1.flow_loss_curve[0], from_seeded.flow_loss_curve[0]);
  // The same start twice is the same run.
  TwinTrainingOptions again = staged;
  again.checkpoint = dir.path / "stage2b.pt";
  EXPECT_EQ(tac::twin::train_twins(again).pose_loss_curve[0], from_stage1.pose_loss_curve[0]);

  TwinTrainingOptions other_pool = second_stage();
  other_pool.pose_gaps = 1;
  other_pool.clips = first.clips + 1;
  other_pool.init_from = first.checkpoint;
  const auto from_other_pool = tac::twin::train_twins(other_pool);
  ASSERT_EQ(from_other_pool.pose_loss_curve.size(), 1u);
  EXPECT_TRUE(std::isfinite(from_other_pool.pose_loss_curve[0]));
  TwinTrainingOptions other_pool_seeded = other_pool;
  other_pool_seeded.init_from.clear();
  EXPECT_NE(from_other_pool.seg_loss_curve[0], tac::twin::train_twins(other_pool_seeded).seg_loss_curve[0]);
  TwinTrainingOptions missing = second_stage();
  missing.init_from = dir.path / "none.pt";
  EXPECT_THROW((void)tac::twin::train_twins(missing), tac::Error);
  TwinTrainingOptions itself = staged;
  itself.init_from = staged.checkpoint;
  EXPECT_THROW((void)tac::twin::train_twins(itself), tac::Error);
}

TEST(TwinTraining, ARotatingPoolTrainsOnNewScenesAndResumesIntoTheSameWindow) {
  // Two scenes in the pool, one replaced every step: step 0 trains on scenes 0 and 1, step 1 on 2
  // and 1, step 2 on 2 and 3 (none of the first pool's).
  tac::test::TempDir dir("twin-rotation");
  auto options = [] {
    TwinTrainingOptions o = tiny();
    o.clips = 2;
    o.pairs_per_clip = 2;
    o.steps = 3;
    o.refresh_scenes = 1;
    o.refresh_every = 1;
    return o;
  };
  // Stopped after 2 steps (before the third window), resumed at step 2: the window is rebuilt
  // from the step, and PoseNet's units (the first window's) match the checkpoint's.
  const StraightAndResumed runs = run_straight_and_resumed(options(), dir.path, 2);
  const auto& a = runs.straight;
  const auto& b = runs.resumed;
  EXPECT_EQ(a.train_seeds, tac::twin::training_seeds(options().seed, 4)) << "the scenes trained on are the stream's first four";
  for (const std::uint64_t s : a.train_seeds)
    EXPECT_EQ(std::count(a.held_out_seeds.begin(), a.held_out_seeds.end(), s), 0) << s;
  EXPECT_GT(a.refresh_seconds, 0.0);

  TwinTrainingOptions still = options();
  still.refresh_scenes = 0;
  still.refresh_every = 0;
  const auto c = tac::twin::train_twins(still);
  EXPECT_EQ(c.train_seeds, tac::twin::training_seeds(still.seed, 2));
  ASSERT_EQ(a.seg_loss_curve.size(), 3u);
  ASSERT_EQ(c.seg_loss_curve.size(), 3u);
  // Step 0: the same pool, the same draws.
  EXPECT_EQ(a.seg_loss_curve[0], c.seg_loss_curve[0]);
  EXPECT_EQ(a.pose_loss_curve[0], c.pose_loss_curve[0]);
  // At step 2 every row is a new scene's: the losses cannot be the still pool's.
  EXPECT_NE(a.seg_loss_curve[2], c.seg_loss_curve[2]);
  EXPECT_NE(a.pose_loss_curve[2], c.pose_loss_curve[2]);

  EXPECT_EQ(runs.stopped.train_seeds, tac::twin::training_seeds(options().seed, 3));
  ASSERT_EQ(b.seg_loss_curve.size(), 1u);
  EXPECT_EQ(b.seg_loss_curve[0], a.seg_loss_curve[2]) << "the resumed pool is not the interrupted run's";
  EXPECT_EQ(b.pose_loss_curve[0], a.pose_loss_curve[2]) << "the resumed pool is not the interrupted run's";
  EXPECT_EQ(b.train_seeds, a.train_seeds);

  // The rotation belongs to the checkpoint.
  TwinTrainingOptions other = options();
  other.refresh_every = 2;
  other.checkpoint = runs.checkpoint;
  other.resume = true;
  EXPECT_THROW((void)tac::twin::train_twins(other), tac::Error);
  // Impossible rotations are refused.
  TwinTrainingOptions bad = options();
  bad.refresh_scenes = 3;  // more than the pool's 2
  EXPECT_THROW((void)tac::twin::train_twins(bad), tac::Error);
  bad = options();
  bad.refresh_every = 0;
  EXPECT_THROW((void)tac::twin::train_twins(bad), tac::Error);
  bad = options();
  bad.steps = 10'000'000;  // a new scene every step: past the stream's limit, refused before any work
  EXPECT_THROW((void)tac::twin::train_twins(bad), tac::Error);
}
