// The per-parameter table of an hnerv95 archive: a tensor put on a much coarser grid (so it
// carries that much more quantization noise) ranks first; rows follow the documented estimator and
// channels partition their tensor; the command writes the table.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <numbers>
#include <sys/wait.h>

#include "support/fixtures.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/contest.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/train/parameter_sensitivity.hpp"
#include "tac/train/tune_inputs.hpp"

namespace {

namespace fs = std::filesystem;
namespace hn = tac::codec::hnerv95;

// The tensor re-quantized onto a grid `factor` times coarser (its scale says so).
void coarsen(hn::Archive& a, const std::string& name, float factor) {
  for (auto& t : a.tensors) {
    if (t.name != name) continue;
    t.scale *= factor;
    for (auto& v : t.values) v = std::nearbyint(v / t.scale) * t.scale;
    return;
  }
  FAIL() << "no tensor " << name;
}

}  // namespace

TEST(ParameterSensitivity, ACoarselyQuantizedTensorRanksFirst) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(gt_video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(segnet, "scorer/twin_segnet.safetensors");
  TAC_FIXTURE(posenet, "scorer/twin_posenet.safetensors");
  at::set_num_threads(2);
  const auto input = tac::train::read_hnerv95_input(zip);
  auto archive = hn::parse_archive(input.bytes, input.member);
  // Two tensors on much coarser grids: a mid-table bias (first per byte after) and a large weight
  // (first by total cost after).
  coarsen(archive, "blocks.1.bias", 128);  // as parsed: 13th of 29 rows per byte
  coarsen(archive, "blocks.2.weight", 64);  // as parsed: last per byte, 5th by cost
  const tac::train::DifferentiableScorer scorer(tac::scorer::nn::load_segnet(segnet), tac::scorer::nn::load_posenet(posenet));
  const auto gt_frames = tac::train::ground_truth_pairs(gt_video, 0, 1);
  const auto gt = scorer.ground_truth(
      at::from_blob(const_cast<std::uint8_t*>(gt_frames.data()), {1, 2, tac::contest::kFrameHeight, tac::contest::kFrameWidth, 3}, at::kByte)
          .to(at::kFloat));
  tac::train::Hnerv95TorchDecoder decoder(archive);
  const auto table = tac::train::parameter_sensitivity(decoder, scorer, at::zeros({1}, at::kLong), gt, {});

  ASSERT_EQ(table.tensors.size(), archive.tensors.size() + 1);  // + the latents
  EXPECT_EQ(table.tensors.front().tensor, "blocks.1.bias") << table.tensors[0].cost_per_byte << " vs second " << table.tensors[1].tensor
                                                          << " " << table.tensors[1].cost_per_byte;
  const auto by_cost = std::max_element(table.tensors.begin(), table.tensors.end(),
                                        [](const auto& a, const auto& b) { return a.expected_cost < b.expected_cost; });
  EXPECT_EQ(by_cost->tensor, "blocks.2.weight");
  for (std::size_t i = 1; i < table.tensors.size(); ++i) EXPECT_GE(table.tensors[i - 1].cost_per_byte, table.tensors[i].cost_per_byte);

  // The estimator as documented, and channels partition their tensor.
  std::map<std::string, std::pair<double, double>> channel_sums;  // l1, l2^2
  for (const auto& r : table.channels) {
    channel_sums[r.tensor].first += r.grad_l1;
    channel_sums[r.tensor].second += r.grad_l2 * r.grad_l2;
    EXPECT_NEAR(r.expected_cost, std::sqrt(2 / std::numbers::pi) * r.step / std::sqrt(12.0) * r.grad_l2, 1e-12 + 1e-9 * r.expected_cost);
    EXPECT_NEAR(r.bound, r.step / 2 * r.grad_l1, 1e-12 + 1e-9 * r.bound);
  }
  for (const auto& r : table.tensors) {
    EXPECT_NEAR(channel_sums[r.tensor].first, r.grad_l1, 1e-9 * r.grad_l1 + 1e-15) << r.tensor;
    EXPECT_NEAR(channel_sums[r.tensor].second, r.grad_l2 * r.grad_l2, 1e-9 * r.grad_l2 * r.grad_l2 + 1e-20) << r.tensor;
    EXPECT_GT(r.grad_l1, 0.0) << r.tensor;  // every tensor reaches the frames
  }
  const auto latents = std::find_if(table.tensors.begin(), table.tensors.end(), [](const auto& r) { return r.tensor == "latents"; });
  ASSERT_NE(latents, table.tensors.end());
  EXPECT_EQ(latents->values, archive.meta.latent_dim);  // the one pair's row only
  EXPECT_EQ(latents->bytes, 2.0 * static_cast<double>(archive.meta.latent_dim));
}

TEST(ParameterSensitivityCli, WritesTheTableAndRefusesBothInputsAtOnce) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(gt_video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(segnet, "scorer/twin_segnet.safetensors");
  TAC_FIXTURE(posenet, "scorer/twin_posenet.safetensors");
  const tac::test::TempDir dir("parameter_sensitivity");
  const std::string base = "'" + tac::test::built_program("tac").string() + "' sensitivity --gt '" + gt_video.string() + "' --segnet '" +
                           segnet.string() + "' --posenet '" + posenet.string() + "' --threads 2 --archive '" + zip.string() + "'";
  const auto run = [](const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  ASSERT_EQ(run(base + " -o '" + (dir.path / "out").string() + "' > /dev/null 2>&1"), 0);
  const auto j = tac::test::read_json(dir.path / "out" / "parameters.json");
  EXPECT_EQ(j["format"], "tac-parameter-sensitivity/1");
  ASSERT_FALSE(j["tensors"].empty());
  for (std::size_t i = 1; i < j["tensors"].size(); ++i)
    EXPECT_GE(j["tensors"][i - 1]["cost_per_byte"].get<double>(), j["tensors"][i]["cost_per_byte"].get<double>());
  EXPECT_NE(run(base + " --recon '" + zip.string() + "' -o '" + (dir.path / "bad").string() + "' > /dev/null 2>&1"), 0);
  EXPECT_FALSE(fs::exists(dir.path / "bad"));
}
