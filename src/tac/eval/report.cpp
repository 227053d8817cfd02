#include "tac/eval/report.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tac::eval {

std::string thousands(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_results_block(const ScoreComponents& s) {
  std::string out;
  out += fmt::format("=== Evaluation results over {} samples ===\n", s.samples);
  out += fmt::format("  Average PoseNet Distortion: {:.8f}\n", s.posenet_distortion);
  out += fmt::format("  Average SegNet Distortion: {:.8f}\n", s.segnet_distortion);
  out += fmt::format("  Submission file size: {} bytes\n", thousands(s.archive_bytes));
  out += fmt::format("  Original uncompressed size: {} bytes\n", thousands(s.original_bytes));
  out += fmt::format("  Compression Rate: {:.8f}\n", s.rate);
  out += fmt::format("  Final score: 100*segnet_dist + \u221a(10*posenet_dist) + 25*rate = {:.2f}\n", s.score);
  return out;
}

std::string format_report(std::vector<std::pair<std::string, std::string>> config, const ScoreComponents& score,
                          const std::vector<std::string>& notes) {
  std::sort(config.begin(), config.end());
  std::string out = "=== Evaluation config ===\n";
  for (const auto& [key, value] : config) out += fmt::format("  {}: {}\n", key, value);
  out += format_results_block(score);
  for (const auto& note : notes) out += note + "\n";
  return out;
}

}  // namespace tac::eval
