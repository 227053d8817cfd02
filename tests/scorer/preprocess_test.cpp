// Scorer preprocessing (spec §1.3–§1.5) against the network inputs stored by the upstream code,
// SegNet argmax tie/NaN rules, device parsing and the distortion functions. Torch-free.
#include "tac/scorer/preprocess.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "scorer_test_data.hpp"
#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/device.hpp"
#include "tac/scorer/scorer.hpp"
#include "tac/scorer/seg_argmax.hpp"

namespace {

using tac::test::golden_bytes;
using tac::test::golden_floats;

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

TEST(ScorerPreprocess, NetworkInputsOfSample0MatchUpstream) {
  TAC_FIXTURE(golden_path, "scorer/clip16/golden.safetensors");
  const auto golden = tac::io::Safetensors::open(golden_path);
  const auto f0 = golden_bytes(golden, "gt_rgb_f0");
  const auto f1 = golden_bytes(golden, "gt_rgb_f1");
  std::vector<float> seg(tac::scorer::kSegInputFloats), pose(tac::scorer::kPoseInputFloats),
      scratch(tac::scorer::kSegInputFloats);
  tac::scorer::preprocess_pair(f0.data(), f1.data(), seg.data(), pose.data(), scratch.data());
  const float seg_err = max_abs_diff(seg, golden_floats(golden, "segnet_in_gt_s0"));
  const float pose_err = max_abs_diff(pose, golden_floats(golden, "posenet_in_gt_s0"));
  RecordProperty("segnet_in_max_abs", std::to_string(seg_err));
  RecordProperty("posenet_in_max_abs", std::to_string(pose_err));
  EXPECT_LE(seg_err, 1e-4f);
  EXPECT_LE(pose_err, 1e-4f);
}

TEST(SegArgmax, FirstMaximumWinsAndNanIsMaximal) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> logits{1, 3, 3, 0, 2,      // tie between 1 and 2 -> 1
                                  5, 5, 5, 5, 5,      // all equal -> 0
                                  -1, -2, -3, -4, 0,  // last -> 4
                                  1, nan, 9, nan, 0,  // first NaN -> 1
                                  nan, 1, 2, 3, 4};   // NaN first -> 0
  std::vector<std::uint8_t> out(5);
  tac::scorer::seg_argmax_nhwc(logits.data(), 5, 5, out.data());
  EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 0, 4, 1, 0}));
}

TEST(ScorerDevice, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(tac::scorer::parse_device("cpu"), tac::scorer::Device::Cpu);
  EXPECT_EQ(tac::scorer::parse_device("cuda"), tac::scorer::Device::Cuda);
  EXPECT_EQ(tac::scorer::device_name(tac::scorer::Device::Cuda), "cuda");
  EXPECT_THROW(tac::scorer::parse_device("gpu"), tac::Error);
  EXPECT_THROW(tac::scorer::parse_device(""), tac::Error);
}

TEST(ScorerDistortion, PoseUsesFirstSixOutputsSegCountsPixels) {
  std::vector<float> a(12, 0.0f), b(12, 0.0f);
  b[0] = 1.0f;
  b[5] = 2.0f;
  b[6] = 100.0f;  // ignored
  EXPECT_FLOAT_EQ(tac::scorer::pose_distortion(a.data(), b.data()), 5.0f / 6.0f);
  std::vector<std::uint8_t> m1(tac::scorer::SampleOutputs::kSegPixels, 2), m2 = m1;
  for (int i = 0; i < 1000; ++i) m2[static_cast<std::size_t>(i) * 7] = 3;
  EXPECT_FLOAT_EQ(tac::scorer::seg_distortion(m1.data(), m2.data()), 1000.0f / (384.0f * 512.0f));
  EXPECT_FLOAT_EQ(tac::scorer::seg_distortion(m1.data(), m1.data()), 0.0f);
}

}  // namespace
