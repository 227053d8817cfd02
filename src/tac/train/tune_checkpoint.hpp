#pragma once
// `tac tune` checkpoints: one safetensors file holding every trained parameter and its Adam
// moments (float32, bit for bit: `<name>`, `<name>.adam_m`, `<name>.adam_v`), with the step, each
// parameter's own Adam step count (`steps:<name>`; a phase schedule may have frozen it) and the
// run's settings in the metadata. A resume must use the same settings (the archive, pairs, batch,
// learning rates, seed, ...): anything else would not continue the same run, and is refused.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tac/train/grid_adam.hpp"

namespace tac::train {

using CheckpointSettings = std::map<std::string, std::string>;
// Other float32 state a run carries between steps (e.g. hard-sample mining's running losses),
// stored as tensor `name` and restored in place (same length).
struct CheckpointState {
  std::string name;
  std::vector<float>* values;
};

void save_checkpoint(const std::filesystem::path& path, const GridAdam& adam, const CheckpointSettings& settings,
                     const std::vector<CheckpointState>& state = {});
// Restores values, moments and steps_taken into `adam` (same parameter names and shapes).
// Throws usage when the settings differ (naming the first that does), corrupt_input when the
// file lacks a tensor or holds another shape.
void load_checkpoint(const std::filesystem::path& path, GridAdam& adam, const CheckpointSettings& settings,
                     const std::vector<CheckpointState>& state = {});

}  // namespace tac::train
