#include "tac/eval/report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/fixtures.hpp"
#include "tac/io/safetensors.hpp"

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Splits "  Label: 0.123 bytes" into the text with numbers blanked and the numbers.
std::pair<std::string, std::vector<double>> shape_and_numbers(const std::string& line) {
  static const std::regex number(R"([0-9][0-9,]*(\.[0-9]+)?)");
  std::vector<double> values;
  std::string shape;
  std::size_t last = 0;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), number); it != std::sregex_iterator(); ++it) {
    std::string text = it->str();
    shape += line.substr(last, static_cast<std::size_t>(it->position()) - last) + "#";
    text.erase(std::remove(text.begin(), text.end(), ','), text.end());
    values.push_back(std::stod(text));
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  shape += line.substr(last);
  return {shape, values};
}
}  // namespace

TEST(Report, ThousandsSeparator) {
  EXPECT_EQ(tac::eval::thousands(0), "0");
  EXPECT_EQ(tac::eval::thousands(999), "999");
  EXPECT_EQ(tac::eval::thousands(1000), "1,000");
  EXPECT_EQ(tac::eval::thousands(37545489), "37,545,489");
}

TEST(Report, ConfigKeysSortedAndResultsFollow) {
  const auto s = tac::eval::compute_score(600, 0.38042614, 0.00946623, 2'244'900, 37'545'489);
  const auto text = tac::eval::format_report({{"seed", "1234"}, {"batch_size", "16"}}, s, {"scorer: twin"});
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[0], "=== Evaluation config ===");
  EXPECT_EQ(lines[1], "  batch_size: 16");
  EXPECT_EQ(lines[2], "  seed: 1234");
  EXPECT_EQ(lines[3], "=== Evaluation results over 600 samples ===");
  EXPECT_EQ(lines[9], "  Final score: 100*segnet_dist + \u221a(10*posenet_dist) + 25*rate = 4.39");
  EXPECT_EQ(lines[10], "scorer: twin");
  EXPECT_EQ(text.back(), '\n');
}

TEST(Report, ResultsBlockMatchesUpstreamReportLineByLine) {
  TAC_FIXTURE(report_path, "scorer/clip16/report.txt");
  TAC_FIXTURE(golden, "scorer/clip16/golden.safetensors");
  TAC_FIXTURE(archive, "scorer/clip16/recon_archive.zip");
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  std::ifstream in(report_path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const auto upstream = lines_of(buffer.str());
  const auto header = std::find(upstream.begin(), upstream.end(), "=== Evaluation config ===");
  ASSERT_NE(header, upstream.end());
  const auto results_at = std::find_if(upstream.begin(), upstream.end(),
                                       [](const std::string& l) { return l.starts_with("=== Evaluation results"); });
  ASSERT_NE(results_at, upstream.end());
  const std::vector<std::string> upstream_results(results_at, upstream.end());

  const auto file = tac::io::Safetensors::open(golden);
  const auto pose = file.to_float32("pose_dist");
  const auto seg = file.to_float32("seg_dist");
  const auto s = tac::eval::compute_score(static_cast<std::int64_t>(pose.size()), tac::eval::mean_distortion(pose),
                                            tac::eval::mean_distortion(seg), std::filesystem::file_size(archive),
                                            std::filesystem::file_size(video));
  const auto ours = lines_of(tac::eval::format_results_block(s));
  ASSERT_EQ(ours.size(), upstream_results.size());
  // The fixtures README's tolerances: report.txt and golden.* are two runs (1 vs 2 threads).
  const double tolerance[] = {0, 1e-3 /*pose, relative*/, 5e-5 /*seg*/, 0, 0, 0, 0};
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const auto [our_shape, our_numbers] = shape_and_numbers(ours[i]);
    const auto [up_shape, up_numbers] = shape_and_numbers(upstream_results[i]);
    EXPECT_EQ(our_shape, up_shape) << "line " << i << ":\n ours:     " << ours[i] << "\n upstream: " << upstream_results[i];
    ASSERT_EQ(our_numbers.size(), up_numbers.size()) << ours[i];
    // Every number but the last is part of the label; the last is the value.
    for (std::size_t k = 0; k + 1 < our_numbers.size(); ++k) EXPECT_EQ(our_numbers[k], up_numbers[k]) << ours[i];
    const double allowed = i == 1 ? tolerance[i] * std::abs(up_numbers.back()) : tolerance[i];
    EXPECT_NEAR(our_numbers.back(), up_numbers.back(), allowed + 1e-12) << ours[i];
  }
  // Same decimals printed: compare the text lengths of the numeric fields.
  for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i].size(), upstream_results[i].size()) << ours[i];
}
