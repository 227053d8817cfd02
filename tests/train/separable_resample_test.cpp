// The separable resample of the tune loop (issue #13 speed): its forward agrees with ATen's
// bicubic upsample and with the torch-free §1.3 bilinear resize, its backward is the exact
// adjoint of its forward (<g, A x> = <A^T g, x>) and agrees with ATen's bicubic backward, it is
// the same for any thread count, and bad input is refused.
//
// Tolerances: values are 0..255 in float32; two float32 sums of 2-4 taps in different orders
// (or with fused multiply-adds) differ by a few ulps of 255, so 1e-3 absolute. The adjoint
// identity is checked in double from float32 results: relative 1e-5 (sums of ~1e5 products).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <vector>

#include "tac/core/error.hpp"
#include "tac/image/bilinear_resize.hpp"
#include "tac/train/separable_resample.hpp"

namespace {

using tac::train::SeparableResample;

at::Tensor random_image(std::int64_t n, std::int64_t h, std::int64_t w, std::uint64_t seed) {
  at::manual_seed(seed);
  return at::rand({n, h, w, 3}, at::kFloat) * 255.0;
}

// <g, resample(x)> and <grad_x, x> with grad_x = backward(g): equal for a linear map's adjoint.
void expect_adjoint(const SeparableResample& r, std::int64_t h, std::int64_t w, std::uint64_t seed) {
  const at::Tensor x = random_image(2, h, w, seed).set_requires_grad(true);
  const at::Tensor y = r(x);
  const at::Tensor g = at::randn(y.sizes(), at::kFloat);
  const at::Tensor gx = torch::autograd::grad({y}, {x}, {g})[0];
  const double lhs = (g.to(at::kDouble) * y.detach().to(at::kDouble)).sum().item<double>();
  const double rhs = (gx.to(at::kDouble) * x.detach().to(at::kDouble)).sum().item<double>();
  EXPECT_NEAR(lhs, rhs, 1e-5 * std::abs(lhs) + 1e-3) << h << "x" << w;
}

TEST(SeparableResample, BicubicForwardAndBackwardMatchAten) {
  for (const auto& [h, w, oh, ow] : {std::array{48, 64, 109, 145}, std::array{6, 8, 874 / 8, 1164 / 8}, std::array{5, 3, 2, 7}}) {
    const SeparableResample r = SeparableResample::bicubic(h, w, oh, ow);
    const at::Tensor x = random_image(3, h, w, 11).set_requires_grad(true);
    const at::Tensor ours = r(x);
    const at::Tensor xn = x.detach().permute({0, 3, 1, 2}).contiguous().set_requires_grad(true);
    const at::Tensor aten = at::upsample_bicubic2d(xn, {oh, ow}, /*align_corners=*/false);
    EXPECT_LE((ours.permute({0, 3, 1, 2}) - aten).abs().max().item<double>(), 1e-3) << h << "x" << w << "->" << oh << "x" << ow;
    const at::Tensor g = at::randn(ours.sizes(), at::kFloat);
    const at::Tensor g_ours = torch::autograd::grad({ours}, {x}, {g})[0];
    const at::Tensor g_aten = torch::autograd::grad({aten}, {xn}, {g.permute({0, 3, 1, 2}).contiguous()})[0];
    const double scale = g_aten.abs().max().item<double>();
    EXPECT_LE((g_ours.permute({0, 3, 1, 2}) - g_aten).abs().max().item<double>(), 1e-5 * scale + 1e-6);
  }
}

TEST(SeparableResample, ContestBilinearMatchesTheTorchFreeResize) {
  const int h = 874, w = 1164;
  const SeparableResample r = SeparableResample::contest_bilinear(h, w);
  const at::Tensor x = random_image(1, h, w, 5);
  const at::Tensor ours = r(x).permute({0, 3, 1, 2}).contiguous();  // (1, 3, 384, 512)
  const at::Tensor planar = x.permute({0, 3, 1, 2}).contiguous();
  std::vector<float> exact(3 * 384 * 512);
  tac::image::resize_bilinear_planar(planar.data_ptr<float>(), h, w, 3, exact.data(), 384, 512);
  const at::Tensor e = at::from_blob(exact.data(), {1, 3, 384, 512}, at::kFloat);
  EXPECT_LE((ours - e).abs().max().item<double>(), 1e-3);
}

TEST(SeparableResample, BackwardIsTheAdjointOfTheForward) {
  expect_adjoint(SeparableResample::contest_bilinear(874, 1164), 874, 1164, 1);
  expect_adjoint(SeparableResample::contest_bilinear(7, 3), 7, 3, 2);  // upsampling, clamped taps
  expect_adjoint(SeparableResample::bicubic(384 / 8, 512 / 8, 874 / 4, 1164 / 4), 384 / 8, 512 / 8, 3);
  expect_adjoint(SeparableResample::bicubic(9, 4, 3, 11), 9, 4, 4);  // down one axis, up the other
}

TEST(SeparableResample, SameResultForAnyThreadCount) {
  const SeparableResample r = SeparableResample::bicubic(48, 64, 874 / 4, 1164 / 4);
  const int threads = at::get_num_threads();
  auto run = [&](int t) {
    at::set_num_threads(t);
    const at::Tensor x = random_image(2, 48, 64, 9).set_requires_grad(true);
    const at::Tensor y = r(x);
    at::manual_seed(10);
    const at::Tensor gx = torch::autograd::grad({y}, {x}, {at::randn(y.sizes(), at::kFloat)})[0];
    return std::pair{y.detach(), gx};
  };
  const auto one = run(1), two = run(2);
  at::set_num_threads(threads);
  EXPECT_TRUE(at::equal(one.first, two.first));
  EXPECT_TRUE(at::equal(one.second, two.second));
}

// The dense form (what tensors off the CPU use) is the same map as the tap kernels.
TEST(SeparableResample, DenseFormAgreesWithTheTapKernels) {
  struct Case {
    SeparableResample resample;
    int h, w;
  };
  for (const auto& [r, h, w] : {Case{SeparableResample::bicubic(48, 64, 109, 145), 48, 64},
                                Case{SeparableResample::contest_bilinear(96, 128), 96, 128}}) {
    const at::Tensor x = random_image(2, h, w, 21).set_requires_grad(true);
    const at::Tensor taps = r(x), dense = r.dense(x);
    EXPECT_LE((taps - dense).abs().max().item<double>(), 1e-3);
    const at::Tensor g = at::randn(taps.sizes(), at::kFloat);
    const at::Tensor g_taps = torch::autograd::grad({taps}, {x}, {g})[0];
    const at::Tensor g_dense = torch::autograd::grad({dense}, {x}, {g})[0];
    EXPECT_LE((g_taps - g_dense).abs().max().item<double>(), 1e-5 * g_dense.abs().max().item<double>() + 1e-6);
  }
}

TEST(SeparableResample, BilinearWeightsAreConvexPairs) {
  for (const auto& [n_in, n_out] : {std::pair{874, 384}, std::pair{1164, 512}, std::pair{7, 3}, std::pair{3, 7}}) {
    const auto axis = tac::train::resample_axis(tac::image::bilinear_axis(n_in, n_out), n_in);
    ASSERT_EQ(axis.taps, 2);
    for (int o = 0; o < n_out; ++o) {
      EXPECT_NEAR(axis.weight[2 * o] + axis.weight[2 * o + 1], 1.0, 1e-6);
      EXPECT_GE(std::min(axis.weight[2 * o], axis.weight[2 * o + 1]), 0.0f);
    }
  }
}

TEST(SeparableResample, RefusesBadInput) {
  const SeparableResample r = SeparableResample::bicubic(4, 5, 8, 10);
  EXPECT_THROW((void)r(at::zeros({1, 4, 6, 3})), tac::Error);                 // wrong width
  EXPECT_THROW((void)r(at::zeros({4, 5, 3})), tac::Error);                    // not 4-D
  EXPECT_THROW((void)r(at::zeros({1, 4, 5, 3}, at::kDouble)), tac::Error);    // not float32
  tac::train::ResampleAxis bad{4, 2, 2, {0, 1, 2, 4}, {0.5f, 0.5f, 0.5f, 0.5f}};  // index 4 of 4
  tac::train::ResampleAxis ok{4, 2, 2, {0, 1, 2, 3}, {0.5f, 0.5f, 0.5f, 0.5f}};
  EXPECT_THROW(SeparableResample(bad, ok), tac::Error);
  tac::train::ResampleAxis short_axis{4, 2, 2, {0, 1, 2}, {0.5f, 0.5f, 0.5f}};
  EXPECT_THROW(SeparableResample(ok, short_axis), tac::Error);
}

}  // namespace
