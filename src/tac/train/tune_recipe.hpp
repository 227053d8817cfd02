#pragma once
// `tac tune --profile FILE`: a training recipe in TOML (docs/train.md "Recipes"), read through
// toml++ into this plain struct. Every key is checked: unknown keys, wrong types and values out of
// range are refused (usage) with the file, the key and the problem. Settings the file leaves out
// stay unset here (the command's defaults or flags apply); flags given explicitly override the
// file. The `[provenance]` table maps a key of the file ("tune.lr", "phase[1].end",
// "lr_schedule") to where its value came from; tac tune copies it into OUT/tune.json.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tac/train/hard_sample_mining.hpp"
#include "tac/train/lr_schedule.hpp"
#include "tac/train/phase_schedule.hpp"

namespace tac::train {

struct TuneRecipe {
  std::string source;       // the file it was read from (or the name given to parse_tune_recipe)
  std::string sha256;       // of the file's bytes: a checkpoint remembers it
  std::string description;  // top-level `description`
  // [tune]
  std::optional<std::int64_t> steps, batch;
  std::optional<double> lr, weight_lr;
  std::optional<std::string> train;  // "latents" or "all" (not together with phases)
  std::optional<std::uint64_t> seed;
  // [surrogate]
  std::optional<std::string> surrogate;  // "ce", "kl" or "focal"
  std::optional<double> temperature, gamma;
  // mechanisms
  LrSchedule lr_schedule;           // [lr_schedule]
  std::vector<TunePhase> phases;    // [[phase]]
  HardSampleMining mining;          // [hard_mining]
  bool pcgrad = false;              // [pcgrad] enabled
  std::map<std::string, std::string> provenance;  // [provenance]
};

inline constexpr std::size_t kMaxRecipeBytes = 1 << 20;

TuneRecipe load_tune_recipe(const std::filesystem::path& path);
// The same from text (tests); `source` names it in errors.
TuneRecipe parse_tune_recipe(std::string_view text, const std::string& source);

}  // namespace tac::train
