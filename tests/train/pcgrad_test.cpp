// PCGrad on hand-made gradients: a conflicting pair is projected as the formula says (each onto the
// other's normal plane, from the originals), a non-conflicting pair is plainly summed.
#include "tac/train/pcgrad.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "support/error_kind.hpp"

namespace {

std::vector<double> values(const at::Tensor& t) {
  const auto c = t.to(at::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

// Two parameters (a 2-vector and a scalar) seen as one 3-vector.
TEST(Pcgrad, ConflictingGradientsAreProjectedOntoEachOthersNormalPlane) {
  const std::vector<at::Tensor> g1{at::tensor({1.0f, 0.0f}), at::tensor({1.0f})};   // (1, 0, 1)
  const std::vector<at::Tensor> g2{at::tensor({-1.0f, 1.0f}), at::tensor({0.0f})};  // (-1, 1, 0)
  const auto r = tac::train::pcgrad_combine(g1, g2);
  // dot = -1, |g1|^2 = 2, |g2|^2 = 2: g1' = g1 + g2 / 2 = (0.5, 0.5, 1), g2' = g2 + g1 / 2 = (-0.5, 1, 0.5)
  EXPECT_DOUBLE_EQ(r.dot, -1.0);
  EXPECT_TRUE(r.projected);
  ASSERT_EQ(r.combined.size(), 2u);
  EXPECT_EQ(values(r.combined[0]), (std::vector<double>{0.0, 1.5}));
  EXPECT_EQ(values(r.combined[1]), (std::vector<double>{1.5}));
  EXPECT_EQ(r.combined[0].scalar_type(), at::kFloat);
  // Each projected part is orthogonal to the other original: g1' . g2 = 0 and g2' . g1 = 0.
  const double g1p[3] = {0.5, 0.5, 1}, g2p[3] = {-0.5, 1, 0.5}, a[3] = {1, 0, 1}, b[3] = {-1, 1, 0};
  EXPECT_DOUBLE_EQ(g1p[0] * b[0] + g1p[1] * b[1] + g1p[2] * b[2], 0.0);
  EXPECT_DOUBLE_EQ(g2p[0] * a[0] + g2p[1] * a[1] + g2p[2] * a[2], 0.0);
}

TEST(Pcgrad, AgreesWithTheFormulaOnRandomConflictingGradients) {
  at::manual_seed(7);
  const auto a = at::randn({5, 3}), b0 = at::randn({5, 3});
  const auto b = b0 - 2 * (a * b0).sum() / (a * a).sum() * a;  // reflect so that a . b < 0
  const double dot = (a.to(at::kDouble) * b.to(at::kDouble)).sum().item<double>();
  ASSERT_LT(dot, 0);
  const auto r = tac::train::pcgrad_combine({a}, {b});
  EXPECT_TRUE(r.projected);
  const auto ad = a.to(at::kDouble), bd = b.to(at::kDouble);
  const auto want = (ad - dot / (bd * bd).sum() * bd) + (bd - dot / (ad * ad).sum() * ad);
  EXPECT_TRUE(at::allclose(r.combined[0].to(at::kDouble), want, 1e-6, 1e-6));
}

TEST(Pcgrad, NonConflictingGradientsAreSummed) {
  const std::vector<at::Tensor> g1{at::tensor({1.0f, 2.0f})}, g2{at::tensor({3.0f, -1.0f})};  // dot = 1
  const auto r = tac::train::pcgrad_combine(g1, g2);
  EXPECT_FALSE(r.projected);
  EXPECT_DOUBLE_EQ(r.dot, 1.0);
  EXPECT_EQ(values(r.combined[0]), (std::vector<double>{4.0, 1.0}));
  // Orthogonal (dot 0) and a missing gradient (zeros) are not conflicts either.
  const auto r0 = tac::train::pcgrad_combine({at::tensor({1.0f, 0.0f})}, {at::tensor({0.0f, 1.0f})});
  EXPECT_FALSE(r0.projected);
  const auto r1 = tac::train::pcgrad_combine({at::tensor({1.0f, 0.0f})}, {at::Tensor()});
  EXPECT_FALSE(r1.projected);
  EXPECT_EQ(values(r1.combined[0]), (std::vector<double>{1.0, 0.0}));
}

TEST(Pcgrad, RefusesMismatchedInputs) {
  auto e = tac::test::error_of([] { tac::train::pcgrad_combine({at::zeros({2})}, {}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::internal);
  e = tac::test::error_of([] { tac::train::pcgrad_combine({at::zeros({2})}, {at::zeros({3})}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::internal);
}

}  // namespace
