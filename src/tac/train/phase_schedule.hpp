#pragma once
// Phase schedules of `tac tune` recipes (docs/train.md "Recipes"): consecutive step ranges
// [begin, end), each naming what trains — "latents", "decoder" (every decoder tensor) or glob
// patterns over decoder tensor names ("blocks.5.*", "head?.weight": `*` any run, `?` one
// character) — with its own learning-rate multipliers. What a phase does not name is frozen: no
// gradient is computed for it and Adam leaves its value and moments untouched.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tac::train {

struct TunePhase {
  std::string name;                    // for progress and records; optional
  std::int64_t begin = 0;              // first step
  std::optional<std::int64_t> end;     // one past the last step; only the last phase may leave it open
  std::vector<std::string> train;      // "latents", "decoder" or glob patterns over tensor names
  double latent_lr_scale = 1.0;        // multiplies the latents' learning rate (> 0)
  double weight_lr_scale = 1.0;        // multiplies the decoder tensors' learning rate (> 0)
};

// Throws usage (prefixed by `where`) unless the phases start at step 0 and follow each other
// without gap or overlap, each non-empty, naming at least one thing, with positive multipliers.
void validate(const std::vector<TunePhase>& phases, std::string_view where);

// Shell-style match: `*` any run of characters (also none), `?` exactly one.
bool glob_match(std::string_view pattern, std::string_view name);

// The phase holding `step`, or nullptr when none does.
const TunePhase* phase_at(const std::vector<TunePhase>& phases, std::int64_t step);
bool trains_latents(const TunePhase& phase);
bool trains_weight(const TunePhase& phase, std::string_view tensor_name);

// A canonical text of every field (checkpoint settings, tune.json).
std::string describe(const std::vector<TunePhase>& phases);

}  // namespace tac::train
