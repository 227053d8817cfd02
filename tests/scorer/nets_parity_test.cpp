// SegNet / PoseNet on libtorch against the upstream evaluator's golden outputs (clip16, twin
// weights): folded inference form, train-time form, their agreement, gradients, and Scorer::run.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>
#include <memory>
#include <vector>

#include "scorer_test_data.hpp"
#include "support/fixtures.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/scorer/scorer.hpp"
#include "tac/scorer/segnet.hpp"
#ifdef TAC_TEST_HAVE_VIDEO
#include "tac/io/video_decoder.hpp"
#endif

namespace {

using tac::test::golden_bytes;
using tac::test::golden_floats;
namespace nn = tac::scorer::nn;

constexpr int kPixels = 384 * 512;

at::Tensor from_floats(const std::vector<float>& v, at::IntArrayRef shape) {
  return at::from_blob(const_cast<float*>(v.data()), shape, at::kFloat).clone();
}

// max |a - b| / max |b|: relative to the output's scale (entries near 0 make a per-entry ratio meaningless).
double scaled_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

double agreement(const std::uint8_t* a, const std::uint8_t* b) {
  int same = 0;
  for (int i = 0; i < kPixels; ++i) same += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(same) / kPixels;
}

std::vector<std::uint8_t> argmax_u8(const at::Tensor& logits) {  // (1, 5, H, W)
  const at::Tensor idx = logits.argmax(1).to(at::kByte).contiguous();
  return {idx.data_ptr<std::uint8_t>(), idx.data_ptr<std::uint8_t>() + idx.numel()};
}

struct Golden {
  std::unique_ptr<tac::io::Safetensors> file;
  at::Tensor seg_in, pose_in, logits, pose_out_gt, pose_out_recon;
};

#define TAC_GOLDEN(g)                                                  \
  TAC_FIXTURE(golden_path, "scorer/clip16/golden.safetensors");        \
  TAC_FIXTURE(segnet_path, "scorer/twin_segnet.safetensors");          \
  TAC_FIXTURE(posenet_path, "scorer/twin_posenet.safetensors");        \
  const Golden g = load_golden(golden_path)

Golden load_golden(const std::filesystem::path& path) {
  Golden g;
  g.file = std::make_unique<tac::io::Safetensors>(tac::io::Safetensors::open(path));
  g.seg_in = from_floats(golden_floats(*g.file, "segnet_in_gt_s0"), {1, 3, 384, 512});
  g.pose_in = from_floats(golden_floats(*g.file, "posenet_in_gt_s0"), {1, 12, 192, 256});
  g.logits = from_floats(golden_floats(*g.file, "segnet_logits_gt_s0"), {1, 5, 384, 512});
  g.pose_out_gt = from_floats(golden_floats(*g.file, "posenet_out_gt"), {8, 12});
  g.pose_out_recon = from_floats(golden_floats(*g.file, "posenet_out_recon"), {8, 12});
  return g;
}

TEST(PoseNetParity, FoldedFormMatchesUpstreamSample0) {
  TAC_GOLDEN(g);
  c10::InferenceMode guard;
  const nn::PoseNetFolded net(nn::load_posenet(posenet_path), at::kCPU);
  const double err = scaled_error(net.forward(g.pose_in), g.pose_out_gt.narrow(0, 0, 1));
  RecordProperty("scaled_error", std::to_string(err));
  EXPECT_LE(err, 1e-4);
}

TEST(PoseNetParity, TrainFormMatchesUpstreamAndFoldedForm) {
  TAC_GOLDEN(g);
  c10::InferenceMode guard;
  const nn::PoseNetParams params = nn::load_posenet(posenet_path);
  const at::Tensor train = nn::posenet_forward_train(params, g.pose_in);
  EXPECT_LE(scaled_error(train, g.pose_out_gt.narrow(0, 0, 1)), 1e-4);
  const nn::PoseNetFolded folded(params, at::kCPU);
  // Same math, different rounding: folded and unfolded agree far below the upstream tolerance.
  EXPECT_LE(scaled_error(folded.forward(g.pose_in), train), 1e-5);
}

TEST(SegNetParity, FoldedFormMatchesUpstreamSample0) {
  TAC_GOLDEN(g);
  c10::InferenceMode guard;
  const nn::SegNetFolded net(nn::load_segnet(segnet_path), at::kCPU);
  const at::Tensor logits = net.forward(g.seg_in);
  const double err = (logits - g.logits).abs().max().item<double>();
  RecordProperty("logits_max_abs", std::to_string(err));
  EXPECT_LE(err, 1e-3);
  const auto ours = argmax_u8(logits);
  const auto ref = golden_bytes(*g.file, "segnet_argmax_gt");
  EXPECT_GE(agreement(ours.data(), ref.data()), 0.9999);
}

TEST(SegNetParity, TrainFormMatchesUpstreamAndFoldedForm) {
  TAC_GOLDEN(g);
  c10::InferenceMode guard;
  const nn::SegNetParams params = nn::load_segnet(segnet_path);
  const at::Tensor train = nn::segnet_forward_train(params, g.seg_in);
  EXPECT_LE((train - g.logits).abs().max().item<double>(), 1e-3);
  const nn::SegNetFolded folded(params, at::kCPU);
  const at::Tensor fast = folded.forward(g.seg_in);
  EXPECT_LE((fast - train).abs().max().item<double>(), 1e-3);
  const auto a = argmax_u8(fast);
  const auto b = argmax_u8(train);
  EXPECT_GE(agreement(a.data(), b.data()), 0.9999);
}

TEST(PoseNetTrainForm, GradientMatchesFiniteDifference) {
  TAC_GOLDEN(g);
  const nn::PoseNetParams params = nn::load_posenet(posenet_path);
  at::Tensor x = g.pose_in.clone().set_requires_grad(true);
  const at::Tensor y = nn::posenet_forward_train(params, x);
  const at::Tensor w = at::linspace(-1.0, 1.0, 12).view({1, 12});
  const at::Tensor loss = (y * w).sum();
  const auto grads = torch::autograd::grad({loss}, {x});
  const at::Tensor grad = grads[0];
  ASSERT_TRUE(grad.isfinite().all().item<bool>());
  ASSERT_GT(grad.abs().max().item<double>(), 0.0);
  // Directional derivative along a direction mixing the gradient and noise (so that the
  // change is well above float32 noise), step of norm 0.5 in input units (0..255 scale).
  at::manual_seed(7);
  const at::Tensor noise = at::randn_like(x);
  at::Tensor dir = grad / grad.norm() + noise / noise.norm();
  dir = dir / dir.norm();
  const double step = 0.5;
  c10::InferenceMode guard;
  const double up = (nn::posenet_forward_train(params, g.pose_in + step * dir) * w).sum().item<double>();
  const double down = (nn::posenet_forward_train(params, g.pose_in - step * dir) * w).sum().item<double>();
  const double numeric = (up - down) / (2 * step);
  const double analytic = (grad * dir).sum().item<double>();
  EXPECT_NEAR(analytic, numeric, 0.02 * std::fabs(numeric)) << "analytic " << analytic << " numeric " << numeric;
}

TEST(SegNetTrainForm, GradientFlowsToInput) {
  TAC_GOLDEN(g);
  const nn::SegNetParams params = nn::load_segnet(segnet_path);
  at::Tensor x = g.seg_in.clone().set_requires_grad(true);
  const at::Tensor logits = nn::segnet_forward_train(params, x);
  const at::Tensor loss = logits.narrow(1, 2, 1).mean();
  const at::Tensor grad = torch::autograd::grad({loss}, {x})[0];
  EXPECT_TRUE(grad.isfinite().all().item<bool>());
  EXPECT_GT(grad.abs().max().item<double>(), 0.0);
}

// Scorer::run on the recon frames (all 8 samples) and the GT pair of sample 0.
TEST(ScorerRun, MatchesUpstreamOutputsAndDistortions) {
  TAC_GOLDEN(g);
  TAC_FIXTURE(recon_path, "scorer/clip16/recon.raw.zst");
  const std::vector<std::uint8_t> recon = tac::test::read_zstd_file(recon_path);
  constexpr std::size_t kFrame = 874 * 1164 * 3;
  ASSERT_EQ(recon.size(), 16 * kFrame);
  const auto f0 = golden_bytes(*g.file, "gt_rgb_f0");
  const auto f1 = golden_bytes(*g.file, "gt_rgb_f1");

  tac::scorer::ScorerOptions options;
  options.segnet_weights = segnet_path;
  options.posenet_weights = posenet_path;
  options.batch = 3;  // a partial last batch on purpose
  tac::scorer::Scorer scorer(options);
  std::vector<tac::scorer::FramePairView> pairs;
  for (int k = 0; k < 8; ++k) pairs.push_back({recon.data() + 2 * k * kFrame, recon.data() + (2 * k + 1) * kFrame});
  tac::scorer::SampleOutputs rec;
  scorer.run(pairs, rec);
  tac::scorer::SampleOutputs gt;
  const tac::scorer::FramePairView gt_pair{f0.data(), f1.data()};
  scorer.run({&gt_pair, 1}, gt);
  ASSERT_EQ(rec.samples(), 8);
  ASSERT_EQ(gt.samples(), 1);

  const at::Tensor pose_rec = from_floats(rec.pose, {8, 12});
  EXPECT_LE(scaled_error(pose_rec, g.pose_out_recon), 1e-4);
  EXPECT_LE(scaled_error(from_floats(gt.pose, {1, 12}), g.pose_out_gt.narrow(0, 0, 1)), 1e-4);

  const auto argmax_rec = golden_bytes(*g.file, "segnet_argmax_recon");
  const auto argmax_gt = golden_bytes(*g.file, "segnet_argmax_gt");
  const auto pose_dist = golden_floats(*g.file, "pose_dist");
  const auto seg_dist = golden_floats(*g.file, "seg_dist");
  const auto golden_pose_gt = golden_floats(*g.file, "posenet_out_gt");
  for (int k = 0; k < 8; ++k) {
    SCOPED_TRACE(k);
    const std::uint8_t* ours = rec.seg_argmax.data() + static_cast<std::size_t>(k) * kPixels;
    EXPECT_GE(agreement(ours, argmax_rec.data() + static_cast<std::size_t>(k) * kPixels), 0.9999);
    // Distortion of our recon outputs against the golden GT outputs.
    const float pd = tac::scorer::pose_distortion(golden_pose_gt.data() + 12 * k, rec.pose.data() + 12 * k);
    EXPECT_LE(std::fabs(pd - pose_dist[k]), 1e-3 * std::fabs(pose_dist[k]));
    const float sd = tac::scorer::seg_distortion(argmax_gt.data() + static_cast<std::size_t>(k) * kPixels, ours);
    EXPECT_LE(std::fabs(sd - seg_dist[k]), 5e-5);
  }
  EXPECT_GE(agreement(gt.seg_argmax.data(), argmax_gt.data()), 0.9999);
  // Sample 0 entirely from our own outputs.
  EXPECT_LE(std::fabs(tac::scorer::pose_distortion(gt.pose.data(), rec.pose.data()) - pose_dist[0]),
            1e-3 * std::fabs(pose_dist[0]));
  EXPECT_LE(std::fabs(tac::scorer::seg_distortion(gt.seg_argmax.data(), rec.seg_argmax.data()) - seg_dist[0]), 5e-5);
}

#ifdef TAC_TEST_HAVE_VIDEO
// The whole clip as the evaluator sees it: GT frames decoded from gt.mkv (tac_io_video), recon
// frames from the .raw; every per-sample output and distortion from our own side only.
TEST(ScorerRun, FullClipFromDecodedGroundTruth) {
  TAC_GOLDEN(g);
  TAC_FIXTURE(gt_video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(recon_path, "scorer/clip16/recon.raw.zst");
  constexpr std::size_t kFrame = 874 * 1164 * 3;
  std::vector<std::uint8_t> gt(16 * kFrame);
  const std::int64_t decoded = tac::io::decode_rgb_frames(
      gt_video, {}, [&](std::span<const std::uint8_t> rgb, std::int64_t index) {
        ASSERT_EQ(rgb.size(), kFrame);
        if (index < 16) std::copy(rgb.begin(), rgb.end(), gt.begin() + index * static_cast<std::ptrdiff_t>(kFrame));
      });
  ASSERT_EQ(decoded, 16);
  const std::vector<std::uint8_t> recon = tac::test::read_zstd_file(recon_path);
  ASSERT_EQ(recon.size(), 16 * kFrame);

  tac::scorer::ScorerOptions options;
  options.segnet_weights = segnet_path;
  options.posenet_weights = posenet_path;
  tac::scorer::Scorer scorer(options);
  std::vector<tac::scorer::FramePairView> gt_pairs, rec_pairs;
  for (int k = 0; k < 8; ++k) {
    gt_pairs.push_back({gt.data() + 2 * k * kFrame, gt.data() + (2 * k + 1) * kFrame});
    rec_pairs.push_back({recon.data() + 2 * k * kFrame, recon.data() + (2 * k + 1) * kFrame});
  }
  tac::scorer::SampleOutputs out_gt, out_rec;
  scorer.run(gt_pairs, out_gt);
  scorer.run(rec_pairs, out_rec);
  EXPECT_LE(scaled_error(from_floats(out_gt.pose, {8, 12}), g.pose_out_gt), 1e-4);
  EXPECT_LE(scaled_error(from_floats(out_rec.pose, {8, 12}), g.pose_out_recon), 1e-4);
  const auto argmax_gt = golden_bytes(*g.file, "segnet_argmax_gt");
  const auto pose_dist = golden_floats(*g.file, "pose_dist");
  const auto seg_dist = golden_floats(*g.file, "seg_dist");
  for (int k = 0; k < 8; ++k) {
    SCOPED_TRACE(k);
    const std::size_t off = static_cast<std::size_t>(k) * kPixels;
    EXPECT_GE(agreement(out_gt.seg_argmax.data() + off, argmax_gt.data() + off), 0.9999);
    const float pd = tac::scorer::pose_distortion(out_gt.pose.data() + 12 * k, out_rec.pose.data() + 12 * k);
    EXPECT_LE(std::fabs(pd - pose_dist[k]), 1e-3 * std::fabs(pose_dist[k]));
    const float sd = tac::scorer::seg_distortion(out_gt.seg_argmax.data() + off, out_rec.seg_argmax.data() + off);
    EXPECT_LE(std::fabs(sd - seg_dist[k]), 5e-5);
  }
}
#endif

}  // namespace
