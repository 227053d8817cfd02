#pragma once
// `tac sensitivity`: pixel sensitivity maps of a reconstruction against its ground truth video,
// for a run of samples, written as files people and scripts read:
//   OUT/sensitivity.safetensors   sample_<k>: (2, H, W) float32 maps (frame 0, frame 1 of the pair)
//   OUT/sample_<k>_frame<t>.png   heat maps (black -> red -> yellow -> white, scaled to the
//                                 sample's 99.9th percentile; the brightest 0.1 % saturate)
//   OUT/summary.json              per sample: the terms, map totals, 3 x 3 region and SegNet class sums
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tac/train/sensitivity.hpp"

namespace tac::train {

struct SensitivityJob {
  std::filesystem::path ground_truth;    // the original video (decoded as the scorer decodes it)
  std::filesystem::path reconstruction;  // a contest .raw of the same frame count
  std::filesystem::path segnet, posenet;
  std::filesystem::path out;
  std::int64_t first_sample = 0, samples = 1;
  SurrogateOptions surrogate;
  int threads = 0;  // libtorch intra-op threads; 0: libtorch's default
  std::function<void(std::int64_t sample, const PixelSensitivity&)> on_sample;  // progress, optional
};

struct SensitivitySummary {
  std::vector<std::int64_t> samples;
  std::vector<PixelSensitivity> results;  // maps dropped (kept in the files), numbers kept
  std::filesystem::path tensors, summary;
  std::vector<std::filesystem::path> heat_maps;
};

SensitivitySummary run_sensitivity(const SensitivityJob& job);

}  // namespace tac::train
