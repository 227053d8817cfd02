#pragma once
// Twin scorer weights (`tac twin`): the exact upstream architectures (key names, shapes) with
// seeded random values, so evaluation can run on a machine without the real weight files.
// A twin is for testing the pipeline only; its scores are never contest scores.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tac/scorer/state_dict_layout.hpp"

namespace tac::scorer {

// safetensors __metadata__ keys that mark a file as a tac twin.
inline constexpr const char* kTwinMetaKey = "tac_twin";             // "1"
inline constexpr const char* kTwinSeedKey = "tac_twin_seed";        // decimal seed
inline constexpr const char* kTwinCalibrationKey = "tac_twin_calibration";  // "none" or a description
inline constexpr const char* kTwinNetworkKey = "tac_twin_network";  // "segnet" | "posenet"
// Present on a twin trained on synthetic frames (`tac twin --train`): a JSON summary of how
// (format tac-twin-training/1: seeds, steps, held-out accuracies).
inline constexpr const char* kTwinTrainingKey = "tac_twin_training";

struct TwinTensor {
  ParamSpec spec;
  std::vector<float> values;         // float tensors (empty for num_batches_tracked)
  std::int64_t count_value = 0;      // num_batches_tracked
};

struct TwinNetwork {
  Network network = Network::SegNet;
  std::vector<TwinTensor> tensors;  // layout order
  std::map<std::string, std::string> metadata;
  TwinTensor* find(const std::string& name);
};

// Seeded random weights: conv/linear weights He-uniform over fan-in, biases uniform ±1/sqrt(fan_in),
// BatchNorm identity statistics, FastViT layer scales 1e-5, PoseNet _mean/_std 127.5/63.75. The
// SegNet stem BN is set for inputs of mean 127.5 and std 63.75 so activations keep a sane scale.
// Portable: the same seed gives the same bytes on every platform.
TwinNetwork make_twin(Network network, std::uint64_t seed);

// Writes <dir>/segnet.safetensors and <dir>/posenet.safetensors (atomically). SegNet keeps
// num_batches_tracked (as the real file appears to), PoseNet omits it (as the real file does).
void write_twin(const TwinNetwork& twin, const std::filesystem::path& path);

}  // namespace tac::scorer
