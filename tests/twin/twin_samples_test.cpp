// Twin training samples: the scorer's exact view of a synth scene's frame pair, with the second
// frame's classes at network resolution and the pair's true motion.
#include "tac/twin/twin_samples.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "tac/core/error.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/synth/scene.hpp"
#include "tac/twin/twin_training.hpp"

namespace {

using tac::synth::LabelMap;

LabelMap contest_map(std::uint8_t fill) {
  LabelMap m;
  m.width = 1164;
  m.height = 874;
  m.classes.assign(static_cast<std::size_t>(m.width) * m.height, fill);
  return m;
}


}  // namespace

TEST(TwinSamples, LabelsKeepTheirProportionsAtNetworkSize) {
  // Top half undrivable, bottom half road: the 384 output rows split 192 / 192.
  LabelMap m = contest_map(0);
  std::fill(m.classes.begin(), m.classes.begin() + 437 * 1164, std::uint8_t{2});
  const auto out = tac::twin::labels_at_net_size(m);
  ASSERT_EQ(out.size(), 384u * 512u);
  for (int y = 0; y < 384; ++y)
    for (int x = 0; x < 512; x += 97) ASSERT_EQ(out[static_cast<std::size_t>(y) * 512 + x], y < 192 ? 2 : 0) << y;
}

TEST(TwinSamples, EveryThreePixelStripeIsSeenInOneOrTwoColumns) {
  // 1164 / 512 < 3: a vertical stripe 3 pixels wide always holds some footprint centre.
  for (int first = 0; first + 3 <= 1164; first += 37) {
    LabelMap m = contest_map(0);
    for (int y = 0; y < m.height; ++y)
      for (int x = first; x < first + 3; ++x) m.classes[static_cast<std::size_t>(y) * 1164 + x] = 1;
    const auto out = tac::twin::labels_at_net_size(m);
    int columns = 0;
    for (int x = 0; x < 512; ++x) columns += out[static_cast<std::size_t>(100) * 512 + x] == 1 ? 1 : 0;
    EXPECT_GE(columns, 1) << first;
    EXPECT_LE(columns, 2) << first;
  }
}

TEST(TwinSamples, MalformedLabelMapIsRefused) {
  LabelMap m = contest_map(0);
  m.classes.pop_back();
  EXPECT_THROW((void)tac::twin::labels_at_net_size(m), tac::Error);
}

TEST(TwinSamples, SampleIsTheScorersViewOfTheScenesPair) {
  tac::synth::SceneOptions o;
  o.seed = 3;
  o.frames = 40;
  const tac::synth::Scene scene(o);
  const int pair = 7;  // frames 14 and 15
  const auto s = tac::twin::render_twin_sample(scene, pair);

  tac::synth::Yuv420Frame frame;
  LabelMap labels;
  scene.render(14, frame);
  const auto first = tac::twin::frame_to_rgb(frame);
  scene.render(15, frame, &labels);
  const auto second = tac::twin::frame_to_rgb(frame);
  std::vector<float> seg(tac::scorer::kSegInputFloats), pose(tac::scorer::kPoseInputFloats), scratch(tac::scorer::kSegInputFloats);
  tac::scorer::preprocess_pair(first.data(), second.data(), seg.data(), pose.data(), scratch.data());
  EXPECT_EQ(s.seg_input, seg);
  EXPECT_EQ(s.pose_input, pose);
  EXPECT_EQ(s.labels, tac::twin::labels_at_net_size(labels));
  const auto motion = tac::synth::relative_motion(scene.poses()[14], scene.poses()[15]);
  for (int c = 0; c < 6; ++c) EXPECT_EQ(s.motion[static_cast<std::size_t>(c)], motion[static_cast<std::size_t>(c)]);
  EXPECT_GT(s.motion[0], 0.0);  // the car drives forward

  const std::set<std::uint8_t> classes(s.labels.begin(), s.labels.end());
  EXPECT_TRUE(classes.count(0) && classes.count(2)) << "road and undrivable are always in view";
  EXPECT_EQ(classes.count(4), 0u) << "no ego hood is drawn";
  EXPECT_LE(*classes.rbegin(), 3);
}

TEST(TwinSamples, AFrameGapPairsTheFirstFrameFurtherBack) {
  tac::synth::SceneOptions o;
  o.seed = 5;
  o.frames = 24;
  const tac::synth::Scene scene(o);
  // One frame apart it is the contest's pair.
  const auto pair = tac::twin::render_twin_sample(scene, 5);
  const auto same = tac::twin::render_twin_frames(scene, 10, 11);
  EXPECT_EQ(same.seg_input, pair.seg_input);
  EXPECT_EQ(same.pose_input, pair.pose_input);
  EXPECT_EQ(same.motion, pair.motion);
  // Three frames apart: the same second frame (SegNet's input and labels), another first frame,
  // and the motion over the three frames, longer than over the last one.
  const auto gap = tac::twin::render_twin_frames(scene, 8, 11);
  EXPECT_EQ(gap.seg_input, pair.seg_input);
  EXPECT_EQ(gap.labels, pair.labels);
  EXPECT_NE(gap.pose_input, pair.pose_input);
  EXPECT_EQ(gap.motion, tac::synth::relative_motion(scene.poses()[8], scene.poses()[11]));
  EXPECT_GT(gap.motion[0], 2.5 * pair.motion[0]);
  // A group: frame 8 with each of the next three frames, each frame rendered once.
  const auto group = tac::twin::render_twin_gaps(scene, 8, 3);
  ASSERT_EQ(group.size(), 3u);
  for (int g = 1; g <= 3; ++g) {
    const auto one = tac::twin::render_twin_frames(scene, 8, 8 + g);
    const auto& s = group[static_cast<std::size_t>(g - 1)];
    EXPECT_EQ(s.pose_input, one.pose_input) << g;
    EXPECT_EQ(s.seg_input, one.seg_input) << g;
    EXPECT_EQ(s.labels, one.labels) << g;
    EXPECT_EQ(s.motion, one.motion) << g;
  }
  EXPECT_THROW((void)tac::twin::render_twin_gaps(scene, 21, 3), tac::Error);
  EXPECT_THROW((void)tac::twin::render_twin_gaps(scene, 4, 0), tac::Error);
  for (const auto& [a, b] : {std::pair{11, 11}, {11, 10}, {-1, 3}, {20, 24}}) {
    try {
      (void)tac::twin::render_twin_frames(scene, a, b);
      FAIL() << a << "," << b << " was accepted";
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
    }
  }
}

TEST(TwinSamples, AMovedPoseIsTheCarMotionAskedFor) {
  tac::synth::EgoPose a;
  a.t = 3.0;
  a.x = 2.5;
  a.z = 140.0;
  for (const double yaw : {0.0, 0.3, -0.7}) {
    a.yaw = yaw;
    for (const auto& m : {tac::twin::CameraMove{1.2, 0.0}, {0.8, 0.02}, {1.5, -0.03}, {0.0, 0.01}}) {
      const auto b = tac::twin::moved_pose(a, m, 0.05);
      EXPECT_DOUBLE_EQ(b.t, 3.05);
      const auto motion = tac::synth::relative_motion(a, b);
      // An arc: its chord at half the turn from the heading; the chord is shorter than the arc.
      const double chord = std::hypot(motion[0], motion[1]);
      EXPECT_LE(chord, m.arc + 1e-12);
      EXPECT_NEAR(chord, m.turn == 0 ? m.arc : m.arc * std::sin(m.turn / 2) / (m.turn / 2), 1e-12);
      EXPECT_NEAR(motion[1], chord * std::sin(m.turn / 2), 1e-12) << "right";
      EXPECT_NEAR(motion[0], chord * std::cos(m.turn / 2), 1e-12) << "forward";
      EXPECT_NEAR(motion[5], m.turn, 1e-15);
      EXPECT_EQ(motion[2], 0.0);
      if (m.turn > 0 && m.arc > 0) {
        EXPECT_GT(motion[1], 0.0) << "turning right drifts right";
      }
      if (m.turn < 0 && m.arc > 0) {
        EXPECT_LT(motion[1], 0.0);
      }
    }
  }
}

TEST(TwinSamples, RandomMovesPairTheFirstFrameWithViewsFromMovedPoses) {
  tac::synth::SceneOptions o;
  o.seed = 9;
  o.frames = 24;
  o.vehicles = false;  // a still world: a standing camera sees the same frame
  const tac::synth::Scene scene(o);
  const std::vector<tac::twin::CameraMove> moves{{0.0, 0.0}, {1.0, 0.0}, {1.0, 0.02}};
  const auto group = tac::twin::render_twin_moves(scene, 6, moves);
  ASSERT_EQ(group.size(), 3u);
  const auto natural = tac::twin::render_twin_frames(scene, 6, 7);
  constexpr std::size_t half = tac::scorer::kPoseInputFloats / 2;
  for (std::size_t i = 0; i < group.size(); ++i) {
    const auto& s = group[i];
    const auto expected = tac::synth::relative_motion(scene.poses()[6], tac::twin::moved_pose(scene.poses()[6], moves[i], 0.05));
    EXPECT_EQ(s.motion, expected) << i;
    EXPECT_EQ(s.labels.size(), natural.labels.size());
  }
  // Standing still: the second frame is the first, so both halves of PoseNet's input agree and
  // SegNet's input is frame 6 itself, unlike the natural pair's frame 7.
  const auto& still = group[0].pose_input;
  EXPECT_TRUE(std::equal(still.begin(), still.begin() + half, still.begin() + half)) << "YUV6 of frame 6 twice";
  EXPECT_NE(group[0].seg_input, natural.seg_input);
  // Moving: another second frame, and the turn changes it again.
  EXPECT_NE(group[1].pose_input, group[0].pose_input);
  EXPECT_NE(group[2].pose_input, group[1].pose_input);
  // Motions no car makes between two frames are refused.
  for (const auto& bad : {tac::twin::CameraMove{-0.1, 0.0}, {1.0, 1.5}, {std::nan(""), 0.0}}) {
    try {
      (void)tac::twin::render_twin_moves(scene, 6, {bad});
      FAIL() << bad.arc << "," << bad.turn << " was accepted";
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
    }
  }
  EXPECT_THROW((void)tac::twin::render_twin_moves(scene, 23, moves), tac::Error);
}

TEST(TwinSamples, PairsOutsideTheSceneOrOtherSizesAreRefused) {
  tac::synth::SceneOptions o;
  o.frames = 10;
  const tac::synth::Scene scene(o);
  EXPECT_THROW((void)tac::twin::render_twin_sample(scene, 5), tac::Error);
  EXPECT_THROW((void)tac::twin::render_twin_sample(scene, -1), tac::Error);
  o.camera.width = 640;
  o.camera.height = 480;
  const tac::synth::Scene small(o);
  try {
    (void)tac::twin::render_twin_sample(small, 0);
    FAIL() << "a 640x480 scene was accepted";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
  }
}

TEST(TwinSamples, HeldOutSeedsAreNeverTrainingSeeds) {
  const auto train = tac::twin::training_seeds(704, 64);
  const auto held = tac::twin::held_out_seeds(704, 16);
  EXPECT_EQ(train, tac::twin::training_seeds(704, 64));
  EXPECT_NE(train, tac::twin::training_seeds(705, 64));
  EXPECT_EQ(std::set<std::uint64_t>(train.begin(), train.end()).size(), train.size());
  for (const auto s : held) EXPECT_EQ(std::count(train.begin(), train.end(), s), 0) << s;
}
