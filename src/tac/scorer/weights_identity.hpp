#pragma once
// Which scorer a weight file is: the real upstream file (by SHA-256, challenge_notes.md), a tac
// twin (its safetensors metadata says so), or unknown. Also checks the file's keys and shapes.
#include <cstdint>
#include <filesystem>
#include <string>

#include "tac/scorer/state_dict_layout.hpp"

namespace tac::scorer {

enum class WeightsKind { Real, Twin, Unknown };
std::string_view weights_kind_name(WeightsKind kind);  // "real" | "twin" | "unknown"

struct WeightsIdentity {
  Network network = Network::SegNet;
  std::filesystem::path path;
  std::string sha256;
  std::uint64_t bytes = 0;
  WeightsKind kind = WeightsKind::Unknown;
  std::string description;  // e.g. "real upstream segnet", "tac twin (seed 7, calibration none)"
};

// Validates the layout (throws tac::Error naming the file and key) and identifies the file.
WeightsIdentity identify_weights(const std::filesystem::path& path, Network network);

}  // namespace tac::scorer
