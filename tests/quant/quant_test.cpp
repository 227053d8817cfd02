// Tensor quantizers: quantize -> dequantize reproduces each header's written formula bit for bit
// (recomputed here independently), codes stay in range, errors stay within half a step, and
// adversarial inputs (empty, one value, constants, zeros, subnormals, extremes, 1M values) behave.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/quant/block_fp.hpp"
#include "tac/quant/fp4.hpp"
#include "tac/quant/half.hpp"
#include "tac/quant/int_quant.hpp"

namespace q = tac::quant;

namespace {

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

std::vector<std::vector<float>> inputs() {
  std::mt19937 rng(4);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::uniform_real_distribution<float> uniform(-3.0f, 7.0f);
  std::vector<std::vector<float>> out = {
      {},
      {0.25f},
      {-1.5f},
      std::vector<float>(64, 0.0f),
      std::vector<float>(64, -2.0f),
      std::vector<float>(96, 3.0f),
      {1e-45f, -1e-45f, 0.0f, 1e-44f},                      // subnormals
      {3e38f, -3e38f, 1.0f, -1e-30f},                        // extremes (symmetric only)
      {0.0f, 1.0f, 0.5f, 0.25f, -0.125f, 6.0f, -6.0f, 3.0f}, // exact levels
  };
  std::vector<float> n(4096), u(4096), big(1 << 20);
  for (auto& v : n) v = normal(rng);
  for (auto& v : u) v = uniform(rng);
  for (auto& v : big) v = normal(rng) * (1 + int(rng() % 8));
  out.push_back(n);
  out.push_back(u);
  out.push_back(big);
  return out;
}

// The formula of int_quant.hpp, written out again.
std::vector<float> int_formula(const std::vector<float>& x, const q::IntQuantSpec& s, std::size_t channels,
                               const q::IntQuantized& got) {
  const std::size_t L = x.size() / channels;
  std::vector<float> out(x.size());
  for (std::size_t c = 0; c < channels; ++c) {
    float scale;
    std::int32_t zp = 0, lo_q, hi_q;
    if (s.symmetric) {
      const std::int32_t qmax = (1 << (s.bits - 1)) - 1;
      float m = 0;
      for (std::size_t i = 0; i < L; ++i) m = std::max(m, std::fabs(x[c * L + i]));
      scale = m > 0 ? m / float(qmax) : 1.0f;
      if (!(scale > 0)) scale = 1.0f;
      lo_q = -qmax;
      hi_q = qmax;
    } else {
      const std::int32_t qmax = (1 << s.bits) - 1;
      float lo = 0, hi = 0;
      for (std::size_t i = 0; i < L; ++i) lo = std::min(lo, x[c * L + i]), hi = std::max(hi, x[c * L + i]);
      scale = hi > lo ? (hi - lo) / float(qmax) : 1.0f;
      if (!(scale > 0)) scale = 1.0f;
      zp = std::clamp(std::int32_t(std::nearbyint(-lo / scale)), 0, qmax);
      lo_q = 0;
      hi_q = qmax;
    }
    EXPECT_EQ(std::bit_cast<std::uint32_t>(got.scales[c]), std::bit_cast<std::uint32_t>(scale));
    EXPECT_EQ(got.zero_points[c], zp);
    for (std::size_t i = 0; i < L; ++i) {
      const std::int32_t code = std::clamp(std::int32_t(std::nearbyint(x[c * L + i] / scale)) + zp, lo_q, hi_q);
      EXPECT_EQ(got.q[c * L + i], code);
      out[c * L + i] = float(code - zp) * scale;
    }
  }
  return out;
}

}  // namespace

TEST(Quant, IntegerQuantizersFollowTheirFormulaBitForBit) {
  for (const auto& x : inputs())
    for (const int bits : {8, 4})
      for (const bool symmetric : {true, false})
        for (const bool per_channel : {false, true}) {
          const q::IntQuantSpec spec{bits, symmetric, per_channel};
          const std::size_t channels = per_channel && x.size() % 4 == 0 && !x.empty() ? 4 : 1;
          // hi - lo of a channel holding both 3e38 and -3e38 overflows float32: refused.
          const bool overflows = !symmetric && channels == 1 && !x.empty() && x[0] == 3e38f;
          if (overflows) {
            EXPECT_THROW((void)q::quantize_int(x, spec, channels), tac::Error);
            continue;
          }
          const auto got = q::quantize_int(x, spec, channels);
          const auto back = q::dequantize(got);
          EXPECT_TRUE(bitwise_equal(back, int_formula(x, spec, got.channels, got)))
              << x.size() << " values, " << bits << " bits, symmetric " << symmetric << ", per channel " << per_channel;
          // Within half a step wherever the value is inside the representable range.
          for (std::size_t i = 0; i < x.size(); ++i) {
            const float scale = got.scales[i / got.channel_length];
            EXPECT_LE(std::fabs(x[i] - back[i]), 0.5f * scale * 1.0001f + 1e-30f) << i;
          }
          if (!symmetric)  // zero is exact
            for (std::size_t i = 0; i < x.size(); ++i)
              if (x[i] == 0.0f) {
                EXPECT_EQ(back[i], 0.0f);
              }
        }
}

TEST(Quant, IntegerQuantizerRefusesBadInput) {
  const std::vector<float> nan = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_THROW((void)q::quantize_int(nan, {}), tac::Error);
  const std::vector<float> five(5, 1.0f);
  try {
    (void)q::quantize_int(five, {8, true, true}, 2);
    FAIL() << "accepted 5 values in 2 channels";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
  }
  EXPECT_THROW((void)q::quantize_int(five, {6, true, false}), tac::Error);
}

TEST(Quant, HalfConversionIsExactAndRoundsToNearestEven) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const float f = q::half_to_float(std::uint16_t(h));
    EXPECT_EQ(std::bit_cast<std::uint32_t>(f), std::bit_cast<std::uint32_t>(tac::io::half_to_float(std::uint16_t(h)))) << h;
    if (std::isnan(f)) continue;
    EXPECT_EQ(q::float_to_half(f), h) << h;
    // The midpoint to the next half (same sign, finite) rounds to the even one of the two.
    if ((h & 0x7FFF) < 0x7BFF) {
      const float next = q::half_to_float(std::uint16_t(h + 1));
      const float mid = float((double(f) + double(next)) / 2);
      EXPECT_EQ(q::float_to_half(mid), (h & 1) ? h + 1 : h) << h;
    }
  }
  EXPECT_EQ(q::float_to_half(1e6f), 0x7C00);  // overflow to infinity
  EXPECT_EQ(q::float_to_half(1e-9f), 0x0000);  // underflow to zero
}

TEST(Quant, Fp4MatchesTheReferenceRoundTripAndItsFormula) {
  for (const auto& x : inputs()) {
    for (const bool f16 : {false, true}) {
      const q::Fp4Spec spec{32, f16};
      if (f16 && !x.empty() && x[0] == 3e38f) {  // a block scale beyond binary16 is refused
        EXPECT_THROW((void)q::quantize_fp4(x, spec), tac::Error);
        continue;
      }
      const auto got = q::quantize_fp4(x, spec);
      ASSERT_EQ(got.scales.size(), (x.size() + 31) / 32);
      const auto back = q::dequantize(got);
      // The formula: (sign ? -level : level) * scale, codes in range.
      std::vector<float> formula(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        ASSERT_LT(got.codes[i], 16);
        const float level = q::kFp4Levels[got.codes[i] & 7];
        formula[i] = ((got.codes[i] & 8) ? -level : level) * got.scales[i / 32];
      }
      EXPECT_TRUE(bitwise_equal(back, formula));
      if (f16) {
        for (const float s : got.scales) EXPECT_EQ(q::half_to_float(q::float_to_half(s)), s);
      } else {
        // With float32 scales: the maskgen reference round trip, bit for bit.
        auto reference = x;
        tac::codec::maskgen::fp4_round_trip(reference);
        EXPECT_TRUE(bitwise_equal(back, reference)) << x.size() << " values";
      }
    }
  }
  const std::vector<float> huge = {1e30f};
  EXPECT_THROW((void)q::quantize_fp4(huge, {32, true}), tac::Error);  // scale beyond binary16
  EXPECT_THROW((void)q::quantize_fp4(huge, {0, false}), tac::Error);
}

TEST(Quant, NibblesPackAndUnpack) {
  const std::vector<std::uint8_t> codes = {1, 15, 8, 0, 7};
  const auto packed = q::pack_nibbles(codes);
  ASSERT_EQ(packed.size(), 3u);
  EXPECT_EQ(packed[0], 0x1F);  // first value in the high nibble
  EXPECT_EQ(q::unpack_nibbles(packed, codes.size()), codes);
  EXPECT_THROW((void)q::unpack_nibbles(packed, 7), tac::Error);
}

TEST(Quant, BlockFloatingPointFollowsItsFormulaAndIsIdempotent) {
  for (const auto& x : inputs())
    for (const int bits : {8, 4, 12})
      for (const std::size_t block : {std::size_t(1), std::size_t(16), std::size_t(33)}) {
        const q::BlockFpSpec spec{block, bits};
        const auto got = q::quantize_block_fp(x, spec);
        const auto back = q::dequantize(got);
        const std::int32_t qmax = (1 << (bits - 1)) - 1;
        std::vector<float> formula(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
          ASSERT_LE(std::abs(std::int32_t(got.mantissas[i])), qmax);
          const int e = got.exponents[i / block];
          formula[i] = std::ldexp(float(got.mantissas[i]), e);
          // Within half a step of 2^e (a clamped maximum: within one step).
          if (std::fpclassify(formula[i]) != FP_SUBNORMAL) {
            EXPECT_LE(std::fabs(double(x[i]) - double(back[i])), std::ldexp(1.0, e)) << i;
          }
        }
        EXPECT_TRUE(bitwise_equal(back, formula));
        // Values already on the grid come back unchanged (same exponents, same mantissas).
        const auto again = q::quantize_block_fp(back, spec);
        EXPECT_TRUE(bitwise_equal(q::dequantize(again), back)) << x.size() << " values, " << bits << " bits";
      }
  const std::vector<float> inf = {std::numeric_limits<float>::infinity()};
  EXPECT_THROW((void)q::quantize_block_fp(inf, {}), tac::Error);
  EXPECT_THROW((void)q::quantize_block_fp(inf, {16, 1}), tac::Error);
}
