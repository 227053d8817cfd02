#pragma once
// `tac twin --calibrate VIDEO`: BatchNorm statistics of twin weights measured on real frames.
// A twin straight from make_twin() has identity BatchNorm statistics, so its activations drift in
// scale layer after layer; calibrated, every BatchNorm sees inputs of the scale its statistics
// claim, and the twin's outputs respond to video content more like a trained network's do.
// Torch-free interface (the work runs in tac_scorer's train-mode networks).
#include <cstdint>
#include <filesystem>
#include <string>

#include "tac/scorer/twin_weights.hpp"

namespace tac::scorer {

struct TwinCalibrationOptions {
  int samples = 8;  // frame pairs (0,1), (2,3), ... from the start of the video
  int batch = 4;    // samples per training-mode forward (BatchNorm batch statistics)
  int threads = 0;  // libtorch intra-op threads; 0 = libtorch's default
};

struct TwinCalibrationSummary {
  std::int64_t samples = 0;
  std::int64_t batches = 0;
  std::int64_t segnet_layers = 0;  // BatchNorms calibrated
  std::int64_t posenet_layers = 0;
  std::string description;  // also stored in both twins' metadata (kTwinCalibrationKey)
};

// Replaces the running mean/var (and num_batches_tracked) of every BatchNorm in both twins by
// statistics measured with the networks in training mode on the first `samples` frame pairs of
// `video` (874x1164, preprocessed exactly as the scorer does), and records how in the metadata.
// Throws tac::Error if the video cannot be read, is not 874x1164 or has too few frames.
TwinCalibrationSummary calibrate_twins(TwinNetwork& segnet, TwinNetwork& posenet, const std::filesystem::path& video,
                                       const TwinCalibrationOptions& options = {});

}  // namespace tac::scorer
