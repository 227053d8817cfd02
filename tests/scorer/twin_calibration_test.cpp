// `tac twin --calibrate`: BatchNorm statistics measured in training mode on real frames.
#include "tac/scorer/twin_calibration.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/torch_weights.hpp"
#include "tac/scorer/twin_weights.hpp"

namespace {

using tac::scorer::Network;
using tac::scorer::TwinNetwork;
namespace nn = tac::scorer::nn;

struct Calibrated {
  TwinNetwork segnet = tac::scorer::make_twin(Network::SegNet, 11);
  TwinNetwork posenet = tac::scorer::make_twin(Network::PoseNet, 11);
  tac::scorer::TwinCalibrationSummary summary;
};

Calibrated calibrate(const std::filesystem::path& video, int samples, int batch) {
  Calibrated c;
  tac::scorer::TwinCalibrationOptions options;
  options.samples = samples;
  options.batch = batch;
  c.summary = tac::scorer::calibrate_twins(c.segnet, c.posenet, video, options);
  return c;
}

// Every BatchNorm of the twin got statistics that are not the identity (0 mean, 1 variance).
void expect_all_calibrated(const TwinNetwork& twin, std::int64_t batches) {
  int means = 0;
  for (const auto& t : twin.tensors) {
    const std::string& name = t.spec.name;
    if (name.ends_with(".num_batches_tracked")) {
      EXPECT_EQ(t.count_value, batches) << name;
      continue;
    }
    const bool mean = name.ends_with(".running_mean");
    if (!mean && !name.ends_with(".running_var")) continue;
    means += mean ? 1 : 0;
    bool identity = true;
    for (float v : t.values) {
      ASSERT_TRUE(std::isfinite(v)) << name;
      if (!mean) {
        ASSERT_GE(v, 0.0f) << name;
      }
      identity = identity && v == (mean ? 0.0f : 1.0f);
    }
    EXPECT_FALSE(identity) << name << " still has identity statistics";
  }
  EXPECT_GT(means, 70);
}

TEST(TwinCalibration, EveryBatchNormGetsStatisticsFromTheVideo) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  const Calibrated c = calibrate(video, 4, 2);
  EXPECT_EQ(c.summary.samples, 4);
  EXPECT_EQ(c.summary.batches, 2);
  EXPECT_GT(c.summary.segnet_layers, 70);
  EXPECT_GT(c.summary.posenet_layers, 70);
  expect_all_calibrated(c.segnet, 2);
  expect_all_calibrated(c.posenet, 2);
  for (const auto* twin : {&c.segnet, &c.posenet}) {
    const std::string& how = twin->metadata.at(tac::scorer::kTwinCalibrationKey);
    EXPECT_NE(how.find("gt.mkv"), std::string::npos) << how;
    EXPECT_NE(how.find("4 frame pairs"), std::string::npos) << how;
  }
  // The calibrated files load as scorer weights.
  tac::test::TempDir dir("calibration");
  tac::scorer::write_twin(c.segnet, dir.path / "segnet.safetensors");
  tac::scorer::write_twin(c.posenet, dir.path / "posenet.safetensors");
  EXPECT_NO_THROW(nn::load_segnet(dir.path / "segnet.safetensors"));
  EXPECT_NO_THROW(nn::load_posenet(dir.path / "posenet.safetensors"));
  // Same video, same options: the same statistics, bit for bit.
  const Calibrated again = calibrate(video, 4, 2);
  for (std::size_t i = 0; i < c.segnet.tensors.size(); ++i)
    ASSERT_EQ(c.segnet.tensors[i].values, again.segnet.tensors[i].values) << c.segnet.tensors[i].spec.name;
}

// The training-mode hook: after one batch, the stored statistics are that batch's, so the network
// in eval mode reproduces its own training-mode forward on the same inputs (up to the unbiased
// variance correction n/(n-1), small for these sizes), and no longer the raw twin's response.
TEST(BatchNormCalibration, EvalModeThenReproducesTheTrainingModeForward) {
  tac::test::TempDir dir("calibration");
  const auto path = dir.path / "posenet.safetensors";
  tac::scorer::write_twin(tac::scorer::make_twin(Network::PoseNet, 11), path);

  at::NoGradGuard no_grad;
  at::manual_seed(3);
  const at::Tensor x = at::rand({4, 12, tac::scorer::kPoseHeight, tac::scorer::kPoseWidth}) * 255.0;
  const nn::PoseNetParams calibrated = nn::load_posenet(path);
  at::Tensor trained;
  {
    nn::BatchNormCalibration calibration;
    trained = nn::posenet_forward_train(calibrated, x);
    EXPECT_GT(calibration.layers().size(), 70u);
    EXPECT_EQ(calibration.batches("vision.stem.0.identity"), 0);  // a name that is not a BatchNorm key
  }
  EXPECT_EQ(nn::BatchNormCalibration::active(), nullptr);
  const at::Tensor evaluated = nn::posenet_forward_train(calibrated, x);  // eval mode, measured statistics
  const double scale = trained.abs().max().item<double>();
  const double calibrated_error = (evaluated - trained).abs().max().item<double>();
  EXPECT_LT(calibrated_error, 5e-2 * scale) << "train " << trained << "\neval " << evaluated;
  const at::Tensor raw = nn::posenet_forward_train(nn::load_posenet(path), x);
  const double raw_error = (raw - trained).abs().max().item<double>();
  EXPECT_GT(raw_error, 5 * calibrated_error) << "raw twin " << raw;
}

TEST(TwinCalibration, RejectsUnusableVideos) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  auto segnet = tac::scorer::make_twin(Network::SegNet, 1);
  auto posenet = tac::scorer::make_twin(Network::PoseNet, 1);
  tac::scorer::TwinCalibrationOptions options;
  options.samples = 9;  // 18 frames from a 16-frame clip
  try {
    tac::scorer::calibrate_twins(segnet, posenet, video, options);
    ADD_FAILURE() << "calibrating on more frames than the clip has did not fail";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage) << e.what();
    EXPECT_NE(std::string(e.what()).find("gt.mkv"), std::string::npos) << e.what();
  }
  EXPECT_EQ(segnet.metadata.at(tac::scorer::kTwinCalibrationKey), "none");  // untouched on failure
  tac::test::TempDir dir("calibration-bad");
  const auto missing = dir.path / "missing.mkv";
  options.samples = 1;
  EXPECT_THROW(tac::scorer::calibrate_twins(segnet, posenet, missing, options), tac::Error);
  options.samples = 0;
  EXPECT_THROW(tac::scorer::calibrate_twins(segnet, posenet, video, options), tac::Error);
}

}  // namespace
