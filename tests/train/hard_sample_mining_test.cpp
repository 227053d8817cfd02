// Hard-sample mining: weights from running losses against the documented formulas, mean 1,
// top-k, unvisited pairs, the running average, and refused settings.
#include "tac/train/hard_sample_mining.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/error_kind.hpp"

namespace {

using tac::train::HardSampleMiner;
using tac::train::HardSampleMining;
using tac::train::MiningKind;

TEST(HardSampleMining, WeightsAreOneUntilAPairWasSeenAndWhenOff) {
  HardSampleMiner off({MiningKind::off}, 3);
  off.record({0, 1}, {5.0, 1.0});
  EXPECT_EQ(off.weights({0, 1, 2}), (std::vector<double>{1, 1, 1}));
  HardSampleMiner power({MiningKind::power, 1.0}, 3);
  EXPECT_EQ(power.weights({0, 1, 2}), (std::vector<double>{1, 1, 1}));
}

TEST(HardSampleMining, PowerWeightsFollowTheFormulaWithMeanOne) {
  HardSampleMining m;
  m.kind = MiningKind::power;
  m.alpha = 2.0;
  m.memory = 0.0;
  HardSampleMiner miner(m, 3);
  miner.record({0, 1, 2}, {1.0, 2.0, 3.0});
  const auto w = miner.weights({0, 1, 2});
  const double sum = 1 + 4 + 9;
  EXPECT_NEAR(w[0], 3 * 1 / sum, 1e-12);
  EXPECT_NEAR(w[1], 3 * 4 / sum, 1e-12);
  EXPECT_NEAR(w[2], 3 * 9 / sum, 1e-12);
  EXPECT_NEAR(w[0] + w[1] + w[2], 3.0, 1e-12);
  EXPECT_EQ(miner.weights({2, 0}), (std::vector<double>{w[2], w[0]}));  // per pick, in the picks' order
}

TEST(HardSampleMining, UnvisitedPairsCountWithTheMeanOfTheVisitedOnes) {
  HardSampleMining m;
  m.kind = MiningKind::power;
  m.alpha = 1.0;
  HardSampleMiner miner(m, 3);
  miner.record({0, 1}, {1.0, 3.0});  // pair 2 counts as 2
  const auto w = miner.weights({0, 1, 2});
  EXPECT_NEAR(w[0], 3 * 1 / 6.0, 1e-12);
  EXPECT_NEAR(w[1], 3 * 3 / 6.0, 1e-12);
  EXPECT_NEAR(w[2], 3 * 2 / 6.0, 1e-12);
}

TEST(HardSampleMining, TopKGivesTheHardestPairsTheWholeWeight) {
  HardSampleMining m;
  m.kind = MiningKind::top_k;
  m.k = 2;
  HardSampleMiner miner(m, 4);
  miner.record({0, 1, 2, 3}, {0.5, 2.0, 1.0, 2.0});  // tie between 1 and 3: both in the top 2
  EXPECT_EQ(miner.weights({0, 1, 2, 3}), (std::vector<double>{0, 2, 0, 2}));
  miner.record({2}, {9.0});  // first visit at memory 0.5 set r = 1; now 0.5 * 1 + 0.5 * 9 = 5
  EXPECT_FLOAT_EQ(miner.state()[2], 5.0f);
  EXPECT_EQ(miner.weights({0, 1, 2, 3}), (std::vector<double>{0, 2, 2, 0}));  // tie 1 vs 3: the lower pair
}

TEST(HardSampleMining, RunningLossIsAnExponentialAverage) {
  HardSampleMining m;
  m.kind = MiningKind::power;
  m.memory = 0.75;
  HardSampleMiner miner(m, 1);
  EXPECT_LT(miner.state()[0], 0.0f);
  miner.record({0}, {4.0});
  EXPECT_FLOAT_EQ(miner.state()[0], 4.0f);
  miner.record({0}, {8.0});
  EXPECT_FLOAT_EQ(miner.state()[0], 0.75f * 4 + 0.25f * 8);
  // A copy restored from the state weighs exactly the same (what a checkpoint relies on).
  HardSampleMiner copy(m, 1);
  copy.state() = miner.state();
  EXPECT_EQ(copy.weights({0}), miner.weights({0}));
}

TEST(HardSampleMining, RefusesOutOfRangeSettings) {
  const auto refused = [](HardSampleMining m) {
    const auto e = tac::test::error_of([&] { validate(m, "r.toml"); });
    return e && e->kind() == tac::ErrorKind::usage;
  };
  EXPECT_FALSE(refused({MiningKind::power, 1.0, 1, 0.5}));
  EXPECT_TRUE(refused({MiningKind::power, -1.0, 1, 0.5}));
  EXPECT_TRUE(refused({MiningKind::top_k, 1.0, 0, 0.5}));
  EXPECT_TRUE(refused({MiningKind::power, 1.0, 1, 1.0}));
}

}  // namespace
