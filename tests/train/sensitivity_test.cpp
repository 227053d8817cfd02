// `tac sensitivity` and its library: the maps are |gradient| summed over channels and their total
// equals the autograd gradient's; regions and SegNet classes partition the totals; the command
// writes maps equal to the library's, heat maps and a summary, and refuses bad options.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/autograd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "scorer_test_data.hpp"
#include "support/fixtures.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/train/sensitivity.hpp"

namespace {

namespace fs = std::filesystem;
namespace nn = tac::scorer::nn;
constexpr int kH = 874, kW = 1164;
constexpr std::size_t kFrameBytes = std::size_t{kH} * kW * 3;

at::Tensor frame_tensor(const std::uint8_t* bytes) {
  return at::from_blob(const_cast<std::uint8_t*>(bytes), {kH, kW, 3}, at::kByte).to(at::kFloat);
}

struct Pairs {
  at::Tensor gt, recon;  // (1, 2, H, W, 3)
  std::vector<std::uint8_t> recon_bytes;
};

Pairs load_pairs(const fs::path& golden_path, const fs::path& recon_path) {
  const auto golden = tac::io::Safetensors::open(golden_path);
  const auto f0 = tac::test::golden_bytes(golden, "gt_rgb_f0");
  const auto f1 = tac::test::golden_bytes(golden, "gt_rgb_f1");
  Pairs p;
  p.gt = at::stack({frame_tensor(f0.data()), frame_tensor(f1.data())}).unsqueeze(0);
  p.recon_bytes = tac::test::read_zstd_file(recon_path);
  p.recon = at::stack({frame_tensor(p.recon_bytes.data()), frame_tensor(p.recon_bytes.data() + kFrameBytes)}).unsqueeze(0);
  return p;
}

#define TAC_SENSITIVITY_FIXTURES                                       \
  TAC_FIXTURE(golden_path, "scorer/clip16/golden.safetensors");        \
  TAC_FIXTURE(recon_path, "scorer/clip16/recon.raw.zst");              \
  TAC_FIXTURE(gt_video, "scorer/clip16/gt.mkv");                       \
  TAC_FIXTURE(segnet_path, "scorer/twin_segnet.safetensors");          \
  TAC_FIXTURE(posenet_path, "scorer/twin_posenet.safetensors")

TEST(PixelSensitivity, MapTotalsAreTheAutogradGradientsAndPartitionByRegionAndClass) {
  TAC_SENSITIVITY_FIXTURES;
  const Pairs p = load_pairs(golden_path, recon_path);
  const tac::train::DifferentiableScorer scorer(nn::load_segnet(segnet_path), nn::load_posenet(posenet_path));
  const auto s = tac::train::pixel_sensitivity(scorer, p.gt, p.recon, {});
  // The same objective's gradient, taken here directly with autograd.
  const auto gt = scorer.ground_truth(p.gt);
  const at::Tensor x = p.recon.clone().set_requires_grad(true);
  const auto terms = scorer.terms(x, gt);
  const at::Tensor grad = torch::autograd::grad({terms.objective()}, {x})[0][0];
  const double autograd_total = grad.abs().to(at::kDouble).sum().item<double>();
  ASSERT_GT(autograd_total, 0.0);
  EXPECT_NEAR(s.total, autograd_total, 1e-6 * autograd_total);
  EXPECT_TRUE(at::allclose(s.map, grad.abs().sum(3)));
  EXPECT_NEAR(s.objective, terms.objective().item<double>(), 1e-9);
  EXPECT_GT(s.seg_distortion, 0.0);
  double regions = 0, classes = 0;
  for (const double r : s.region_totals) regions += r;
  for (const double c : s.class_totals) classes += c;
  EXPECT_NEAR(regions, s.total, 1e-9 * s.total);
  EXPECT_NEAR(classes, s.frame_totals[1], 1e-9 * s.total);
  EXPECT_NEAR(s.frame_totals[0] + s.frame_totals[1], s.total, 1e-12 * s.total);
  // Both frames matter (PoseNet sees both), and only SegNet's frame sees the surrogate.
  EXPECT_GT(s.frame_totals[0], 0.0);
  EXPECT_GT(s.frame_totals[1], s.frame_totals[0]);
}

std::string log_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int run(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(SensitivityCli, WritesTheLibrarysMapsHeatMapsAndSummary) {
  TAC_SENSITIVITY_FIXTURES;
  const Pairs p = load_pairs(golden_path, recon_path);
  tac::test::TempDir dir("sensitivity");
  const fs::path raw = dir.path / "recon.raw";
  std::ofstream(raw, std::ios::binary)
      .write(reinterpret_cast<const char*>(p.recon_bytes.data()), static_cast<std::streamsize>(p.recon_bytes.size()));
  const std::string tac = tac::test::built_program("tac").string();
  const fs::path out = dir.path / "out";
  const std::string base = "'" + tac + "' sensitivity --gt '" + gt_video.string() + "' --recon '" + raw.string() +
                           "' --segnet '" + segnet_path.string() + "' --posenet '" + posenet_path.string() + "'";
  ASSERT_EQ(run(base + " --samples 0:1 --threads 2 -o '" + out.string() + "' > '" + (dir.path / "log").string() + "' 2>&1"), 0)
      << log_text(dir.path / "log");
  const auto summary = tac::test::read_json(out / "summary.json");
  ASSERT_EQ(summary["samples"].size(), 1u);
  const auto& row = summary["samples"][0];
  const auto file = tac::io::Safetensors::open(out / "sensitivity.safetensors");
  const auto map = file.to_float32("sample_0");
  ASSERT_EQ(map.size(), 2u * kH * kW);
  double total = 0;
  for (const float v : map) total += v;
  EXPECT_NEAR(total, row["map_total"].get<double>(), 1e-5 * total);
  // The command's map is the library's.
  const tac::train::DifferentiableScorer scorer(nn::load_segnet(segnet_path), nn::load_posenet(posenet_path));
  const auto s = tac::train::pixel_sensitivity(scorer, p.gt, p.recon, {});
  EXPECT_NEAR(total, s.total, 1e-5 * s.total);
  for (const char* png : {"sample_0_frame0.png", "sample_0_frame1.png"}) {
    std::ifstream in(out / png, std::ios::binary);
    char signature[8] = {};
    in.read(signature, 8);
    EXPECT_EQ(std::string(signature + 1, 3), "PNG") << png;
  }
  // Bad options: a clear refusal, nothing written.
  const fs::path bad = dir.path / "bad";
  EXPECT_NE(run(base + " --surrogate bogus -o '" + bad.string() + "' 2>/dev/null"), 0);
  EXPECT_NE(run(base + " --samples 0:99 -o '" + bad.string() + "' 2>/dev/null"), 0);
  EXPECT_FALSE(fs::exists(bad / "summary.json"));
}

}  // namespace
