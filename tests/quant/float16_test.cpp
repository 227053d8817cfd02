// binary16 conversions: every half survives half -> float -> half; float -> half rounds to the
// nearest half, ties to even, checked against an exhaustive search over all finite halves.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "tac/quant/float16.hpp"

namespace {
using tac::quant::float_to_half;
using tac::quant::half_to_float;

TEST(Float16, EveryHalfRoundTripsThroughFloat) {
  for (std::uint32_t h = 0; h < 0x10000u; ++h) {
    const auto bits = static_cast<std::uint16_t>(h);
    const float f = half_to_float(bits);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(half_to_float(float_to_half(f)))) << h;
      continue;
    }
    EXPECT_EQ(float_to_half(f), bits) << std::hex << h;
  }
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
}

// The nearest finite half by brute force (ties: even significand), or inf past the overflow point.
std::uint16_t nearest_half(float x) {
  const double v = std::fabs(static_cast<double>(x));
  const std::uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (v >= 65520.0) return static_cast<std::uint16_t>(sign | 0x7c00);  // 65504 + half an ulp (2^4) ties to inf (even)
  std::uint16_t best = 0;
  double best_err = std::numeric_limits<double>::infinity();
  for (std::uint16_t h = 0; h < 0x7c00; ++h) {
    const double err = std::fabs(static_cast<double>(half_to_float(h)) - v);
    if (err < best_err || (err == best_err && (h & 1u) == 0)) {
      best = h;
      best_err = err;
    }
  }
  return static_cast<std::uint16_t>(sign | best);
}

TEST(Float16, RoundsToNearestTiesToEven) {
  std::vector<float> probes = {0.0f, -0.0f, 1.0f, 1.0f + std::ldexp(1.0f, -11), 1.0f + 3 * std::ldexp(1.0f, -11),
                               65504.0f, 65519.0f, 65520.0f, 1e-8f, std::ldexp(1.0f, -25), std::ldexp(1.5f, -25),
                               std::ldexp(3.0f, -26), std::ldexp(1.0f, -14) * 0.99999f, -2.5e-5f, 3.14159f, 1e30f};
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> exponent(-28, 17);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  for (int i = 0; i < 300; ++i) probes.push_back((i % 2 ? -1.0f : 1.0f) * std::ldexp(mantissa(rng), exponent(rng)));
  for (const float x : probes) EXPECT_EQ(float_to_half(x), nearest_half(x)) << x;
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::numeric_limits<float>::quiet_NaN()))));
}

}  // namespace
