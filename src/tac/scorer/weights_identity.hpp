#pragma once
// Which scorer a weight file is: the real upstream file (by SHA-256, challenge_notes.md), a tac
// twin (its safetensors metadata says so), or unknown. Also checks the file's keys and shapes.
#include <cstdint>
#include <filesystem>
#include <string>

#include "tac/scorer/state_dict_layout.hpp"

namespace tac::scorer {

// TrainedTwin: a twin whose weights `tac twin --train` fitted to synthetic driving frames. Like
// any twin, never a contest scorer.
enum class WeightsKind { Real, Twin, TrainedTwin, Unknown };
std::string_view weights_kind_name(WeightsKind kind);  // "real" | "twin" | "trained-twin" | "unknown"

struct WeightsIdentity {
  Network network = Network::SegNet;
  std::filesystem::path path;
  std::string sha256;
  std::uint64_t bytes = 0;
  WeightsKind kind = WeightsKind::Unknown;
  std::string description;  // e.g. "real upstream segnet", "tac twin (seed 7, calibration none)",
                            // "tac trained twin (seed 704, 400 steps; held-out seg accuracy 97.1 %, ...)"
};

// Validates the layout (throws tac::Error naming the file and key) and identifies the file.
WeightsIdentity identify_weights(const std::filesystem::path& path, Network network);

}  // namespace tac::scorer
