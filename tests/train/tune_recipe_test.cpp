// `tac tune --profile` recipes: a full recipe reads into the plain struct with its provenance; bad
// TOML, unknown keys, wrong types, out-of-range values and bad phase layouts are refused (usage)
// naming the file and the key; every shipped profile under profiles/tune/ loads, and its phase
// globs name tensors of the public hnerv95 archive.
#include "tac/train/tune_recipe.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "codec/hnerv95_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using tac::train::parse_tune_recipe;

constexpr const char* kFull = R"(
description = "a test recipe"
[tune]
steps = 12
batch = 3
lr = 0.5
weight_lr = 1        # an integer where a float is expected is fine
seed = 42
[surrogate]
kind = "kl"
temperature = 2.0
[lr_schedule]
kind = "step"
warmup_steps = 1
every = 4
gamma = 0.25
[[phase]]
name = "warm"
begin = 0
end = 5
train = ["latents"]
latent_lr_scale = 2.0
[[phase]]
begin = 5
train = ["latents", "blocks.*"]
weight_lr_scale = 0.5
[hard_mining]
kind = "top_k"
k = 2
memory = 0.25
[pcgrad]
enabled = true
[provenance]
"tune.lr" = "paper X, table 3"
"phase[1].weight_lr_scale" = "a guess"
"lr_schedule" = "the whole table"
)";

TEST(TuneRecipe, ReadsEverySettingAndItsProvenance) {
  const auto r = parse_tune_recipe(kFull, "full.toml");
  EXPECT_EQ(r.source, "full.toml");
  EXPECT_EQ(r.sha256.size(), 64u);
  EXPECT_EQ(r.description, "a test recipe");
  EXPECT_EQ(r.steps, 12);
  EXPECT_EQ(r.batch, 3);
  EXPECT_EQ(r.lr, 0.5);
  EXPECT_EQ(r.weight_lr, 1.0);
  EXPECT_EQ(r.seed, 42u);
  EXPECT_FALSE(r.train);
  EXPECT_EQ(r.surrogate, "kl");
  EXPECT_EQ(r.temperature, 2.0);
  EXPECT_FALSE(r.gamma);
  EXPECT_EQ(r.lr_schedule.kind, tac::train::LrScheduleKind::step);
  EXPECT_EQ(r.lr_schedule.warmup_steps, 1);
  EXPECT_EQ(r.lr_schedule.every, 4);
  EXPECT_EQ(r.lr_schedule.gamma, 0.25);
  ASSERT_EQ(r.phases.size(), 2u);
  EXPECT_EQ(r.phases[0].name, "warm");
  EXPECT_EQ(r.phases[0].end, 5);
  EXPECT_EQ(r.phases[0].latent_lr_scale, 2.0);
  EXPECT_EQ(r.phases[1].name, "phase1");
  EXPECT_EQ(r.phases[1].begin, 5);
  EXPECT_FALSE(r.phases[1].end);
  EXPECT_EQ(r.phases[1].train, (std::vector<std::string>{"latents", "blocks.*"}));
  EXPECT_EQ(r.phases[1].weight_lr_scale, 0.5);
  EXPECT_EQ(r.mining.kind, tac::train::MiningKind::top_k);
  EXPECT_EQ(r.mining.k, 2);
  EXPECT_EQ(r.mining.memory, 0.25);
  EXPECT_TRUE(r.pcgrad);
  EXPECT_EQ(r.provenance.size(), 3u);
  EXPECT_EQ(r.provenance.at("tune.lr"), "paper X, table 3");
  EXPECT_EQ(r.provenance.at("phase[1].weight_lr_scale"), "a guess");
  // The hash is of the bytes: any edit changes it.
  EXPECT_NE(parse_tune_recipe(std::string(kFull) + "\n", "full.toml").sha256, r.sha256);
}

TEST(TuneRecipe, AnEmptyRecipeLeavesEverythingUnset) {
  const auto r = parse_tune_recipe("", "empty.toml");
  EXPECT_FALSE(r.steps || r.lr || r.train || r.surrogate);
  EXPECT_TRUE(r.phases.empty());
  EXPECT_EQ(r.lr_schedule.kind, tac::train::LrScheduleKind::constant);
  EXPECT_EQ(r.mining.kind, tac::train::MiningKind::off);
  EXPECT_FALSE(r.pcgrad);
}

// The error of parsing `text`: usage, naming the file and `mentions`.
void expect_refused(const std::string& text, const std::string& mentions) {
  const auto e = tac::test::error_of([&] { parse_tune_recipe(text, "bad.toml"); });
  ASSERT_TRUE(e) << text;
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage) << e->what();
  const std::string what = e->what();
  EXPECT_NE(what.find("bad.toml"), std::string::npos) << what;
  EXPECT_NE(what.find(mentions), std::string::npos) << what;
}

TEST(TuneRecipe, RefusesBadTomlUnknownKeysAndWrongTypes) {
  expect_refused("[tune\nsteps = 1", "not valid TOML");
  expect_refused("[tune]\nsteps = 1\nsteps = 2", "not valid TOML");  // a key twice
  expect_refused("[tune]\nstep = 1", "tune.step: unknown key");
  expect_refused("[tunes]\nsteps = 1", "tunes: unknown key");
  expect_refused("colour = 1", "colour: unknown key");
  expect_refused("[lr_schedule]\nkind = \"cosine\"\nfloor_ = 0.1", "lr_schedule.floor_: unknown key");
  expect_refused("[tune]\nsteps = \"ten\"", "tune.steps: must be an integer, got a string");
  expect_refused("[tune]\nsteps = 2.5", "tune.steps: must be an integer, got a float");
  expect_refused("[tune]\nlr = \"fast\"", "tune.lr: must be a number");
  expect_refused("tune = 3", "tune: must be a table");
  expect_refused("[pcgrad]\nenabled = 1", "pcgrad.enabled: must be true or false");
  expect_refused("[surrogate]\nkind = \"mse\"", "surrogate.kind: 'mse' is not one of");
  expect_refused("[[phase]]\nbegin = 0\ntrain = \"latents\"", "phase[0].train: must be an array of strings");
  expect_refused("[[phase]]\nbegin = 0\ntrain = [\"latents\"]\nlr = 1", "phase[0].lr: unknown key");
  expect_refused("[provenance]\n\"tune.lr\" = \"x\"", "names no setting");  // no tune.lr in the file
  expect_refused("[tune]\nlr = 1.0\n[provenance]\n\"tune.lr\" = 3", "must be a string");
}

TEST(TuneRecipe, RefusesOutOfRangeValues) {
  expect_refused("[tune]\nlr = 0", "tune.lr: 0 is out of range (0");
  expect_refused("[tune]\nlr = -0.5", "tune.lr");
  expect_refused("[tune]\nweight_lr = 0.0", "tune.weight_lr");
  expect_refused("[tune]\nsteps = -1", "tune.steps");
  expect_refused("[tune]\nbatch = 100000", "tune.batch");
  expect_refused("[tune]\nseed = -3", "tune.seed");
  expect_refused("[tune]\nlr = nan", "tune.lr");
  expect_refused("[tune]\nlr = inf", "tune.lr");
  expect_refused("[surrogate]\ntemperature = 0", "surrogate.temperature");
  expect_refused("[lr_schedule]\nfloor = 1.5", "lr_schedule.floor");
  expect_refused("[lr_schedule]\nevery = 0", "lr_schedule.every");
  expect_refused("[lr_schedule]\ngamma = 0", "lr_schedule.gamma");
  expect_refused("[hard_mining]\nkind = \"power\"\nmemory = 1", "hard_mining.memory");
  expect_refused("[hard_mining]\nk = 0", "hard_mining.k");
  expect_refused("[[phase]]\nbegin = 0\ntrain = [\"latents\"]\nlatent_lr_scale = 0", "phase[0].latent_lr_scale");
}

TEST(TuneRecipe, RefusesBadPhaseLayouts) {
  const auto two = [](int b0, int e0, int b1, int e1) {
    return "[[phase]]\nbegin = " + std::to_string(b0) + "\nend = " + std::to_string(e0) + "\ntrain = [\"latents\"]\n[[phase]]\nbegin = " +
           std::to_string(b1) + "\nend = " + std::to_string(e1) + "\ntrain = [\"decoder\"]\n";
  };
  EXPECT_NO_THROW(parse_tune_recipe(two(0, 4, 4, 8), "ok.toml"));
  expect_refused(two(0, 4, 3, 8), "without overlap");  // overlapping
  expect_refused(two(0, 4, 0, 2), "without overlap");  // out of order
  expect_refused(two(0, 4, 5, 8), "in no phase");      // a gap
  expect_refused(two(1, 4, 4, 8), "must begin at 0");
  expect_refused(two(0, 4, 4, 4), "not after its begin");
  expect_refused("[[phase]]\ntrain = [\"latents\"]", "phase[0].begin: missing");
  expect_refused("[[phase]]\nbegin = 0\ntrain = []", "trains nothing");
  expect_refused("[tune]\ntrain = \"all\"\n[[phase]]\nbegin = 0\ntrain = [\"latents\"]", "keep one");
  expect_refused("phase = 3", "phase: must be an array of tables");
}

TEST(TuneRecipe, RefusesMissingAndOversizedFiles) {
  const tac::test::TempDir dir("tune_recipe");
  auto e = tac::test::error_of([&] { tac::train::load_tune_recipe(dir.path / "absent.toml"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  EXPECT_NE(std::string(e->what()).find("absent.toml"), std::string::npos);
  const auto big = dir.path / "big.toml";
  std::ofstream(big) << "# " << std::string(tac::train::kMaxRecipeBytes, 'x') << "\n";
  e = tac::test::error_of([&] { tac::train::load_tune_recipe(big); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::limit_exceeded);
}

// The shipped profiles cannot rot: each loads, says what it is for, gives provenance, and its
// phase globs name tensors of the public hnerv95 archive (a glob naming none is refused by tune).
TEST(TuneRecipe, EveryShippedProfileLoads) {
  const fs::path dir = fs::path(TAC_SOURCE_DIR) / "profiles" / "tune";
  std::vector<std::string> names;
  const auto archive_zip = tac::test::find_fixture("replay/qhnerv_ft_best/archive.zip");
  std::vector<std::string> tensors;
  if (archive_zip) {
    const auto bytes = tac::test::hnerv95::member_bytes(*archive_zip);
    for (const auto& t : tac::codec::hnerv95::parse_archive(bytes, "0.bin").tensors) tensors.push_back(t.name);
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") continue;
    names.push_back(entry.path().filename().string());
    SCOPED_TRACE(entry.path().string());
    const auto r = tac::train::load_tune_recipe(entry.path());
    EXPECT_FALSE(r.description.empty());
    EXPECT_FALSE(r.provenance.empty());
    for (const auto& phase : r.phases)
      for (const auto& pattern : phase.train) {
        if (pattern == "latents" || pattern == "decoder" || tensors.empty()) continue;
        bool any = false;
        for (const auto& t : tensors) any = any || tac::train::glob_match(pattern, t);
        EXPECT_TRUE(any) << pattern << " names no tensor of the hnerv95 archive";
      }
  }
  EXPECT_GE(names.size(), 2u);
}

}  // namespace
