#pragma once
// The options of every verb that runs the scorer (eval, sweep, demo), declared and resolved in one
// place: which weights (--segnet/--posenet, --models-dir, --upstream) and how many libtorch threads.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>

namespace tac::cli {

struct ScorerArgs {
  std::string segnet, posenet, models_dir, upstream;
  int threads = 0;
};

// Adds --segnet, --posenet, --models-dir, --upstream and --threads to `cmd`. `upstream_help`
// describes --upstream for this verb (what it takes from the checkout).
void add_scorer_options(CLI::App& cmd, ScorerArgs& args, const std::string& upstream_help);

struct ScorerWeights {
  std::filesystem::path segnet, posenet;
  std::string source;  // "given weights", "models directory DIR" or "upstream checkout DIR"
};

// The weights the options name: --segnet/--posenet win over --models-dir, which wins over the
// --upstream checkout's models/. Nullopt when none is named (demo then writes a twin). Fails
// (usage) when --upstream is not a directory or only one network's weights are named.
std::optional<ScorerWeights> resolve_scorer_weights(const ScorerArgs& args);
// The same, for verbs that cannot run without weights.
ScorerWeights require_scorer_weights(const ScorerArgs& args);

// The --upstream checkout, checked to be a directory; empty when not given.
std::filesystem::path upstream_dir(const ScorerArgs& args);

// The report's description of --threads: "4" or "0 (all hardware threads: 4)".
std::string threads_description(int requested);

}  // namespace tac::cli
