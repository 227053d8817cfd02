// Quantizers: on adversarial and random tensors (empty, one value, all equal, zeros, subnormals,
// huge values, skewed, uniform, 10 MB), quantize -> dequantize reproduces each header's written
// formula bit for bit — recomputed here independently (own half-even rounding, brute-force
// nearest level and exponent search) — stays within the quantization error bound, and bad specs
// or damaged tensors are refused with the right error kind.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>

#include "support/error_kind.hpp"
#include "tac/quant/affine.hpp"
#include "tac/quant/block_float.hpp"
#include "tac/quant/float16.hpp"
#include "tac/quant/fp4_e2m1.hpp"

namespace {
using namespace tac::quant;

struct NamedTensor {
  std::string name;
  std::vector<float> values;
};

std::vector<float> normal(std::size_t n, float sigma, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

std::vector<NamedTensor> tensors() {
  std::vector<NamedTensor> t;
  t.push_back({"empty", {}});
  t.push_back({"one", {0.37f}});
  t.push_back({"one_negative", {-2.5f}});
  t.push_back({"all_equal", std::vector<float>(96, 1.25f)});
  t.push_back({"all_equal_negative", std::vector<float>(96, -0.75f)});
  t.push_back({"zeros", std::vector<float>(64, 0.0f)});
  t.push_back({"negative_zeros", std::vector<float>(64, -0.0f)});
  std::vector<float> subnormal(64);
  for (std::size_t i = 0; i < subnormal.size(); ++i)
    subnormal[i] = std::ldexp(static_cast<float>(i % 7) - 3.0f, -140);
  t.push_back({"subnormal", subnormal});
  std::vector<float> huge = normal(64, 1.0f, 3);
  for (auto& x : huge) x *= 1e30f;
  t.push_back({"huge", huge});
  std::vector<float> skewed(4096, 0.0f);
  std::mt19937 rng(5);
  for (auto& x : skewed)
    if (rng() % 50 == 0) x = std::ldexp(static_cast<float>(rng() % 1000) - 500.0f, -3);
  t.push_back({"skewed", skewed});
  std::uniform_real_distribution<float> uniform(-3.0f, 1.0f);
  std::vector<float> u(4096);
  for (auto& x : u) x = uniform(rng);
  t.push_back({"uniform_offset", u});
  t.push_back({"normal", normal(4096, 0.05f, 9)});
  // Values on exact quantization midpoints for the tie rules.
  t.push_back({"ties", {6.0f, 0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, -0.25f, -5.0f, 0.5f, 2.0f}});
  return t;
}

std::optional<tac::ErrorKind> kind_of(auto&& f) {
  const auto e = tac::test::error_of(f);
  return e ? std::optional(e->kind()) : std::nullopt;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Round half to even without the FPU's rounding mode.
template <typename T>
T half_even(T v) {
  const T f = std::floor(v);
  const T frac = v - f;  // exact for |v| < 2^(mantissa digits)
  if (frac > T(0.5)) return f + 1;
  if (frac < T(0.5)) return f;
  return std::fmod(f, T(2)) == 0 ? f : f + 1;
}

// affine.hpp's formula, written out.
std::vector<float> affine_formula(const std::vector<float>& x, const AffineSpec& s) {
  std::vector<float> out(x.size());
  const std::size_t run = x.size() / s.channels;
  const float lo_code = s.symmetric ? -static_cast<float>((1 << (s.bits - 1)) - 1) : 0.0f;
  const float hi_code = s.symmetric ? static_cast<float>((1 << (s.bits - 1)) - 1) : static_cast<float>((1 << s.bits) - 1);
  for (std::size_t c = 0; c < s.channels; ++c) {
    float scale = 1.0f, zp = 0.0f;
    float mn = 0.0f, mx = 0.0f, ma = 0.0f;
    for (std::size_t i = c * run; i < (c + 1) * run; ++i) {
      mn = std::min(mn, x[i]);
      mx = std::max(mx, x[i]);
      ma = std::max(ma, std::fabs(x[i]));
    }
    if (s.symmetric && ma > 0.0f) scale = ma / hi_code;
    if (!s.symmetric && mx > mn) scale = (mx - mn) / hi_code;
    if (!(scale > 0.0f)) scale = 1.0f;
    if (!s.symmetric) zp = std::min(std::max(half_even(-mn / scale), 0.0f), hi_code);
    for (std::size_t i = c * run; i < (c + 1) * run; ++i) {
      const float q = std::min(std::max(half_even(x[i] / scale) + zp, lo_code), hi_code);
      out[i] = (q - zp) * scale;  // q and zp are small integers: q - zp is exact
    }
  }
  return out;
}

std::vector<AffineSpec> affine_specs(std::size_t size) {
  std::vector<AffineSpec> specs;
  for (int bits : {8, 4})
    for (bool symmetric : {true, false})
      for (std::size_t channels : {std::size_t{1}, std::size_t{4}})
        if (channels == 1 || (size > 0 && size % channels == 0)) specs.push_back({bits, symmetric, channels});
  return specs;
}

TEST(AffineQuant, DequantizeIsTheWrittenFormulaBitForBit) {
  for (const auto& t : tensors())
    for (const auto& spec : affine_specs(t.values.size())) {
      const auto q = quantize_affine(t.values, spec);
      ASSERT_EQ(q.codes.size(), t.values.size());
      const auto back = dequantize_affine(q);
      EXPECT_TRUE(same_bits(back, affine_formula(t.values, spec)))
          << t.name << " bits " << spec.bits << (spec.symmetric ? " sym" : " asym") << " channels " << spec.channels;
      const std::size_t run = t.values.empty() ? 0 : t.values.size() / spec.channels;
      for (std::size_t i = 0; i < t.values.size(); ++i) {
        const float scale = q.scales[i / run];
        // A subnormal scale carries too few bits for the bound (max / qmax is not qmax steps).
        if (!std::isnormal(scale)) continue;
        // Half a step, plus the float32 rounding of x / scale and of q * scale.
        EXPECT_LE(std::fabs(back[i] - t.values[i]), scale * 0.5f * (1.0f + 1e-5f) + std::fabs(t.values[i]) * 1e-6f + std::numeric_limits<float>::denorm_min())
            << t.name << " at " << i;
      }
    }
}

TEST(AffineQuant, CodesStayInRangeAndZeroIsExact) {
  const auto x = normal(1000, 2.0f, 11);
  for (const auto& spec : affine_specs(x.size())) {
    const auto q = quantize_affine(x, spec);
    const std::int32_t lo = spec.symmetric ? -((1 << (spec.bits - 1)) - 1) : 0;
    const std::int32_t hi = spec.symmetric ? (1 << (spec.bits - 1)) - 1 : (1 << spec.bits) - 1;
    for (const auto c : q.codes) {
      EXPECT_GE(c, lo);
      EXPECT_LE(c, hi);
    }
    std::vector<float> with_zero = x;
    with_zero[0] = 0.0f;
    EXPECT_EQ(dequantize_affine(quantize_affine(with_zero, spec))[0], 0.0f);
  }
}

TEST(AffineQuant, TenMegabytesPerChannel) {
  const auto x = normal(std::size_t{10} << 18, 0.1f, 13);  // 2.6 M floats = 10 MB
  const AffineSpec spec{8, true, 256};
  EXPECT_TRUE(same_bits(dequantize_affine(quantize_affine(x, spec)), affine_formula(x, spec)));
}

TEST(AffineQuant, RefusesBadSpecsAndDamagedTensors) {
  const std::vector<float> x(12, 1.0f);
  EXPECT_EQ(kind_of([&] { quantize_affine(x, {3, true, 1}); }), tac::ErrorKind::usage);
  EXPECT_EQ(kind_of([&] { quantize_affine(x, {8, true, 0}); }), tac::ErrorKind::usage);
  EXPECT_EQ(kind_of([&] { quantize_affine(x, {8, true, 5}); }), tac::ErrorKind::usage);
  auto nan = x;
  nan[7] = std::numeric_limits<float>::quiet_NaN();
  const auto e = tac::test::error_of([&] { quantize_affine(nan, {8, true, 1}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::corrupt_input);
  EXPECT_NE(std::string(e->what()).find("value 7"), std::string::npos) << e->what();
  auto q = quantize_affine(x, {4, true, 2});
  q.codes[3] = 8;  // outside -7..7
  EXPECT_EQ(kind_of([&] { dequantize_affine(q); }), tac::ErrorKind::corrupt_input);
  q = quantize_affine(x, {8, false, 2});
  q.scales.pop_back();
  EXPECT_EQ(kind_of([&] { dequantize_affine(q); }), tac::ErrorKind::corrupt_input);
  q = quantize_affine(x, {8, true, 1});
  q.zero_points[0] = 3;  // symmetric tensors have no zero point
  EXPECT_EQ(kind_of([&] { dequantize_affine(q); }), tac::ErrorKind::corrupt_input);
}

TEST(Int4Packing, RoundTripsSignedAndUnsignedCodesOfEveryLength) {
  std::mt19937 rng(17);
  for (std::size_t n : {0, 1, 2, 3, 16, 101}) {
    std::vector<std::int32_t> s(n), u(n);
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = static_cast<std::int32_t>(rng() % 16) - 8;
      u[i] = static_cast<std::int32_t>(rng() % 16);
    }
    const auto ps = pack_int4(s);
    EXPECT_EQ(ps.size(), (n + 1) / 2);
    EXPECT_EQ(unpack_int4(ps, n, true), s);
    EXPECT_EQ(unpack_int4(pack_int4(u), n, false), u);
  }
  EXPECT_EQ(pack_int4(std::vector<std::int32_t>{1, 2, 3}), (std::vector<std::uint8_t>{0x21, 0x03}));
  EXPECT_EQ(kind_of([] { unpack_int4(std::vector<std::uint8_t>{0, 0}, 5, true); }), tac::ErrorKind::corrupt_input);
}

// fp4_e2m1.hpp's formula, written out (nearest magnitude by distance, the lower on a tie).
std::vector<float> fp4_formula(const std::vector<float>& x, std::size_t block, Fp4Scale format) {
  std::vector<float> out(x.size());
  for (std::size_t start = 0; start < x.size(); start += block) {
    const std::size_t end = std::min(x.size(), start + block);
    float ma = 0.0f;
    for (std::size_t i = start; i < end; ++i) ma = std::max(ma, std::fabs(x[i]));
    float scale;
    if (format == Fp4Scale::f32) {
      scale = ma / 6.0f == 0.0f ? 1.0f : ma / 6.0f;
    } else {
      std::uint16_t bits = ma == 0.0f ? 0 : float_to_half(ma / 6.0f);
      if (ma != 0.0f && (bits & 0x7fff) == 0) bits = 1;
      if ((bits & 0x7fff) >= 0x7c00) bits = 0x7bff;
      scale = half_to_float(bits);
    }
    for (std::size_t i = start; i < end; ++i) {
      int best = 0;
      if (scale > 0.0f) {
        const float a = std::fabs(x[i]) / scale;
        if (a >= 6.0f) best = 7;  // "a > 6 gives 6" (far beyond, the distances are all equal in float)
        for (int k = 1; k < 8 && best != 7; ++k)
          if (std::fabs(a - kE2M1Magnitudes[k]) < std::fabs(a - kE2M1Magnitudes[best])) best = k;
      }
      const float m = kE2M1Magnitudes[best];
      out[i] = (x[i] < 0.0f ? -m : m) * scale;
    }
  }
  return out;
}

TEST(Fp4Quant, DequantizeIsTheWrittenFormulaBitForBit) {
  for (const auto format : {Fp4Scale::f16, Fp4Scale::f32})
    for (const auto& t : tensors())
      for (std::size_t block : {std::size_t{32}, std::size_t{16}, std::size_t{7}, std::size_t{1}}) {
        const auto q = quantize_fp4(t.values, block, format);
        EXPECT_EQ(q.scales.size(), (t.values.size() + block - 1) / block);
        EXPECT_TRUE(same_bits(dequantize_fp4(q), fp4_formula(t.values, block, format)))
            << t.name << " block " << block << (format == Fp4Scale::f16 ? " f16" : " f32");
      }
  const auto big = normal(std::size_t{10} << 18, 0.02f, 19);
  EXPECT_TRUE(same_bits(dequantize_fp4(quantize_fp4(big)), fp4_formula(big, 32, Fp4Scale::f16)));
}

TEST(Fp4Quant, TiesGoToTheLowerMagnitudeAndTheBlockMaxIsExactAtSix) {
  // One block whose max is 6: the scale is exactly 1, so every value is its own magnitude.
  const std::vector<float> x = {6.0f, 0.25f, 1.25f, 2.5f, 5.0f, -3.5f, 1.75f};
  const auto back = dequantize_fp4(quantize_fp4(x, 32));
  EXPECT_EQ(back, (std::vector<float>{6.0f, 0.0f, 1.0f, 2.0f, 4.0f, -3.0f, 1.5f}));
}

TEST(Fp4Quant, RefusesDamagedTensors) {
  EXPECT_EQ(kind_of([] { quantize_fp4(std::vector<float>{1.0f}, 0); }), tac::ErrorKind::usage);
  auto q = quantize_fp4(normal(40, 1.0f, 23), 32);
  auto bad = q;
  bad.codes[0] = 16;
  EXPECT_EQ(kind_of([&] { dequantize_fp4(bad); }), tac::ErrorKind::corrupt_input);
  bad = q;
  bad.scales.pop_back();
  EXPECT_EQ(kind_of([&] { dequantize_fp4(bad); }), tac::ErrorKind::corrupt_input);
  bad = q;
  bad.scales[1] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(kind_of([&] { dequantize_fp4(bad); }), tac::ErrorKind::corrupt_input);
  bad = q;
  bad.scales[0] = 0.1f;  // not a binary16 value
  EXPECT_EQ(kind_of([&] { dequantize_fp4(bad); }), tac::ErrorKind::corrupt_input);
  bad.scale_format = Fp4Scale::f32;  // any finite float32 scale is fine there
  EXPECT_NO_THROW(dequantize_fp4(bad));
}

// block_float.hpp's formula, written out (exponent by search from the bottom of the range).
std::vector<float> block_float_formula(const std::vector<float>& x, std::size_t block, int bits) {
  const double qmax = std::ldexp(1.0, bits - 1) - 1.0;
  std::vector<float> out(x.size());
  for (std::size_t start = 0; start < x.size(); start += block) {
    const std::size_t end = std::min(x.size(), start + block);
    double ma = 0.0;
    for (std::size_t i = start; i < end; ++i) ma = std::max(ma, std::fabs(static_cast<double>(x[i])));
    int e = -128;
    while (ma > qmax * std::ldexp(1.0, e)) ++e;
    for (std::size_t i = start; i < end; ++i) {
      const double q = std::min(std::max(half_even(static_cast<double>(x[i]) * std::ldexp(1.0, -e)), -qmax), qmax);
      out[i] = static_cast<float>((q + 0.0) * std::ldexp(1.0, e));  // an integer code: -0 is 0
    }
  }
  return out;
}

TEST(BlockFloatQuant, DequantizeIsTheWrittenFormulaBitForBit) {
  for (const auto& t : tensors())
    for (std::size_t block : {std::size_t{16}, std::size_t{5}})
      for (int bits : {8, 4, 12}) {
        const auto q = quantize_block_float(t.values, block, bits);
        const auto back = dequantize_block_float(q);
        EXPECT_TRUE(same_bits(back, block_float_formula(t.values, block, bits))) << t.name << " block " << block << " bits " << bits;
        for (std::size_t i = 0; i < t.values.size(); ++i) {
          const float step = std::ldexp(1.0f, q.exponents[i / block]);
          EXPECT_LE(std::fabs(back[i] - t.values[i]), step * 0.5f) << t.name << " at " << i;
        }
      }
}

TEST(BlockFloatQuant, RefusesBadShapesAndDamagedTensors) {
  const std::vector<float> x(20, 0.5f);
  EXPECT_EQ(kind_of([&] { quantize_block_float(x, 0, 8); }), tac::ErrorKind::usage);
  EXPECT_EQ(kind_of([&] { quantize_block_float(x, 16, 1); }), tac::ErrorKind::usage);
  auto q = quantize_block_float(x, 16, 8);
  auto bad = q;
  bad.mantissas[2] = 128;
  EXPECT_EQ(kind_of([&] { dequantize_block_float(bad); }), tac::ErrorKind::corrupt_input);
  bad = q;
  bad.exponents.push_back(0);
  EXPECT_EQ(kind_of([&] { dequantize_block_float(bad); }), tac::ErrorKind::corrupt_input);
  bad = quantize_block_float(x, 16, 16);
  bad.mantissas[0] = 32767;
  bad.exponents[0] = 127;  // 32767 x 2^127 overflows float32
  EXPECT_EQ(kind_of([&] { dequantize_block_float(bad); }), tac::ErrorKind::corrupt_input);
  const std::vector<float> top = {std::numeric_limits<float>::max()};
  EXPECT_EQ(kind_of([&] { quantize_block_float(top, 16, 2); }), tac::ErrorKind::limit_exceeded);
}

}  // namespace
