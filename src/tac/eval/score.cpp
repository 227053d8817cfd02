#include "tac/eval/score.hpp"

#include <cmath>
#include <numeric>

#include "tac/core/error.hpp"

namespace tac::eval {

namespace {
template <typename T>
double mean_of(std::span<const T> values) {
  if (values.empty()) return 0.0;
  double sum = 0;
  for (const T v : values) sum += static_cast<double>(v);
  return sum / static_cast<double>(values.size());
}
}  // namespace

double mean_distortion(std::span<const float> per_sample) { return mean_of(per_sample); }
double mean_distortion(std::span<const double> per_sample) { return mean_of(per_sample); }

ScoreComponents compute_score(std::int64_t samples, double posenet_distortion, double segnet_distortion,
                              std::uint64_t archive_bytes, std::uint64_t original_bytes) {
  if (original_bytes == 0) fail(ErrorKind::usage, "score: original size is 0 bytes");
  const double rate = static_cast<double>(archive_bytes) / static_cast<double>(original_bytes);
  ScoreComponents c{.samples = samples,
                    .posenet_distortion = posenet_distortion,
                    .segnet_distortion = segnet_distortion,
                    .archive_bytes = archive_bytes,
                    .original_bytes = original_bytes,
                    .rate = rate,
                    .seg_term = 100.0 * segnet_distortion,
                    .pose_term = std::sqrt(10.0 * posenet_distortion),
                    .rate_term = 25.0 * rate};
  c.score = c.seg_term + c.pose_term + c.rate_term;
  return c;
}

std::uint64_t directory_bytes(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) fail(ErrorKind::usage, "{}: not a directory", dir.string());
  std::uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

}  // namespace tac::eval
