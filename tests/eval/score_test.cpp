#include "tac/eval/score.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

TEST(Score, FormulaFromComponents) {
  const auto s = tac::eval::compute_score(600, 0.38042614, 0.00946623, 2'244'900, 37'545'489);
  EXPECT_DOUBLE_EQ(s.rate, 2'244'900.0 / 37'545'489.0);
  EXPECT_DOUBLE_EQ(s.seg_term, 100 * 0.00946623);
  EXPECT_DOUBLE_EQ(s.pose_term, std::sqrt(10 * 0.38042614));
  EXPECT_DOUBLE_EQ(s.rate_term, 25 * s.rate);
  EXPECT_DOUBLE_EQ(s.score, s.seg_term + s.pose_term + s.rate_term);
  EXPECT_THROW(tac::eval::compute_score(1, 0, 0, 1, 0), tac::Error);
}

TEST(Score, DirectoryBytesCountsEveryFileRecursively) {
  tac::test::TempDir dir("score");
  std::filesystem::create_directories(dir.path / "sub");
  std::ofstream(dir.path / "0.mkv") << std::string(1000, 'x');
  std::ofstream(dir.path / "sub" / "stray.txt") << std::string(7, 'y');
  EXPECT_EQ(tac::eval::directory_bytes(dir.path), 1007u);
  EXPECT_THROW(tac::eval::directory_bytes(dir.path / "0.mkv"), tac::Error);
}

TEST(Score, GoldenPerSampleDistortionsReproduceTheAverages) {
  TAC_FIXTURE(golden, "scorer/clip16/golden.safetensors");
  TAC_FIXTURE(golden_json_path, "scorer/clip16/golden.json");
  TAC_FIXTURE(archive, "scorer/clip16/recon_archive.zip");
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  const auto file = tac::io::Safetensors::open(golden);
  const auto json = tac::test::read_json(golden_json_path);
  const auto pose = file.to_float32("pose_dist");
  const auto seg = file.to_float32("seg_dist");
  ASSERT_EQ(pose.size(), json["samples"].get<std::size_t>());
  const double pose_avg = tac::eval::mean_distortion(pose);
  const double seg_avg = tac::eval::mean_distortion(seg);
  // Same run as golden.json: only float32-vs-float64 summation separates them.
  EXPECT_NEAR(pose_avg, json["avg_posenet_dist"].get<double>(), 1e-7 * std::abs(pose_avg));
  EXPECT_NEAR(seg_avg, json["avg_segnet_dist"].get<double>(), 1e-7);
  const auto s = tac::eval::compute_score(static_cast<std::int64_t>(pose.size()), pose_avg, seg_avg,
                                            std::filesystem::file_size(archive), std::filesystem::file_size(video));
  EXPECT_NEAR(s.score, 100 * json["avg_segnet_dist"].get<double>() + std::sqrt(10 * json["avg_posenet_dist"].get<double>()) +
                           25.0 * static_cast<double>(std::filesystem::file_size(archive)) /
                               static_cast<double>(std::filesystem::file_size(video)),
              1e-5);
}
