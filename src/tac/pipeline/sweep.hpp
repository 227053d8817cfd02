#pragma once
// `tac sweep`: compress -> inflate -> eval over a grid (codec x scale x crf), each point scored
// through upstream's evaluate.sh contract (fresh unzip, inflate.sh, then the scorer).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tac/core/progress.hpp"
#include "tac/eval/score.hpp"
#include "tac/plot/chart.hpp"

namespace tac::pipeline {

struct SweepGrid {
  std::vector<std::string> codecs{"x265"};
  std::vector<double> scales{0.45};
  std::vector<double> crfs{30};
};

struct ScorerSetup {
  std::filesystem::path segnet;   // safetensors (real or twin)
  std::filesystem::path posenet;
  int threads = 0;                // libtorch threads; 0 = default
  std::filesystem::path tac_inflate;  // baked into each inflate.sh
};

struct SweepPoint {
  std::string codec;
  double scale = 0, crf = 0;
  int width = 0, height = 0;
  std::int64_t frames = 0;
  eval::ScoreComponents scored;  // samples, distortions, bytes, rate and the score's three terms
  double compress_seconds = 0, eval_seconds = 0;
  std::filesystem::path submission;
  bool real_scorer = false;
};

// Lays out WORK/videos/<name> (a link to or copy of `video`: the rate's denominator is that
// directory's bytes) and WORK/names.txt; returns the names file.
std::filesystem::path prepare_videos_dir(const std::filesystem::path& video, const std::filesystem::path& work);

// One point: compress into WORK/<codec>_s<scale>_crf<crf>/, then evaluate it.
SweepPoint run_point(const std::filesystem::path& video, const std::string& codec, double scale, double crf,
                     const std::filesystem::path& work, const ScorerSetup& scorer);

// `progress` counts finished points (stage "sweep"); `on_point` sees each one as it finishes.
std::vector<SweepPoint> run_sweep(const std::filesystem::path& video, const SweepGrid& grid, const std::filesystem::path& work,
                                  const ScorerSetup& scorer, const std::function<void(const SweepPoint&)>& on_point = {},
                                  const ProgressCallback& progress = {});

// Fixed-width table: codec, scale, crf, size, bytes, rate term, seg, pose, score.
std::string sweep_table(const std::vector<SweepPoint>& points);
// Rate term (x) against distortion terms 100*seg + sqrt(10*pose) (y), one series per codec and scale.
std::vector<plot::ChartSeries> rd_series(const std::vector<SweepPoint>& points);
// Writes DIR/sweep.json, DIR/sweep.txt and DIR/rd.svg (the chart); returns the chart path.
std::filesystem::path write_sweep_outputs(const std::vector<SweepPoint>& points, const std::filesystem::path& dir);

// The warning printed and written when the scorer is a twin (sweep and demo).
std::string twin_warning();

}  // namespace tac::pipeline
