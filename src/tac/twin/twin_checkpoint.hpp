#pragma once
// The twin trainer's state on disk (`checkpoint.pt`, issue #15): the networks being trained, the
// flow head, the units PoseNet's head works in and both AdamW states, under the fingerprint of
// the options that made them. Resuming needs the same fingerprint; a curriculum stage
// (--init-from) takes the networks into its own pool's units. Internal to tac_twin (libtorch).
#include <torch/optim/adamw.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tac/scorer/posenet.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/twin_params.hpp"
#include "tac/twin/posenet_flow_head.hpp"
#include "tac/twin/pose_units.hpp"
#include "tac/twin/weight_average.hpp"

namespace tac::twin {

struct TrainingNetworks {
  scorer::LoadedTwin<scorer::nn::SegNetParams> seg;
  scorer::LoadedTwin<scorer::nn::PoseNetParams> pose;
  std::optional<PoseFlowHead> flow;  // training only (TwinTrainingOptions::pose_flow)
  // While training, PoseNet's first six outputs are the motion in the pool's units
  // (pose_units.hpp). Set before saving or starting from a checkpoint (mean and scale; the
  // checkpoint records those two).
  PoseUnits units;
  // The networks' weight averages (TwinTrainingOptions::weight_average); resumed with the rest, not
  // carried into another stage (it starts its own at the weights it starts from).
  std::optional<WeightAverage> seg_average, pose_average;
};

// Both networks at the seeded twin initialization.
TrainingNetworks load_training_init(std::uint64_t seed);

// Writes the state atomically (a reader never sees half a checkpoint).
void save_checkpoint(const std::filesystem::path& path, const std::string& print, std::int64_t step, TrainingNetworks& nets,
                     torch::optim::AdamW& seg_opt, torch::optim::AdamW& pose_opt);

// Restores a checkpoint of the same fingerprint `print` (else a usage error naming the file);
// returns its step.
std::int64_t load_checkpoint(const std::filesystem::path& path, const std::string& print, TrainingNetworks& nets,
                             torch::optim::AdamW& seg_opt, torch::optim::AdamW& pose_opt);

// Another run's networks (and flow head, if both have one) as this run's start, PoseNet's head
// carried from the units that run trained in into `nets`' (the same metres and radians out).
// Refused for a checkpoint that does not record its units or records impossible ones.
void init_from_checkpoint(const std::filesystem::path& path, TrainingNetworks& nets);

}  // namespace tac::twin
