#pragma once
// `tac sensitivity --archive`: the per-parameter table of an hnerv95 archive (parameter_sensitivity.hpp)
// for a run of samples against the ground-truth video, written as OUT/parameters.json.
#include <cstdint>
#include <filesystem>

#include "tac/train/parameter_sensitivity.hpp"

namespace tac::train {

struct ParameterSensitivityJob {
  std::filesystem::path archive, ground_truth, segnet, posenet, out;
  std::int64_t first_sample = 0, samples = 1;
  SurrogateOptions surrogate;
  int threads = 0;
};

struct ParameterSensitivityReport {
  ParameterSensitivity table;
  std::filesystem::path json;
};

ParameterSensitivityReport run_parameter_sensitivity(const ParameterSensitivityJob& job);

}  // namespace tac::train
