// Phase schedules: which phase holds a step, what it trains (globs), and refused layouts.
#include "tac/train/phase_schedule.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/error_kind.hpp"

namespace {

using tac::train::TunePhase;

TunePhase phase(std::int64_t begin, std::optional<std::int64_t> end, std::vector<std::string> train) {
  TunePhase p;
  p.name = fmt::format("p{}", begin);
  p.begin = begin;
  p.end = end;
  p.train = std::move(train);
  return p;
}

TEST(PhaseSchedule, GlobMatchesStarsAndQuestionMarks) {
  using tac::train::glob_match;
  EXPECT_TRUE(glob_match("blocks.5.*", "blocks.5.weight"));
  EXPECT_FALSE(glob_match("blocks.5.*", "blocks.50weight"));
  EXPECT_TRUE(glob_match("blocks.?.weight", "blocks.3.weight"));
  EXPECT_FALSE(glob_match("blocks.?.weight", "blocks.13.weight"));
  EXPECT_TRUE(glob_match("*.bias", "head.bias"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYYb"));
  EXPECT_TRUE(glob_match("stem.weight", "stem.weight"));
  EXPECT_FALSE(glob_match("stem", "stem.weight"));  // a prefix is spelled "stem*"
  EXPECT_TRUE(glob_match("stem*", "stem.weight"));
}

TEST(PhaseSchedule, FindsThePhaseOfAStepAndWhatItTrains) {
  std::vector<TunePhase> phases{phase(0, 3, {"latents"}), phase(3, 5, {"decoder"}), phase(5, std::nullopt, {"latents", "blocks.5.*"})};
  tac::train::validate(phases, "x");
  EXPECT_EQ(tac::train::phase_at(phases, 0), &phases[0]);
  EXPECT_EQ(tac::train::phase_at(phases, 2), &phases[0]);
  EXPECT_EQ(tac::train::phase_at(phases, 3), &phases[1]);
  EXPECT_EQ(tac::train::phase_at(phases, 1000), &phases[2]);
  EXPECT_TRUE(tac::train::trains_latents(phases[0]));
  EXPECT_FALSE(tac::train::trains_weight(phases[0], "stem.weight"));
  EXPECT_FALSE(tac::train::trains_latents(phases[1]));
  EXPECT_TRUE(tac::train::trains_weight(phases[1], "stem.weight"));
  EXPECT_TRUE(tac::train::trains_weight(phases[2], "blocks.5.weight"));
  EXPECT_FALSE(tac::train::trains_weight(phases[2], "blocks.4.weight"));
  phases.back().end = 8;
  EXPECT_EQ(tac::train::phase_at(phases, 8), nullptr);
}

TEST(PhaseSchedule, RefusesOverlapsGapsDisorderAndEmptyPhases) {
  const auto refused = [](std::vector<TunePhase> phases) {
    const auto e = tac::test::error_of([&] { tac::train::validate(phases, "r.toml"); });
    return e && e->kind() == tac::ErrorKind::usage && std::string(e->what()).find("r.toml") != std::string::npos;
  };
  EXPECT_FALSE(refused({phase(0, 2, {"latents"}), phase(2, 4, {"decoder"})}));
  EXPECT_TRUE(refused({phase(1, 2, {"latents"})}));                                    // does not begin at 0
  EXPECT_TRUE(refused({phase(0, 3, {"latents"}), phase(2, 4, {"decoder"})}));          // overlap
  EXPECT_TRUE(refused({phase(0, 3, {"latents"}), phase(4, 6, {"decoder"})}));          // gap
  EXPECT_TRUE(refused({phase(0, 3, {"latents"}), phase(0, 2, {"decoder"})}));          // out of order
  EXPECT_TRUE(refused({phase(0, std::nullopt, {"latents"}), phase(3, 4, {"decoder"})}));  // open end not last
  EXPECT_TRUE(refused({phase(0, 0, {"latents"})}));                                    // empty range
  EXPECT_TRUE(refused({phase(0, 2, {})}));                                             // trains nothing
  auto p = phase(0, 2, {"latents"});
  p.latent_lr_scale = 0;
  EXPECT_TRUE(refused({p}));
  p.latent_lr_scale = 1;
  p.weight_lr_scale = -1;
  EXPECT_TRUE(refused({p}));
}

}  // namespace
