#pragma once
// `tac demo`: the end-to-end tour. Synthetic clip -> scorer weights (twin unless the real ones are
// given) -> compress -> inflate -> eval over a small grid -> report.md + index.html with the
// rate-distortion plot and frame comparisons.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tac/pipeline/sweep.hpp"

namespace tac::pipeline {

struct DemoOptions {
  std::filesystem::path out = "demo-out";
  std::filesystem::path video;     // empty: synthesize one
  int frames = 40;                 // synthetic clip length
  std::uint64_t seed = 1;
  std::filesystem::path segnet, posenet;  // scorer weights; both empty: a twin (see `twin`)
  std::string weights_source;             // where the weights came from, for the report
  // Without weights: "trained" uses the trained twin in twin_cache (tac twin --train installs one
  // there) or, if there is none, trains a quick one for twin_budget seconds; "random" writes the
  // seeded random twin calibrated on the clip.
  std::string twin = "trained";
  double twin_budget = 120;
  std::filesystem::path twin_cache;       // empty: tac::twin::default_twin_dir()
  SweepGrid grid{{"x265", "svtav1"}, {0.45}, {26, 36}};
  int threads = 0;
  std::filesystem::path tac_inflate;
  bool force = false;
  std::function<void(const std::string&)> log;  // progress lines
  ProgressCallback progress;                    // the sweep's points
};

struct DemoStage {
  std::string name;
  double seconds = 0;
  std::vector<std::filesystem::path> outputs;
  std::string note;
};

struct DemoResult {
  std::vector<DemoStage> stages;
  std::vector<SweepPoint> points;
  bool real_scorer = false;
  std::filesystem::path report, html;
};

DemoResult run_demo(const DemoOptions& options);

}  // namespace tac::pipeline
