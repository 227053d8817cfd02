#pragma once
// Distortion aggregation, rate and the contest score (scorer_architecture.md §4).
#include <cstdint>
#include <filesystem>
#include <span>

namespace tac::eval {

struct ScoreComponents {
  std::int64_t samples = 0;
  double posenet_distortion = 0;  // mean over samples of the per-sample pose MSE
  double segnet_distortion = 0;   // mean over samples of the per-sample argmax disagreement
  std::uint64_t archive_bytes = 0;
  std::uint64_t original_bytes = 0;
  double rate = 0;        // archive_bytes / original_bytes
  double seg_term = 0;    // 100 * segnet_distortion
  double pose_term = 0;   // sqrt(10 * posenet_distortion)
  double rate_term = 0;   // 25 * rate
  double score = 0;       // seg_term + pose_term + rate_term
};

// Averages per-sample distortions in float64 (upstream sums batch sums in float32; the
// difference shows at most in the 8th printed decimal, spec §5.3 item 10).
double mean_distortion(std::span<const float> per_sample);
double mean_distortion(std::span<const double> per_sample);

ScoreComponents compute_score(std::int64_t samples, double posenet_distortion, double segnet_distortion,
                              std::uint64_t archive_bytes, std::uint64_t original_bytes);

// Bytes of all regular files under `dir`, recursively: upstream's rate denominator, stray files included.
std::uint64_t directory_bytes(const std::filesystem::path& dir);

}  // namespace tac::eval
