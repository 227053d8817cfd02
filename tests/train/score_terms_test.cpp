// The scorer as a differentiable function of the frames (issue #13): the differentiable input
// path reproduces the scorer's network inputs; analytic gradients of each score term with
// respect to frame pixels agree with central finite differences; the surrogates behave (zero
// at the ground truth, the true SegNet distortion reported beside them).
//
// Tolerance: the networks run in float32, so a finite difference of a term is the difference
// of two float32 forwards. The probed pixels are the ones with the largest gradient and the step
// is 0.5 (on the 0..255 scale) so that the change stands well above float32 noise, and the step
// is small against the scale on which ReLU/clamp kinks appear; agreement within 5 % of the
// derivative (plus 1e-9 absolute) then tests the chain (resize, YUV6, networks) term by term.
// A directional derivative over the whole frame (a step of norm 0.5 along a mix of the gradient
// and noise: a strong signal, far from second-order effects) is held to 2 %.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>
#include <memory>
#include <vector>

#include "scorer_test_data.hpp"
#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/dnnl_conv.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/train/differentiable_preprocess.hpp"
#include "tac/train/score_terms.hpp"

namespace {

namespace nn = tac::scorer::nn;
using tac::train::DifferentiableScorer;
using tac::train::SegSurrogate;

constexpr int kH = 874, kW = 1164;

at::Tensor frame_tensor(const std::vector<std::uint8_t>& bytes) {
  return at::from_blob(const_cast<std::uint8_t*>(bytes.data()), {kH, kW, 3}, at::kByte).to(at::kFloat);
}

struct Clip {
  std::unique_ptr<tac::io::Safetensors> golden;
  at::Tensor gt_pair;  // (1, 2, 874, 1164, 3) float
};

#define TAC_CLIP(c)                                                    \
  TAC_FIXTURE(golden_path, "scorer/clip16/golden.safetensors");        \
  TAC_FIXTURE(segnet_path, "scorer/twin_segnet.safetensors");          \
  TAC_FIXTURE(posenet_path, "scorer/twin_posenet.safetensors");        \
  const Clip c = load_clip(golden_path)

Clip load_clip(const std::filesystem::path& path) {
  Clip c;
  c.golden = std::make_unique<tac::io::Safetensors>(tac::io::Safetensors::open(path));
  const auto f0 = tac::test::golden_bytes(*c.golden, "gt_rgb_f0");
  const auto f1 = tac::test::golden_bytes(*c.golden, "gt_rgb_f1");
  c.gt_pair = at::stack({frame_tensor(f0), frame_tensor(f1)}).unsqueeze(0);
  return c;
}

at::Tensor golden_tensor(const tac::io::Safetensors& file, const std::string& name, at::IntArrayRef shape) {
  const auto v = tac::test::golden_floats(file, name);
  return at::from_blob(const_cast<float*>(v.data()), shape, at::kFloat).clone();
}

TEST(DifferentiablePreprocess, ReproducesTheScorersNetworkInputs) {
  TAC_CLIP(c);
  const at::Tensor resized = tac::train::resize_to_net(c.gt_pair.flatten(0, 1));  // (2, 3, 384, 512)
  // The torch-free path of the scorer, bit-exact with upstream, on the same frame.
  const auto f1 = tac::test::golden_bytes(*c.golden, "gt_rgb_f1");
  std::vector<float> exact(tac::scorer::kSegInputFloats);
  tac::scorer::resize_frame(f1.data(), exact.data());
  const at::Tensor exact_t = at::from_blob(exact.data(), {3, 384, 512}, at::kFloat);
  EXPECT_LE((resized[1] - exact_t).abs().max().item<double>(), 1e-3);
  // Against upstream's own network inputs for sample 0 (golden).
  const at::Tensor seg_in = golden_tensor(*c.golden, "segnet_in_gt_s0", {1, 3, 384, 512});
  const at::Tensor pose_in = golden_tensor(*c.golden, "posenet_in_gt_s0", {1, 12, 192, 256});
  EXPECT_LE((resized[1] - seg_in[0]).abs().max().item<double>(), 1e-3);
  const at::Tensor yuv = tac::train::rgb_to_yuv6(resized).view({1, 12, 192, 256});
  EXPECT_LE((yuv - pose_in).abs().max().item<double>(), 1e-3);
}

TEST(DifferentiablePreprocess, StraightThroughRoundsForwardAndPassesGradient) {
  at::Tensor x = at::tensor({-3.2f, 0.5f, 1.5f, 254.6f, 300.0f}).set_requires_grad(true);
  const at::Tensor y = tac::train::straight_through_uint8(x);
  EXPECT_TRUE(at::equal(y.detach(), at::tensor({0.0f, 0.0f, 2.0f, 255.0f, 255.0f})));
  const at::Tensor g = torch::autograd::grad({(y * at::arange(5).to(at::kFloat)).sum()}, {x})[0];
  EXPECT_TRUE(at::equal(g, at::arange(5).to(at::kFloat)));
}

// One term of the reconstruction as a function of its frames (no gradient): for finite differences.
double term_value(const DifferentiableScorer& s, const at::Tensor& frames, const tac::train::GroundTruthOutputs& gt,
                  bool pose) {
  c10::InferenceMode guard;
  const auto t = s.terms(frames, gt);
  return (pose ? t.pose_distortion : t.seg_surrogate).sum().item<double>();
}

TEST(DifferentiableScorer, GradientsAgreeWithCentralFiniteDifferences) {
  TAC_CLIP(c);
  const DifferentiableScorer scorer(nn::load_segnet(segnet_path), nn::load_posenet(posenet_path));
  const auto gt = scorer.ground_truth(c.gt_pair);
  // A reconstruction: the ground truth with deterministic noise of +-4 levels.
  at::manual_seed(3);
  const at::Tensor recon = (c.gt_pair + 4.0 * at::randn_like(c.gt_pair)).clamp(0, 255);
  for (const bool pose : {true, false}) {
    SCOPED_TRACE(pose ? "pose distortion" : "seg cross-entropy surrogate");
    at::Tensor x = recon.clone().set_requires_grad(true);
    const auto t = scorer.terms(x, gt);
    const at::Tensor value = (pose ? t.pose_distortion : t.seg_surrogate).sum();
    const at::Tensor grad = torch::autograd::grad({value}, {x})[0];
    ASSERT_TRUE(grad.isfinite().all().item<bool>());
    // The three pixels (channel values) with the largest gradient.
    const auto top = grad.abs().flatten().topk(3);
    const at::Tensor indices = std::get<1>(top);
    for (int k = 0; k < 3; ++k) {
      const auto i = indices[k].item<std::int64_t>();
      const double analytic = grad.flatten()[i].item<double>();
      const double step = 0.5;
      at::Tensor up = recon.clone(), down = recon.clone();
      up.view(-1)[i] += step;
      down.view(-1)[i] -= step;
      const double numeric = (term_value(scorer, up, gt, pose) - term_value(scorer, down, gt, pose)) / (2 * step);
      EXPECT_NEAR(analytic, numeric, 0.05 * std::fabs(analytic) + 1e-9) << "pixel value " << i;
    }
    // Directional derivative over every pixel of both frames, along a unit direction mixing the
    // gradient and noise (so the change is well above float32 noise), a step of norm 0.5.
    const at::Tensor noise = at::randn_like(recon);
    at::Tensor dir = grad / grad.norm() + noise / noise.norm();
    dir = dir / dir.norm();
    const double step = 0.5;
    const double numeric =
        (term_value(scorer, recon + step * dir, gt, pose) - term_value(scorer, recon - step * dir, gt, pose)) / (2 * step);
    const double analytic = (grad * dir).sum().item<double>();
    EXPECT_NEAR(analytic, numeric, 0.02 * std::fabs(numeric)) << "directional";
  }
}

// The scorer in the loop runs the networks folded (BatchNorm into convs, PoseNet's branches
// reparameterized): the same function as the stored train-time graph, to float32 rounding, and
// its gradient with respect to the frames the same too.
TEST(DifferentiableScorer, FoldedNetworksAgreeWithTheStoredGraph) {
  TAC_CLIP(c);
  const nn::SegNetParams seg = nn::load_segnet(segnet_path);
  const nn::PoseNetParams pose = nn::load_posenet(posenet_path);
  const DifferentiableScorer scorer(seg, pose);
  const at::Tensor frames = c.gt_pair.clone().set_requires_grad(true);
  const auto folded = scorer.forward(frames);
  // The stored graphs on the same inputs.
  const at::Tensor resized = tac::train::resize_to_net(frames.flatten(0, 1));
  const at::Tensor yuv = tac::train::rgb_to_yuv6(resized).view({1, 12, 192, 256});
  const at::Tensor pose_graph = nn::posenet_forward_train(pose, yuv);
  const at::Tensor seg_graph = nn::segnet_forward_train(seg, resized.narrow(0, 1, 1));
  const double pose_scale = pose_graph.abs().max().item<double>();
  EXPECT_LE((folded.pose - pose_graph).abs().max().item<double>(), 1e-4 * pose_scale);
  const double seg_scale = seg_graph.abs().max().item<double>();
  EXPECT_LE((folded.seg_logits - seg_graph).abs().max().item<double>(), 1e-3 * seg_scale);
  EXPECT_GE(folded.seg_logits.argmax(1).eq(seg_graph.argmax(1)).to(at::kDouble).mean().item<double>(), 0.999);
  // Gradients of one scalar of each output with respect to the frames.
  at::manual_seed(3);
  const at::Tensor w = at::randn({1, 12}, at::kFloat);
  const at::Tensor g_folded = torch::autograd::grad({(folded.pose * w).sum() + folded.seg_logits.mean()}, {frames}, {}, true)[0];
  const at::Tensor g_graph = torch::autograd::grad({(pose_graph * w).sum() + seg_graph.mean()}, {frames})[0];
  const double g_scale = g_graph.abs().max().item<double>();
  ASSERT_GT(g_scale, 0.0);
  EXPECT_LE((g_folded - g_graph).abs().max().item<double>(), 1e-3 * g_scale);
}

// oneDNN's fused convs have no backward: asked to run on a tensor autograd records, they refuse
// instead of silently cutting the graph.
TEST(DifferentiableScorer, FusedOneDnnConvRefusesAGraphInput) {
  if (!tac::scorer::dnnl_available()) GTEST_SKIP() << "no oneDNN in this build";
  nn::Conv conv{at::randn({4, 3, 3, 3}), at::zeros({4}), 1, 1, 1};
  const nn::FusedConv fused = nn::make_fused(conv, tac::scorer::ConvActivation::Relu, false, at::kCPU, nn::Backend::Dnnl);
  const at::Tensor x = at::randn({1, 3, 8, 8}).set_requires_grad(true);
  EXPECT_THROW((void)fused(x), tac::Error);
  const nn::FusedConv aten = nn::make_fused(conv, tac::scorer::ConvActivation::Relu, false, at::kCPU, nn::Backend::Aten);
  const at::Tensor y = aten(x);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_TRUE(at::allclose(y.detach(), fused(x.detach()), 1e-4, 1e-4));
}

TEST(DifferentiableScorer, TermsAreZeroAtTheGroundTruthAndTheTrueDistortionIsReported) {
  TAC_CLIP(c);
  const DifferentiableScorer scorer(nn::load_segnet(segnet_path), nn::load_posenet(posenet_path));
  const auto gt = scorer.ground_truth(c.gt_pair);
  c10::InferenceMode guard;
  const auto same = scorer.terms(c.gt_pair, gt, {SegSurrogate::kl, 2.0, 2.0});
  EXPECT_EQ(same.pose_distortion.item<double>(), 0.0);
  EXPECT_EQ(same.seg_distortion.item<double>(), 0.0);
  EXPECT_LE(std::fabs(same.seg_surrogate.item<double>()), 1e-6);  // KL of a distribution with itself
  EXPECT_EQ(same.true_distortion(), 0.0);
  // A coarse reconstruction (every value rounded to a multiple of 32): all terms grow, and the
  // surrogates rank it worse than a fine one (multiples of 4).
  const at::Tensor coarse = (c.gt_pair / 32).round() * 32;
  const at::Tensor fine = (c.gt_pair / 4).round() * 4;
  for (const auto kind : {SegSurrogate::cross_entropy, SegSurrogate::kl, SegSurrogate::focal}) {
    const auto tc = scorer.terms(coarse, gt, {kind, 1.0, 2.0});
    const auto tf = scorer.terms(fine, gt, {kind, 1.0, 2.0});
    EXPECT_GT(tc.seg_surrogate.item<double>(), tf.seg_surrogate.item<double>());
    EXPECT_GT(tc.pose_distortion.item<double>(), tf.pose_distortion.item<double>());
    EXPECT_GT(tc.seg_distortion.item<double>(), 0.0);
    EXPECT_GT(tc.true_distortion(), tf.true_distortion());
  }
}

}  // namespace
