// Learning-rate schedules: the factor at known steps of each kind, warm-up, and refused settings.
#include "tac/train/lr_schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "support/error_kind.hpp"

namespace {

using tac::train::LrSchedule;
using tac::train::LrScheduleKind;
using tac::train::lr_factor;

TEST(LrSchedule, ConstantIsOneAfterALinearWarmup) {
  LrSchedule s;
  EXPECT_DOUBLE_EQ(lr_factor(s, 0, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(s, 9, 10), 1.0);
  s.warmup_steps = 4;
  EXPECT_DOUBLE_EQ(lr_factor(s, 0, 10), 0.25);
  EXPECT_DOUBLE_EQ(lr_factor(s, 2, 10), 0.75);
  EXPECT_DOUBLE_EQ(lr_factor(s, 3, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(s, 4, 10), 1.0);
}

TEST(LrSchedule, CosineGoesFromOneToTheFloorAtTheLastStep) {
  LrSchedule s;
  s.kind = LrScheduleKind::cosine;
  s.floor = 0.1;
  // 11 steps, no warm-up: p = step / 10.
  EXPECT_DOUBLE_EQ(lr_factor(s, 0, 11), 1.0);
  EXPECT_NEAR(lr_factor(s, 5, 11), 0.1 + 0.9 * 0.5, 1e-15);  // cos(pi / 2) = 0
  EXPECT_NEAR(lr_factor(s, 10, 11), 0.1, 1e-15);
  EXPECT_NEAR(lr_factor(s, 2, 11), 0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * 0.2)), 1e-15);
  // With warm-up the cosine starts after it: 3 warm-up steps, then p = (step - 3) / 6 over 10 steps.
  s.warmup_steps = 3;
  EXPECT_NEAR(lr_factor(s, 0, 10), 1.0 / 3, 1e-15);
  EXPECT_DOUBLE_EQ(lr_factor(s, 3, 10), 1.0);
  EXPECT_NEAR(lr_factor(s, 6, 10), 0.55, 1e-15);
  EXPECT_NEAR(lr_factor(s, 9, 10), 0.1, 1e-15);
  // Monotone non-increasing after the warm-up.
  for (int k = 4; k < 10; ++k) EXPECT_LE(lr_factor(s, k, 10), lr_factor(s, k - 1, 10));
  // One step only: the span is clamped, the factor stays defined.
  s.warmup_steps = 0;
  EXPECT_DOUBLE_EQ(lr_factor(s, 0, 1), 1.0);
}

TEST(LrSchedule, StepDecayMultipliesByGammaEveryKSteps) {
  LrSchedule s;
  s.kind = LrScheduleKind::step;
  s.every = 3;
  s.gamma = 0.5;
  EXPECT_DOUBLE_EQ(lr_factor(s, 0, 20), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(s, 2, 20), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(s, 3, 20), 0.5);
  EXPECT_DOUBLE_EQ(lr_factor(s, 8, 20), 0.25);
  EXPECT_DOUBLE_EQ(lr_factor(s, 9, 20), 0.125);
  s.warmup_steps = 2;  // the decay counts from the end of the warm-up
  EXPECT_DOUBLE_EQ(lr_factor(s, 1, 20), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(s, 4, 20), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(s, 5, 20), 0.5);
}

TEST(LrSchedule, RefusesOutOfRangeSettings) {
  const auto refused = [](auto edit) {
    LrSchedule s;
    edit(s);
    const auto e = tac::test::error_of([&] { validate(s, "recipe.toml"); });
    return e && e->kind() == tac::ErrorKind::usage && std::string(e->what()).find("recipe.toml") != std::string::npos;
  };
  EXPECT_TRUE(refused([](LrSchedule& s) { s.warmup_steps = -1; }));
  EXPECT_TRUE(refused([](LrSchedule& s) { s.floor = 1.5; }));
  EXPECT_TRUE(refused([](LrSchedule& s) { s.floor = -0.1; }));
  EXPECT_TRUE(refused([](LrSchedule& s) { s.every = 0; }));
  EXPECT_TRUE(refused([](LrSchedule& s) { s.gamma = 0; }));
  EXPECT_TRUE(refused([](LrSchedule& s) { s.gamma = 1.1; }));
  EXPECT_FALSE(refused([](LrSchedule&) {}));
}

}  // namespace
