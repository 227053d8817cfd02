// The rate term's estimate (issue #13): bits of integer levels under a discretized Laplace fitted
// to them, checked against the empirical entropy of Laplace samples and against its closed-form
// gradient; on the hnerv95 fixture, the estimate of the latents is positive, has gradients, and
// drops when the latents stop changing from pair to pair.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>
#include <map>

#include "support/fixtures.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/train/hnerv95_torch_decoder.hpp"
#include "tac/train/rate_estimate.hpp"

namespace {

// Integer samples of a discretized Laplace of scale b (inverse CDF of uniform draws, rounded).
at::Tensor laplace_levels(std::int64_t n, double b, std::uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor u = at::rand({n}, at::kDouble) - 0.5;
  return at::round(-b * at::sign(u) * at::log1p(-2.0 * u.abs())).to(at::kFloat);
}

double empirical_entropy_bits(const at::Tensor& levels) {
  std::map<int, double> counts;
  const at::Tensor c = levels.contiguous();
  for (std::int64_t i = 0; i < c.numel(); ++i) counts[static_cast<int>(c.data_ptr<float>()[i])] += 1;
  double bits = 0;
  const double n = static_cast<double>(c.numel());
  for (const auto& [level, count] : counts) bits -= count * std::log2(count / n);
  return bits;
}

}  // namespace

TEST(RateEstimate, MatchesTheEmpiricalEntropyOfLaplaceLevels) {
  for (const double b : {0.7, 3.0, 20.0}) {
    const at::Tensor k = laplace_levels(50000, b, 7);
    const double estimate = tac::train::laplace_bits(k).item<double>();
    const double entropy = empirical_entropy_bits(k);
    // The model is fitted to the data, so it is within a few percent of the order-0 entropy (and
    // never below it by more than sampling noise: a model cannot beat the empirical distribution).
    EXPECT_NEAR(estimate / entropy, 1.0, 0.03) << "b " << b;
    EXPECT_GT(estimate, 0.995 * entropy) << "b " << b;
  }
}

TEST(RateEstimate, GradientIsSignOverScaleAndZeroAtZero) {
  const at::Tensor k = at::tensor({-3.0f, -1.0f, 0.0f, 2.0f, 5.0f}).set_requires_grad(true);
  const at::Tensor bits = tac::train::laplace_bits(k);
  const at::Tensor g = torch::autograd::grad({bits}, {k})[0];
  const double b = 11.0 / 5.0;  // mean |k|
  const float expected[] = {-1, -1, 0, 1, 1};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(g[i].item<double>(), expected[i] / (b * std::log(2.0)), 1e-6) << i;
}

TEST(RateEstimate, PerColumnScalesAreEachColumnsOwn) {
  const at::Tensor a = laplace_levels(4000, 1.0, 1), b = laplace_levels(4000, 30.0, 2);
  const double together = tac::train::laplace_bits_per_column(at::stack({a, b}, 1)).item<double>();
  const double apart = tac::train::laplace_bits(a).item<double>() + tac::train::laplace_bits(b).item<double>();
  EXPECT_NEAR(together, apart, 1e-3 * apart);
  EXPECT_LT(together, tac::train::laplace_bits(at::cat({a, b})).item<double>());  // one shared scale fits worse
  EXPECT_THROW((void)tac::train::laplace_bits_per_column(a), tac::Error);
}

TEST(RateEstimate, Hnerv95LatentsCostBytesAndConstantLatentsCostLess) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto reader = tac::io::ZipReader::open(zip);
  tac::train::Hnerv95TorchDecoder decoder(tac::codec::hnerv95::parse_archive(reader.read(*reader.find("0.bin")), "0.bin"));
  decoder.latents().requires_grad_(true);
  const at::Tensor bytes = tac::train::hnerv95_rate_bytes(decoder, true, {});
  EXPECT_GT(bytes.item<double>(), 100.0);
  const at::Tensor g = torch::autograd::grad({bytes}, {decoder.latents()})[0];
  EXPECT_GT(g.abs().sum().item<double>(), 0.0);
  // Every pair's latents equal to the first pair's: all temporal deltas after the first row vanish.
  const c10::NoGradGuard no_grad;
  decoder.latents().copy_(decoder.latents().narrow(0, 0, 1).expand_as(decoder.latents()));
  EXPECT_LT(tac::train::hnerv95_rate_bytes(decoder, true, {}).item<double>(), 0.2 * bytes.item<double>());
  // Decoder tensors: named ones only, and an unknown name is a bug.
  EXPECT_GT(tac::train::hnerv95_rate_bytes(decoder, false, {decoder.weights().front().name}).item<double>(), 0.0);
  EXPECT_THROW((void)tac::train::hnerv95_rate_bytes(decoder, false, {"no.such.tensor"}), tac::Error);
}
