// The fast bit-tree byte decoder (decode_bytes_binary) against the plain one it replaces:
// RangeDecoder::decode_bit with one BitModel per (context, node). Same bytes on every input and
// setting, and the same verdict (bytes or corrupt input) on damaged and random streams.
#include <gtest/gtest.h>

#include <optional>

#include "entropy_test_inputs.hpp"
#include "tac/entropy/byte_coders.hpp"
#include "tac/entropy/range_coder.hpp"

namespace {

using namespace tac::entropy;
using Bytes = std::vector<std::uint8_t>;

Bytes reference_decode(std::span<const std::uint8_t> stream, std::size_t size, int order, BitRates rates) {
  std::vector<BitModel> models(std::size_t(order ? 256 : 1) * 256, BitModel(rates));
  RangeDecoder d(stream, "reference");
  Bytes out(size);
  std::uint8_t previous = 0;
  for (auto& b : out) {
    BitModel* tree = &models[order ? std::size_t(previous) * 256 : 0];
    std::uint32_t node = 1;
    for (int i = 0; i < 8; ++i) node = (node << 1) | std::uint32_t(d.decode_bit(tree[node]));
    b = static_cast<std::uint8_t>(node);
    previous = b;
  }
  return out;
}

// The decoded bytes, or nullopt for corrupt input (any other error fails the test).
template <typename F>
std::optional<Bytes> verdict(F decode) {
  try {
    return decode();
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << e.what();
    return std::nullopt;
  }
}

const std::vector<BitRates> kRates = {{4, 7, false}, {5, 9, false}, {1, 1, false}, {15, 15, false}, {9, 2, false},
                                      {4, 7, true},  {2, 12, true}, {15, 15, true}, {6, 3, true},   {1, 15, true}};

TEST(BitTreeDecoder, MatchesTheReferenceOnEveryInputAndRate) {
  auto inputs = tac::test::small_inputs();
  inputs.push_back({"uniform_300k", tac::test::random_bytes(300000, 7)});
  for (const auto& in : inputs)
    for (int order : {0, 1})
      for (const auto rates : kRates) {
        const Bytes stream = encode_bytes_binary(in.bytes, order, rates);
        const Bytes fast = decode_bytes_binary(stream, in.bytes.size(), order, rates, in.name);
        ASSERT_EQ(fast, in.bytes) << in.name << " order " << order << " rates " << int(rates.fast) << "/"
                                  << int(rates.slow) << " warm-up " << rates.warmup;
        ASSERT_EQ(reference_decode(stream, in.bytes.size(), order, rates), in.bytes) << in.name;
      }
}

TEST(BitTreeDecoder, SameVerdictOnEveryTruncation) {
  // Every cut of short streams, highly compressible ones included (their last bytes cover many
  // output bytes, so the decoder reads past a cut late).
  for (const auto& in : tac::test::small_inputs()) {
    if (in.bytes.size() > 5000) continue;
    for (int order : {0, 1}) {
      const BitRates rates{4, 7, order == 1};
      const Bytes stream = encode_bytes_binary(in.bytes, order, rates);
      for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        const std::span<const std::uint8_t> head(stream.data(), cut);
        const auto fast = verdict([&] { return decode_bytes_binary(head, in.bytes.size(), order, rates, "cut"); });
        const auto ref = verdict([&] { return reference_decode(head, in.bytes.size(), order, rates); });
        ASSERT_EQ(fast, ref) << in.name << " order " << order << " cut " << cut << " of " << stream.size();
        if (cut == stream.size()) {
          EXPECT_EQ(fast, in.bytes) << in.name;
        }
      }
    }
  }
}

TEST(BitTreeDecoder, SameVerdictOnRandomStreams) {
  for (std::uint32_t seed = 0; seed < 400; ++seed) {
    const Bytes junk = tac::test::random_bytes(seed % 80, seed);
    const std::size_t size = 1 + seed * 7 % 300;
    const int order = int(seed % 2);
    const BitRates rates = kRates[seed % kRates.size()];
    const auto fast = verdict([&] { return decode_bytes_binary(junk, size, order, rates, "junk"); });
    const auto ref = verdict([&] { return reference_decode(junk, size, order, rates); });
    ASSERT_EQ(fast, ref) << "seed " << seed;
  }
}

TEST(BitTreeDecoder, FlippedBitsGiveTheSameVerdict) {
  const Bytes data = tac::test::skewed_bytes(20000, 3);
  for (int order : {0, 1}) {
    const BitRates rates{4, 7, order == 0};
    const Bytes stream = encode_bytes_binary(data, order, rates);
    for (std::size_t i = 0; i < stream.size(); i += 1 + stream.size() / 60) {
      Bytes bad = stream;
      bad[i] ^= std::uint8_t(1u << (i % 8));
      const auto fast = verdict([&] { return decode_bytes_binary(bad, data.size(), order, rates, "flip"); });
      const auto ref = verdict([&] { return reference_decode(bad, data.size(), order, rates); });
      ASSERT_EQ(fast, ref) << "order " << order << " byte " << i;
    }
  }
}

TEST(BitTreeDecoder, RejectsBadSettingsAsUsage) {
  const Bytes stream = encode_bytes_binary(Bytes{1, 2, 3}, 0, {});
  for (const auto call : {+[](const Bytes& s) { decode_bytes_binary(s, 3, 2, {}, "order"); },
                          +[](const Bytes& s) { decode_bytes_binary(s, 3, 0, {0, 7, false}, "rate"); },
                          +[](const Bytes& s) { decode_bytes_binary(s, 3, 1, {4, 16, false}, "rate"); }}) {
    try {
      call(stream);
      ADD_FAILURE() << "accepted";
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), tac::ErrorKind::usage) << e.what();
    }
  }
}

}  // namespace
