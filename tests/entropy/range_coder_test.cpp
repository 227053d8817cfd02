// The range coder's binary contexts, bypass bits, multi-symbol models and byte coders: exact round
// trips on the property inputs, compression where the model should win, typed errors on damage.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "entropy_test_inputs.hpp"
#include "tac/entropy/byte_coders.hpp"
#include "tac/entropy/range_coder.hpp"

namespace {

using tac::ErrorKind;
using namespace tac::entropy;

ErrorKind kind_of(const auto& f) {
  try {
    f();
  } catch (const tac::Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no tac::Error thrown";
  return ErrorKind::internal;
}

TEST(RangeCoder, MixedDecisionsRoundTrip) {
  std::mt19937 rng(7);
  struct Step {
    int kind;
    std::uint32_t value, p;
  };
  std::vector<Step> steps(200000);
  for (auto& s : steps) {
    s.kind = int(rng() % 4);
    s.p = 1 + rng() % 65535;
    s.value = s.kind == 0 ? ((rng() % 65536) < s.p ? 1u : 0u) : rng();
  }
  RangeEncoder e;
  BitModel model;
  FrequencyModelConfig cfg;
  cfg.alphabet_size = 17;
  FrequencyModel freq(cfg);
  for (auto& s : steps) {
    if (s.kind == 0) e.encode_bit_probability(s.p, int(s.value));
    if (s.kind == 1) e.encode_bit(model, int(s.value & 1));
    if (s.kind == 2) e.encode_bypass(s.value & 0x1FFF, 13);
    if (s.kind == 3) freq.encode(e, s.value % 17);
  }
  const auto bytes = e.finish();
  RangeDecoder d(bytes, "mixed");
  BitModel model2;
  FrequencyModel freq2(cfg);
  for (auto& s : steps) {
    if (s.kind == 0) {
      ASSERT_EQ(std::uint32_t(d.decode_bit_probability(s.p)), s.value);
    }
    if (s.kind == 1) {
      ASSERT_EQ(std::uint32_t(d.decode_bit(model2)), s.value & 1);
    }
    if (s.kind == 2) {
      ASSERT_EQ(d.decode_bypass(13), s.value & 0x1FFF);
    }
    if (s.kind == 3) {
      ASSERT_EQ(freq2.decode(d), s.value % 17);
    }
  }
  EXPECT_EQ(d.unread(), 0u) << "a valid stream is consumed exactly";
}

TEST(RangeCoder, ExtremeProbabilitiesAndCarries) {
  // p at both ends of its range against the unlikely bit forces long 0xFF runs and carries.
  std::mt19937 rng(3);
  std::vector<std::pair<std::uint32_t, int>> steps;
  for (int i = 0; i < 300000; ++i) {
    const std::uint32_t p = (rng() & 1) ? 1u : 65535u;
    const int bit = rng() % 50 == 0 ? (p == 1) : (p != 1);
    steps.emplace_back(p, bit);
  }
  RangeEncoder e;
  for (auto [p, bit] : steps) e.encode_bit_probability(p, bit);
  const auto bytes = e.finish();
  RangeDecoder d(bytes, "extreme");
  for (auto [p, bit] : steps) ASSERT_EQ(d.decode_bit_probability(p), bit);
  EXPECT_EQ(d.unread(), 0u);
}

TEST(RangeCoder, EmptyStreamIsFourBytes) {
  RangeEncoder e;
  EXPECT_EQ(e.finish().size(), 4u);
}

TEST(RangeCoder, AdaptiveContextLearnsSkew) {
  RangeEncoder e;
  BitModel m;
  for (int i = 0; i < 100000; ++i) e.encode_bit(m, i % 100 == 0);
  // Entropy of p = 0.01 is 0.081 bits: 100000 decisions ~ 1010 bytes; allow adaptation cost.
  EXPECT_LT(e.finish().size(), 1300u);
}

TEST(RangeCoder, WarmupRoundTripsAndLearnsFasterOnRareContexts) {
  // 4000 contexts, 20 skewed decisions each: learning cost dominates.
  std::mt19937 rng(12);
  std::vector<std::pair<int, int>> steps;
  for (int c = 0; c < 4000; ++c)
    for (int i = 0; i < 20; ++i) steps.emplace_back(c, rng() % 10 == 0 ? 1 : 0);
  auto encode = [&](BitRates rates) {
    std::vector<BitModel> models(4000, BitModel(rates));
    RangeEncoder e;
    for (auto [c, bit] : steps) e.encode_bit(models[c], bit);
    return e.finish();
  };
  const BitRates warm{4, 7, true};
  const auto with = encode(warm);
  EXPECT_LT(with.size() * 10, encode({4, 7, false}).size() * 9) << "warm-up saves more than 10 %";
  std::vector<BitModel> models(4000, BitModel(warm));
  RangeDecoder d(with, "warm");
  for (auto [c, bit] : steps) ASSERT_EQ(d.decode_bit(models[c]), bit);
}

TEST(RangeCoder, TruncatedStreamFailsAsCorrupt) {
  std::vector<std::uint8_t> data = tac::test::random_bytes(5000, 9);
  const auto binary = encode_bytes_binary(data, 0, {});
  const auto multi = encode_bytes_multi_symbol(data, 1, {});
  for (std::size_t cut : {std::size_t(0), std::size_t(3), binary.size() / 2, binary.size() - 1}) {
    const std::vector<std::uint8_t> head(binary.begin(), binary.begin() + std::ptrdiff_t(cut));
    EXPECT_EQ(kind_of([&] { decode_bytes_binary(head, data.size(), 0, {}, "cut"); }), ErrorKind::corrupt_input) << cut;
  }
  for (std::size_t cut : {std::size_t(0), std::size_t(3), multi.size() / 2, multi.size() - 1}) {
    const std::vector<std::uint8_t> head(multi.begin(), multi.begin() + std::ptrdiff_t(cut));
    EXPECT_EQ(kind_of([&] { decode_bytes_multi_symbol(head, data.size(), 1, {}, "cut"); }), ErrorKind::corrupt_input)
        << cut;
  }
}

TEST(RangeCoder, GarbageNeverCrashesMultiSymbolDecoder) {
  // Random bytes decode to something or fail as corrupt input; nothing else.
  for (std::uint32_t seed = 0; seed < 200; ++seed) {
    const auto junk = tac::test::random_bytes(1 + seed % 64, seed);
    try {
      decode_bytes_multi_symbol(junk, 100, seed % 2, {}, "junk");
      decode_bytes_binary(junk, 100, seed % 2, {}, "junk");
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::corrupt_input) << e.what();
    }
  }
}

TEST(FrequencyModel, RejectsImpossibleConfigurations) {
  FrequencyModelConfig c;
  c.alphabet_size = 0;
  EXPECT_EQ(kind_of([&] { FrequencyModel m(c); }), ErrorKind::usage);
  c.alphabet_size = 256;
  c.limit = 1u << 17;
  EXPECT_EQ(kind_of([&] { FrequencyModel m(c); }), ErrorKind::usage);
  c.limit = 1u << 16;
  c.priors = {1, 2};
  EXPECT_EQ(kind_of([&] { FrequencyModel m(c); }), ErrorKind::usage);
  c.priors.clear();
  c.increment = 0;
  EXPECT_EQ(kind_of([&] { FrequencyModel m(c); }), ErrorKind::usage);
}

TEST(FrequencyModel, PriorShapesTheCost) {
  // A prior that matches the data beats the flat prior on a short input.
  std::vector<std::uint8_t> data(300, 0);
  for (std::size_t i = 0; i < data.size(); i += 10) data[i] = 1;
  FrequencyModelConfig flat;
  FrequencyModelConfig informed;
  informed.priors.assign(256, 1);
  informed.priors[0] = 2000;
  informed.priors[1] = 200;
  EXPECT_LT(encode_bytes_multi_symbol(data, 0, informed).size(), encode_bytes_multi_symbol(data, 0, flat).size());
  EXPECT_EQ(decode_bytes_multi_symbol(encode_bytes_multi_symbol(data, 0, informed), data.size(), 0, informed, "t"),
            data);
}

class ByteCoders : public ::testing::TestWithParam<int> {};

TEST_P(ByteCoders, RoundTripEveryPropertyInput) {
  const int order = GetParam();
  FrequencyModelConfig fast_adapt;
  fast_adapt.increment = 32;
  fast_adapt.limit = 1u << 13;
  for (const auto& in : tac::test::small_inputs()) {
    SCOPED_TRACE(in.name);
    const auto a = encode_bytes_multi_symbol(in.bytes, order, {});
    EXPECT_EQ(decode_bytes_multi_symbol(a, in.bytes.size(), order, {}, in.name), in.bytes);
    const auto a2 = encode_bytes_multi_symbol(in.bytes, order, fast_adapt);
    EXPECT_EQ(decode_bytes_multi_symbol(a2, in.bytes.size(), order, fast_adapt, in.name), in.bytes);
    const auto b = encode_bytes_binary(in.bytes, order, {});
    EXPECT_EQ(decode_bytes_binary(b, in.bytes.size(), order, {}, in.name), in.bytes);
    const auto b2 = encode_bytes_binary(in.bytes, order, {5, 9});
    EXPECT_EQ(decode_bytes_binary(b2, in.bytes.size(), order, {5, 9}, in.name), in.bytes);
    if (in.name == "all_equal" || in.name == "skewed") {
      EXPECT_LT(a.size(), in.bytes.size() / 5);
      EXPECT_LT(b.size(), in.bytes.size() / 5);
    }
    if (in.name == "uniform" && order == 0) {  // incompressible: small overhead only
      EXPECT_LT(a.size(), in.bytes.size() + in.bytes.size() / 50 + 64);
      EXPECT_LT(b.size(), in.bytes.size() + in.bytes.size() / 50 + 64);
    }
  }
}

TEST_P(ByteCoders, TenMegabytesOfRandomBytes) {
  const int order = GetParam();
  const auto data = tac::test::random_bytes(10u << 20, 11 + order);
  const auto a = encode_bytes_multi_symbol(data, order, {});
  EXPECT_EQ(decode_bytes_multi_symbol(a, data.size(), order, {}, "10MB"), data);
  const auto b = encode_bytes_binary(data, order, {});
  EXPECT_EQ(decode_bytes_binary(b, data.size(), order, {}, "10MB"), data);
}

INSTANTIATE_TEST_SUITE_P(Orders, ByteCoders, ::testing::Values(0, 1));

TEST(ByteCoders, OrderOneUsesThePreviousByte) {
  // Each byte determines the next: order-1 should code it in far fewer bytes than order-0.
  std::vector<std::uint8_t> data(50000);
  std::mt19937 rng(5);
  std::uint8_t b = 0;
  for (auto& x : data) {
    b = static_cast<std::uint8_t>(rng() % 8 == 0 ? rng() : b * 7 + 3);
    x = b;
  }
  EXPECT_LT(encode_bytes_binary(data, 1, {}).size() * 2, encode_bytes_binary(data, 0, {}).size());
  EXPECT_LT(encode_bytes_multi_symbol(data, 1, {}).size() * 2, encode_bytes_multi_symbol(data, 0, {}).size());
}

}  // namespace
