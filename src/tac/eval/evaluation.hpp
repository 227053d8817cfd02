#pragma once
// `tac eval`: upstream evaluate.sh + evaluate.py (challenge_notes.md, scorer_architecture.md §1, §4)
// with tac's additions: strict `.raw` checks, a ground-truth cache, sharding across processes,
// and an evaluation record. Torch-free header; the networks sit behind scorer.hpp.
#include <chrono>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tac/core/progress.hpp"
#include "tac/eval/evaluation_record.hpp"
#include "tac/eval/submission.hpp"
#include "tac/scorer/device.hpp"

namespace tac::eval {

class Communicator;  // distributed.hpp

enum class InflateMode {
  Auto,    // unzip + inflate.sh when SUB/inflated/ is missing, else score the existing frames
  Always,  // always unzip + inflate.sh, as evaluate.sh does
  Never,   // --skip-inflate: score existing frames only
};

struct EvalOptions {
  std::filesystem::path submission_dir;
  std::filesystem::path uncompressed_dir;
  std::filesystem::path video_names_file;
  std::filesystem::path segnet_weights;
  std::filesystem::path posenet_weights;
  scorer::Device device = scorer::Device::Cpu;
  int batch_size = 16;   // samples decoded and scored per step (upstream's batch size)
  int threads = 0;       // libtorch intra-op threads; 0 = libtorch's default
  int forward_batch = 0; // samples per network forward; 0 = 4 (memory vs speed, see evaluation.cpp)
  std::filesystem::path report_path;          // empty: SUB/report.txt (as evaluate.sh passes it)
  std::optional<std::filesystem::path> json_path;
  InflateMode inflate = InflateMode::Auto;
  InflateRunner inflate_runner;     // empty: run_inflate (bash inflate.sh, unsandboxed)
  // Adds what the caller knows to the record before it is written (the CLI: the runtime identity).
  std::function<void(nlohmann::json& record)> amend_record;
  bool lenient = false;  // upstream's raw handling: floor(size/frame) frames, trailing bytes ignored
  bool use_cache = true;
  std::filesystem::path cache_dir;  // empty: default_gt_cache_dir()
  ProgressCallback progress;        // stage "eval", samples of this rank; called on every rank
  std::vector<std::pair<std::string, std::string>> config;  // the report's config block
  Communicator* comm = nullptr;     // null: one process
};

struct EvalResult {
  EvalRun run;
  std::string report;  // empty on ranks other than 0; the caller prints it
};

// Runs the whole evaluation. Throws tac::Error on bad input; writes nothing (report, record,
// cache entry) unless the whole evaluation succeeded. Prints nothing: progress goes to
// options.progress, the report to the result (and to options.report_path).
EvalResult run_evaluation(const EvalOptions& options);

}  // namespace tac::eval
