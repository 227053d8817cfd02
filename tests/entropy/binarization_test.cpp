// Integer binarization (significance / sign / greater-than-k / Exp-Golomb) with its context
// hooks: round trips across the int32 range, per-channel and order-1 contexts paying off.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "tac/entropy/binarization.hpp"

namespace {

using tac::ErrorKind;
using namespace tac::entropy;

std::vector<std::int32_t> laplace_values(std::size_t n, double scale, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> mag(1.0 / scale);
  std::vector<std::int32_t> v(n);
  for (auto& x : v) x = static_cast<std::int32_t>(mag(rng)) * ((rng() & 1) ? 1 : -1);
  return v;
}

TEST(Binarization, ExtremesRoundTripUnderEverySetting) {
  const std::vector<std::int32_t> values = {0, 1, -1, 2, -2, 3, 17, -17, 1000, -65536, 65535,
                                            std::numeric_limits<std::int32_t>::max(),
                                            std::numeric_limits<std::int32_t>::min(), 0, 0, 5};
  for (int k : {0, 1, 2, 16})
    for (int g : {0, 3, 16})
      for (bool adaptive : {true, false}) {
        IntegerStreamConfig c;
        c.binarization.greater_flags = k;
        c.binarization.golomb_order = g;
        c.binarization.adaptive_golomb_prefix = adaptive;
        const auto bytes = encode_signed_stream(values, c);
        EXPECT_EQ(decode_signed_stream(bytes, values.size(), c, "ext"), values) << k << " " << g << " " << adaptive;
      }
}

TEST(Binarization, UnsignedRoundTrip) {
  const std::vector<std::uint32_t> values = {0, 1, 2, 3, 100, 0xFFFFFFFFu, 0xFFFFFFFEu, 7};
  IntegerBinarization b;
  for (int g : {0, 5, 16}) {
    b.golomb_order = g;
    RangeEncoder e;
    IntegerContexts ce(b.rates);
    for (auto v : values) encode_unsigned(e, ce, b, v);
    const auto bytes = e.finish();
    RangeDecoder d(bytes, "u");
    IntegerContexts cd(b.rates);
    for (auto v : values) EXPECT_EQ(decode_unsigned(d, cd, b), v);
  }
}

TEST(Binarization, EmptyAndConstantStreams) {
  IntegerStreamConfig c;
  EXPECT_TRUE(decode_signed_stream(encode_signed_stream({}, c), 0, c, "empty").empty());
  const std::vector<std::int32_t> zeros(100000, 0);
  const auto bytes = encode_signed_stream(zeros, c);
  EXPECT_LT(bytes.size(), 100u);
  EXPECT_EQ(decode_signed_stream(bytes, zeros.size(), c, "zeros"), zeros);
}

TEST(Binarization, CodesLaplaceNearItsEntropy) {
  const auto v = laplace_values(200000, 3.0, 1);
  IntegerStreamConfig c;
  c.binarization.greater_flags = 4;
  const auto bytes = encode_signed_stream(v, c);
  std::map<std::int32_t, double> hist;
  for (auto x : v) hist[x] += 1;
  double bits = 0;
  for (auto& [x, n] : hist) bits -= n * std::log2(n / double(v.size()));
  EXPECT_LT(double(bytes.size()), bits / 8 * 1.03) << "within 3 % of the order-0 entropy";
  EXPECT_EQ(decode_signed_stream(bytes, v.size(), c, "laplace"), v);
}

TEST(Binarization, PerChannelContextsWinOnChannelsOfDifferentSpread) {
  std::vector<std::int32_t> v;
  for (int ch = 0; ch < 16; ++ch) {
    const auto part = laplace_values(4000, ch % 2 ? 0.3 : 20.0, 100 + ch);
    v.insert(v.end(), part.begin(), part.end());
  }
  IntegerStreamConfig shared;
  IntegerStreamConfig per_channel;
  per_channel.channel_length = 4000;
  const auto a = encode_signed_stream(v, shared);
  const auto b = encode_signed_stream(v, per_channel);
  EXPECT_LT(b.size(), a.size());
  EXPECT_EQ(decode_signed_stream(b, v.size(), per_channel, "ch"), v);
}

TEST(Binarization, OrderOneContextsWinOnCorrelatedMagnitudes) {
  // Runs of small and large values: the previous magnitude predicts the next.
  std::mt19937 rng(4);
  std::vector<std::int32_t> v;
  for (int run = 0; run < 400; ++run) {
    const auto part = laplace_values(100, run % 2 ? 0.2 : 30.0, rng());
    v.insert(v.end(), part.begin(), part.end());
  }
  IntegerStreamConfig order0;
  IntegerStreamConfig order1;
  order1.order1_classes = 4;
  const auto a = encode_signed_stream(v, order0);
  const auto b = encode_signed_stream(v, order1);
  EXPECT_LT(b.size(), a.size());
  EXPECT_EQ(decode_signed_stream(b, v.size(), order1, "o1"), v);
}

TEST(Binarization, HostileStreamsFailTyped) {
  IntegerStreamConfig c;
  c.binarization.adaptive_golomb_prefix = false;
  // All-0xFF bytes make every bypass prefix bit 1: the Exp-Golomb prefix must be cut off.
  std::vector<std::uint8_t> ones(64, 0xFE);
  for (std::uint32_t seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> junk(1 + seed % 40);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    if (seed == 0) junk = ones;
    try {
      decode_signed_stream(junk, 50, c, "junk");
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::corrupt_input) << e.what();
    }
  }
  try {
    decode_signed_stream(ones, std::size_t(1) << 40, c, "huge");
    ADD_FAILURE() << "absurd count accepted";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::limit_exceeded);
  }
}

TEST(Binarization, RejectsBadSettings) {
  IntegerStreamConfig c;
  c.binarization.greater_flags = 17;
  EXPECT_THROW(encode_signed_stream({}, c), tac::Error);
  c = {};
  c.binarization.rates.fast = 0;
  EXPECT_THROW(encode_signed_stream({}, c), tac::Error);
  c = {};
  c.order1_classes = 0;
  EXPECT_THROW(encode_signed_stream({}, c), tac::Error);
}

}  // namespace
