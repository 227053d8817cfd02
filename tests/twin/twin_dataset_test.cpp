// The twin's training pool: groups of a first frame's pairs (the frame gaps, then the random
// camera moves), each sample the scorer's exact view with its true motion.
#include "tac/twin/twin_dataset.hpp"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <set>

#include "tac/core/error.hpp"
#include "tac/synth/scene.hpp"
#include "tac/twin/twin_samples.hpp"

namespace {

std::vector<float> row(const at::Tensor& t, std::int64_t i) {
  const at::Tensor r = t[i].to(at::kFloat).contiguous();
  return {r.data_ptr<float>(), r.data_ptr<float>() + r.numel()};
}

}  // namespace

TEST(TwinDataset, GroupsHoldTheGapsThenTheMovesOfOneFirstFrame) {
  const std::vector<std::uint64_t> seeds{31, 32};
  const int pairs = 2, gaps = 2, moves = 3, group = gaps + moves;
  const auto d = tac::twin::render_dataset(seeds, pairs, gaps, moves, /*half=*/false, /*threads=*/2);
  ASSERT_EQ(d.size(), static_cast<std::int64_t>(seeds.size()) * pairs * group);
  const double dt = 1.0 / 20;
  for (std::size_t c = 0; c < seeds.size(); ++c) {
    tac::synth::SceneOptions o;
    o.seed = seeds[c];
    const tac::synth::Scene scene(o);
    for (int j = 0; j < pairs; ++j) {
      const std::int64_t first_row = (static_cast<std::int64_t>(c) * pairs + j) * group;
      // Gap 1 is a contest pair of this scene, in the j-th half of the clip: found by its motion
      // (cheap), then checked by rendering it.
      const auto motion0 = row(d.motion, first_row);
      int pair = -1;
      for (int p = j * 300; p < (j + 1) * 300 && pair < 0; ++p) {
        const auto m = tac::synth::relative_motion(scene.poses()[static_cast<std::size_t>(2 * p)], scene.poses()[static_cast<std::size_t>(2 * p + 1)]);
        bool same = true;
        for (int k = 0; k < 6; ++k) same = same && static_cast<float>(m[static_cast<std::size_t>(k)]) == motion0[static_cast<std::size_t>(k)];
        if (same) pair = p;
      }
      ASSERT_GE(pair, 0) << "scene " << seeds[c] << " group " << j << ": gap 1 is no pair of the scene";
      const auto s = tac::twin::render_twin_sample(scene, pair);
      EXPECT_EQ(row(d.pose, first_row), s.pose_input);
      // The moves share its first frame: the first half of PoseNet's input.
      for (int m = 0; m < moves; ++m) {
        const auto pose_m = row(d.pose, first_row + gaps + m);
        const std::size_t half = pose_m.size() / 2;
        EXPECT_TRUE(std::equal(pose_m.begin(), pose_m.begin() + static_cast<std::ptrdiff_t>(half), s.pose_input.begin()))
            << c << "/" << j << "/" << m;
      }
      // Each move's motion is a car's: forward within the speed bound, the turn within its bound.
      for (int m = 0; m < moves; ++m) {
        const auto motion = row(d.motion, first_row + gaps + m);
        EXPECT_GE(motion[0], 0.0f);
        EXPECT_LE(motion[0], tac::twin::kMaxMoveSpeed * dt + 1e-6);
        EXPECT_LE(std::abs(motion[5]), tac::twin::kMaxMoveYawRate * dt + 1e-6);
        EXPECT_EQ(motion[2], 0.0f);
      }
    }
  }
  // Moves are drawn per group.
  EXPECT_NE(row(d.motion, gaps), row(d.motion, group + gaps));
  // The same request renders the same pool.
  const auto again = tac::twin::render_dataset(seeds, pairs, gaps, moves, false, 1);
  EXPECT_TRUE(at::equal(again.motion, d.motion));
  EXPECT_TRUE(at::equal(again.pose, d.pose));
}

TEST(TwinDataset, BadRequestsAreRefused) {
  for (const int moves : {-1, 9}) EXPECT_THROW((void)tac::twin::render_dataset({1}, 1, 1, moves, false, 1), tac::Error) << moves;
  EXPECT_THROW((void)tac::twin::render_dataset({1}, 1, 0, 0, false, 1), tac::Error);
  EXPECT_THROW((void)tac::twin::render_dataset({}, 1, 1, 0, false, 1), tac::Error);
}

TEST(TwinDataset, PoseBatchesTakeWholeGroupsSingleSamplesOrConsecutivePairs) {
  using tac::twin::PoseBatchFrom;
  std::uint64_t state = 5;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  const std::int64_t size = 40;
  const int group = 4;
  std::set<std::int64_t> offsets;
  for (int trial = 0; trial < 50; ++trial) {
    const auto groups = tac::twin::pose_batch_rows(size, group, 8, PoseBatchFrom::groups, next);
    ASSERT_EQ(groups.size(), 8u);
    for (std::size_t i = 0; i < groups.size(); i += group)  // a group's rows together, from its first
      for (int g = 0; g < group; ++g) EXPECT_EQ(groups[i + g], groups[i] + g);
    const auto consecutive = tac::twin::pose_batch_rows(size, group, 7, PoseBatchFrom::consecutive, next);
    ASSERT_EQ(consecutive.size(), 7u);
    for (const std::int64_t r : consecutive) {
      EXPECT_EQ(r % group, 0) << "not a group's gap-1 pair";
      EXPECT_LT(r, size);
    }
    for (const std::int64_t r : tac::twin::pose_batch_rows(size, group, 5, PoseBatchFrom::samples, next)) {
      ASSERT_GE(r, 0);
      ASSERT_LT(r, size);
      offsets.insert(r % group);
    }
  }
  EXPECT_EQ(offsets.size(), static_cast<std::size_t>(group)) << "single samples come from every place in a group";
  EXPECT_THROW((void)tac::twin::pose_batch_rows(42, group, 8, PoseBatchFrom::groups, next), tac::Error);  // not whole groups
}

TEST(TwinDataset, SpreadRowsCoverThePoolOrItsConsecutivePairs) {
  EXPECT_EQ(tac::twin::spread_rows(10, 4), (std::vector<std::int64_t>{0, 2, 5, 7}));
  EXPECT_EQ(tac::twin::spread_rows(3, 8), (std::vector<std::int64_t>{0, 1, 2}));  // all of them when fewer
  // Every 4th row: each group's consecutive pair, spread over all groups.
  const auto firsts = tac::twin::spread_rows(40, 5, 4);
  EXPECT_EQ(firsts, (std::vector<std::int64_t>{0, 8, 16, 24, 32}));
  EXPECT_EQ(tac::twin::spread_rows(40, 50, 4).size(), 10u);
  EXPECT_THROW((void)tac::twin::spread_rows(40, 5, 0), tac::Error);
  EXPECT_THROW((void)tac::twin::spread_rows(3, 5, 4), tac::Error);
}

TEST(TwinDataset, MotionWithoutRenderingIsTheRenderedPoolsExactly) {
  const std::vector<std::uint64_t> seeds{41, 42};
  const int pairs = 2, gaps = 2, moves = 1;
  const auto d = tac::twin::render_dataset(seeds, pairs, gaps, moves, /*half=*/true, /*threads=*/2);
  const at::Tensor motion = tac::twin::dataset_motion(seeds, pairs, gaps, moves);
  ASSERT_EQ(motion.sizes(), d.motion.sizes());
  EXPECT_TRUE(at::equal(motion, d.motion));
  EXPECT_GT(motion.abs().sum().item<double>(), 0.0);
  EXPECT_THROW((void)tac::twin::dataset_motion({}, pairs, gaps, moves), tac::Error);
  EXPECT_THROW((void)tac::twin::dataset_motion(seeds, pairs, 9, moves), tac::Error);
}

TEST(TwinDataset, NewScenesReplaceExactlyTheirRows) {
  auto filled = [](std::int64_t n, float v, at::ScalarType type) {
    tac::twin::TwinDataset d;
    d.seg = at::full({n, 3, 4, 4}, v, at::TensorOptions().dtype(type));
    d.pose = at::full({n, 12, 2, 2}, v, at::TensorOptions().dtype(type));
    d.labels = at::full({n, 4, 4}, static_cast<int>(v), at::TensorOptions().dtype(at::kByte));
    d.motion = at::full({n, 6}, v, at::TensorOptions().dtype(at::kFloat));
    return d;
  };
  auto pool = filled(6, 1.0f, at::kHalf);
  tac::twin::replace_scenes(pool, 2, filled(2, 3.0f, at::kFloat));  // converted to the pool's float16
  for (std::int64_t i = 0; i < 6; ++i) {
    const float want = (i == 2 || i == 3) ? 3.0f : 1.0f;
    EXPECT_TRUE(at::equal(pool.seg[i], at::full({3, 4, 4}, want, at::TensorOptions().dtype(at::kHalf)))) << i;
    EXPECT_TRUE(at::equal(pool.pose[i], at::full({12, 2, 2}, want, at::TensorOptions().dtype(at::kHalf)))) << i;
    EXPECT_EQ(pool.labels[i][0][0].item<int>(), static_cast<int>(want)) << i;
    EXPECT_EQ(pool.motion[i][5].item<float>(), want) << i;
  }
  EXPECT_THROW(tac::twin::replace_scenes(pool, 5, filled(2, 3.0f, at::kFloat)), tac::Error);  // past the end
  EXPECT_THROW(tac::twin::replace_scenes(pool, -1, filled(1, 3.0f, at::kFloat)), tac::Error);
}
