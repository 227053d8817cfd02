#include "tac/scorer/twin_weights.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/scorer/weights_identity.hpp"

namespace {
using tac::scorer::Network;
using tac::scorer::WeightsKind;

std::filesystem::path write(const tac::test::TempDir& dir, Network n, std::uint64_t seed, const std::string& tag) {
  const auto path = dir.path / (tag + std::string(tac::scorer::network_name(n)) + ".safetensors");
  tac::scorer::write_twin(tac::scorer::make_twin(n, seed), path);
  return path;
}
}  // namespace

TEST(TwinWeights, ValidLayoutMarkedAsTwinAndIdentified) {
  tac::test::TempDir dir("twin");
  for (const auto n : {Network::SegNet, Network::PoseNet}) {
    const auto path = write(dir, n, 42, "");
    const auto file = tac::io::Safetensors::open(path);
    EXPECT_NO_THROW(tac::scorer::validate_weights(file, n));
    EXPECT_EQ(file.metadata().at(tac::scorer::kTwinMetaKey), "1");
    EXPECT_EQ(file.metadata().at(tac::scorer::kTwinSeedKey), "42");
    EXPECT_EQ(file.metadata().at(tac::scorer::kTwinCalibrationKey), "none");
    const auto id = tac::scorer::identify_weights(path, n);
    EXPECT_EQ(id.kind, WeightsKind::Twin);
    EXPECT_NE(id.description.find("seed 42"), std::string::npos) << id.description;
    EXPECT_EQ(id.sha256, tac::sha256_file_hex(path));
    // SegNet keeps num_batches_tracked (as the real file appears to), PoseNet omits it (as the real file does).
    const bool has_counts = file.find("decoder.blocks.0.conv1.1.num_batches_tracked") != nullptr ||
                            file.find("vision.stem.0.conv_kxk.0.bn.num_batches_tracked") != nullptr;
    EXPECT_EQ(has_counts, n == Network::SegNet);
  }
}

TEST(TwinWeights, SameSeedSameBytesOtherSeedOtherValues) {
  tac::test::TempDir dir("twin-seed");
  const auto a = write(dir, Network::PoseNet, 7, "a");
  const auto b = write(dir, Network::PoseNet, 7, "b");
  const auto c = write(dir, Network::PoseNet, 8, "c");
  EXPECT_EQ(tac::sha256_file_hex(a), tac::sha256_file_hex(b));
  const auto fa = tac::io::Safetensors::open(a);
  const auto fc = tac::io::Safetensors::open(c);
  const auto wa = fa.to_float32("vision.head.fc.weight");
  const auto wc = fc.to_float32("vision.head.fc.weight");
  ASSERT_EQ(wa.size(), wc.size());
  std::size_t same = 0;
  for (std::size_t i = 0; i < wa.size(); ++i) same += wa[i] == wc[i] ? 1 : 0;
  EXPECT_LT(same, wa.size() / 100);
}

TEST(TwinWeights, ValuesHaveTheIntendedScale) {
  const auto twin = tac::scorer::make_twin(Network::PoseNet, 1);
  for (const auto& t : twin.tensors) {
    if (t.spec.role == tac::scorer::ParamRole::ConvWeight) {
      const double bound = std::sqrt(6.0 / static_cast<double>(t.spec.fan_in));
      double sum_sq = 0;
      for (const float v : t.values) {
        ASSERT_LE(std::abs(v), bound) << t.spec.name;
        sum_sq += static_cast<double>(v) * v;
      }
      // He-uniform: variance 2 / fan_in (within sampling error for tensors of some size).
      if (t.values.size() >= 4096) {
        EXPECT_NEAR(sum_sq / static_cast<double>(t.values.size()) * static_cast<double>(t.spec.fan_in), 2.0, 0.15) << t.spec.name;
      }
    }
    if (t.spec.role == tac::scorer::ParamRole::InputStd) {
      for (const float v : t.values) EXPECT_EQ(v, 63.75f);
    }
  }
}

TEST(TwinWeights, FixtureTwinIsNotRecognisedAsReal) {
  TAC_FIXTURE(path, "scorer/twin_segnet.safetensors");
  const auto id = tac::scorer::identify_weights(path, Network::SegNet);
  EXPECT_EQ(id.kind, WeightsKind::Unknown);  // no tac twin metadata, not the upstream SHA-256
}

TEST(TwinWeights, TrainedTwinIsIdentifiedWithItsHeldOutAccuracy) {
  tac::test::TempDir dir("twin-trained");
  auto twin = tac::scorer::make_twin(Network::SegNet, 9);
  twin.metadata[tac::scorer::kTwinTrainingKey] =
      R"({"format":"tac-twin-training/1","steps":321,"held_out":{"segnet_pixel_accuracy":0.9712,"segnet_mean_iou":0.8123,"posenet_r2":0.9034}})";
  const auto path = dir.path / "segnet.safetensors";
  tac::scorer::write_twin(twin, path);
  const auto id = tac::scorer::identify_weights(path, Network::SegNet);
  EXPECT_EQ(id.kind, WeightsKind::TrainedTwin);
  EXPECT_EQ(tac::scorer::weights_kind_name(id.kind), "trained-twin");
  for (const char* part : {"trained twin", "seed 9", "321 steps", "97.1 %", "mIoU 0.812", "R2 0.903"})
    EXPECT_NE(id.description.find(part), std::string::npos) << part << " in " << id.description;

  twin.metadata[tac::scorer::kTwinTrainingKey] = "not json";
  tac::scorer::write_twin(twin, path);
  try {
    (void)tac::scorer::identify_weights(path, Network::SegNet);
    FAIL() << "a malformed training summary was accepted";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input);
    EXPECT_NE(std::string(e.what()).find("tac_twin_training"), std::string::npos) << e.what();
  }
}
