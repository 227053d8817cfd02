// The canonical Huffman byte coder: exact round trips on the property inputs and at every tail
// length, the coded size against the order-0 entropy, and every kind of damage to the table or
// the payload refused as corrupt input (absurd sizes as limit_exceeded) naming the source.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "entropy_test_inputs.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/canonical_huffman.hpp"
#include "tac/entropy/limits.hpp"

namespace {

using tac::ErrorKind;
using namespace tac::entropy;
using Bytes = std::vector<std::uint8_t>;

struct Thrown {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
};

Thrown decode_error(const Bytes& stream, std::size_t size) {
  try {
    decode_bytes_huffman(stream, size, "h.bin");
  } catch (const tac::Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "stream accepted";
  return {};
}

void expect_corrupt(const Bytes& stream, std::size_t size, const std::string& phrase) {
  const Thrown t = decode_error(stream, size);
  EXPECT_EQ(t.kind, ErrorKind::corrupt_input) << t.message;
  EXPECT_EQ(t.message.rfind("h.bin: ", 0), 0u) << t.message;
  EXPECT_NE(t.message.find(phrase), std::string::npos) << t.message;
}

Bytes geometric_bytes(std::size_t n, double p, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::geometric_distribution<int> g(p);
  Bytes v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(std::min(g(rng), 255));
  return v;
}

double entropy_bits(const Bytes& bytes) {
  std::array<double, 256> counts{};
  for (const auto b : bytes) ++counts[b];
  double bits = 0;
  for (const double c : counts)
    if (c > 0) bits -= c * std::log2(c / double(bytes.size()));
  return bits;
}

// A table from nibbles (padded with a 0 nibble), for hand-made streams.
Bytes table_of(std::vector<std::uint8_t> nibbles) {
  if (nibbles.size() % 2) nibbles.push_back(0);
  Bytes out;
  for (std::size_t i = 0; i < nibbles.size(); i += 2) out.push_back(std::uint8_t(nibbles[i] << 4 | nibbles[i + 1]));
  return out;
}

Bytes round_trip(const Bytes& in) {
  return decode_bytes_huffman(encode_bytes_huffman(in), in.size(), "rt");
}

TEST(CanonicalHuffman, RoundTripEveryPropertyInput) {
  auto inputs = tac::test::small_inputs();
  inputs.push_back({"geometric", geometric_bytes(100000, 0.12, 1)});
  for (const auto& in : inputs) {
    SCOPED_TRACE(in.name);
    const Bytes stream = encode_bytes_huffman(in.bytes);
    EXPECT_EQ(decode_bytes_huffman(stream, in.bytes.size(), in.name), in.bytes);
    const auto lengths = huffman_lengths_for(in.bytes);
    EXPECT_LE(*std::max_element(lengths.begin(), lengths.end()), kHuffmanMaxLength);
    if (in.name == "empty") {
      EXPECT_TRUE(stream.empty());
    }
    if (in.name == "one_symbol" || in.name == "all_equal" || in.name == "all_zero") {
      EXPECT_LE(stream.size(), 3u) << "one symbol: the table alone (a run, a length, the end)";
    }
    if (in.name == "uniform") {
      EXPECT_LE(stream.size(), in.bytes.size() + 128 + in.bytes.size() / 100);
    }
  }
}

TEST(CanonicalHuffman, TenMegabytesOfRandomBytes) {
  const Bytes data = tac::test::random_bytes(10u << 20, 31);
  const Bytes stream = encode_bytes_huffman(data);
  EXPECT_EQ(decode_bytes_huffman(stream, data.size(), "10MB"), data);
  EXPECT_LE(stream.size(), data.size() + data.size() / 200 + 128);
}

TEST(CanonicalHuffman, EveryLengthAndSymbolCountRoundTrips) {
  // Sizes 1..300 cross the decoder's 4-symbol steps and its zero-padded tail at every offset.
  std::mt19937 rng(5);
  for (std::size_t n = 1; n <= 300; ++n) {
    const int alphabet = 1 + int(rng() % 256);
    Bytes data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng() % unsigned(alphabet));
    ASSERT_EQ(round_trip(data), data) << n;
    const Bytes skewed = geometric_bytes(n, 0.05 + 0.9 * double(rng() % 100) / 100, std::uint32_t(n));
    ASSERT_EQ(round_trip(skewed), skewed) << n;
  }
  Bytes all(256);
  for (int s = 0; s < 256; ++s) all[s] = std::uint8_t(255 - s);
  EXPECT_EQ(round_trip(all), all);
  EXPECT_EQ(encode_bytes_huffman(all).size(), 128u + 256u) << "all symbols: 8 bits each, 128-byte table";
}

TEST(CanonicalHuffman, FibonacciCountsStayWithinTheLimit) {
  // Plain Huffman would give these counts codes up to 24 bits long.
  Bytes data;
  std::uint64_t a = 1, b = 1;
  for (int s = 0; s < 25; ++s) {
    data.insert(data.end(), a, std::uint8_t(s * 9));
    const std::uint64_t next = a + b;
    a = b;
    b = next;
  }
  std::shuffle(data.begin(), data.end(), std::mt19937(2));
  const auto lengths = huffman_lengths_for(data);
  EXPECT_EQ(*std::max_element(lengths.begin(), lengths.end()), kHuffmanMaxLength);
  EXPECT_EQ(round_trip(data), data);
}

TEST(CanonicalHuffman, CodedSizeNearTheOrderZeroEntropy) {
  // Geometric bytes (p = 0.12 as in the bench, and a skew of p = 0.3): within 1.5 % of the
  // order-0 entropy plus the table. Whole-bit codes cost about 1 % here on their own (measured
  // with these seeds: 0.99 % and 0.93 %; 1.06 % on the bench's 8 MiB input), so a bound of 1 %
  // would only hold by the luck of the seed; code-length optimality is tested exactly elsewhere.
  for (const double p : {0.12, 0.3}) {
    const Bytes data = geometric_bytes(1u << 20, p, 9);
    const Bytes stream = encode_bytes_huffman(data);
    const double entropy_bytes = entropy_bits(data) / 8;
    const std::size_t table = 128;
    EXPECT_LE(double(stream.size()), entropy_bytes * 1.015 + table) << "p = " << p;
    EXPECT_GE(double(stream.size()), entropy_bytes) << "p = " << p;
  }
  // 99 % zeros: no prefix code spends under 1 bit a symbol (entropy ~0.16 bits); the Huffman
  // bound still holds: average length < entropy + p_max + 0.086 (Gallager).
  const Bytes skewed = tac::test::skewed_bytes(1u << 20, 4);
  const std::size_t zeros = std::size_t(std::count(skewed.begin(), skewed.end(), 0));
  const double p_max = double(zeros) / double(skewed.size());
  const double bound_bits = entropy_bits(skewed) + double(skewed.size()) * (p_max + 0.086);
  EXPECT_LE(double(encode_bytes_huffman(skewed).size()), bound_bits / 8 + 128);
  EXPECT_EQ(round_trip(skewed), skewed);
}

TEST(CanonicalHuffman, PayloadIsExactlyTheCodeBits) {
  // Symbols 0..20, all present: the table is 21 lengths and the end nibble, 11 bytes.
  Bytes data = geometric_bytes(12345, 0.2, 3);
  for (auto& b : data) b = std::min<std::uint8_t>(b, 20);
  const auto lengths = huffman_lengths_for(data);
  ASSERT_TRUE(std::all_of(lengths.begin(), lengths.begin() + 21, [](std::uint8_t l) { return l != 0; }));
  std::uint64_t bits = 0;
  for (const auto b : data) bits += lengths[b];
  EXPECT_EQ(encode_bytes_huffman(data).size(), 11 + (bits + 7) / 8);
}

TEST(CanonicalHuffman, HandMadeStreamsDecodeAsDocumented) {
  // Symbols 'a' (length 1, code 0), 'b' and 'c' (length 2, codes 10 and 11): "abca" = 0 10 11 0.
  // Table: a run of 97 absent symbols (14, 6, 0), then lengths 1, 2, 2, then the end.
  Bytes stream = table_of({14, 6, 0, 1, 2, 2, 15});
  stream.push_back(0b01011000);
  const Bytes out = decode_bytes_huffman(stream, 4, "hand");
  EXPECT_EQ(std::string(out.begin(), out.end()), "abca");
  EXPECT_EQ(encode_bytes_huffman(out), stream) << "the encoder writes the same bytes";
}

TEST(CanonicalHuffman, RefusesBadTables) {
  // Over-subscribed: three codes of length 1.
  expect_corrupt(table_of({1, 1, 1, 15, 0}), 3, "over-subscribed");
  // Incomplete: lengths 1 and 2 only.
  expect_corrupt(table_of({1, 2, 15}), 3, "incomplete");
  // Lengths above the limit.
  expect_corrupt(table_of({1, 13, 15}), 3, "code length 13, above the limit 12");
  expect_corrupt(table_of({2, 2, 2, 13, 15}), 3, "symbol 3 has code length 13");
  // A run of absent symbols past 255 (256 of them from symbol 1).
  expect_corrupt(table_of({1, 14, 15, 15}), 3, "a run of 256 absent symbols from symbol 1 passes 255");
  // No symbol; a lone symbol whose length is not 1; a lone symbol with payload.
  expect_corrupt(table_of({15}), 3, "no symbol present");
  expect_corrupt(table_of({2, 15}), 3, "lone symbol must have code length 1");
  Bytes lone = table_of({1, 15});
  lone.push_back(0);
  expect_corrupt(lone, 3, "must be 0");
  // A nonzero pad nibble after a table that ends on a high nibble.
  expect_corrupt({0xF1}, 1, "pad nibble");
  expect_corrupt({0x11, 0xF7, 0x40}, 2, "pad nibble");
  // A table cut short.
  expect_corrupt(table_of({1, 1}), 3, "huffman code length table");
}

TEST(CanonicalHuffman, RefusesEveryTruncationAndTrailingBytes) {
  const Bytes data = geometric_bytes(3000, 0.15, 6);
  const Bytes good = encode_bytes_huffman(data);
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Thrown t = decode_error(Bytes(good.begin(), good.begin() + std::ptrdiff_t(n)), data.size());
    EXPECT_EQ(t.kind, ErrorKind::corrupt_input) << n << ": " << t.message;
  }
  Bytes longer = good;
  longer.push_back(0);
  expect_corrupt(longer, data.size(), "bytes after the huffman payload");
  longer.insert(longer.end(), 40, 0xAB);
  expect_corrupt(longer, data.size(), "bytes after the huffman payload");
  // Nonzero pad bits: find the pad of this stream (if any) and set one.
  const auto lengths = huffman_lengths_for(data);
  std::uint64_t bits = 0;
  for (const auto b : data) bits += lengths[b];
  if (bits % 8 != 0) {
    Bytes padded = good;
    padded.back() |= 1;
    expect_corrupt(padded, data.size(), "pad bits");
  }
  // Both ways around the empty case.
  expect_corrupt(Bytes{0x00}, 0, "empty output");
  expect_corrupt(Bytes{}, 5, "huffman code length table");
}

TEST(CanonicalHuffman, RefusesAbsurdDeclaredSizes) {
  const Bytes stream = encode_bytes_huffman(geometric_bytes(1000, 0.2, 7));
  const Thrown huge = decode_error(stream, std::size_t(kMaxDecodedBytes) + 1);
  EXPECT_EQ(huge.kind, ErrorKind::limit_exceeded) << huge.message;
  EXPECT_NE(huge.message.find("h.bin"), std::string::npos);
  // Within the cap, but more symbols than the payload has bits: refused before allocating.
  expect_corrupt(stream, std::size_t(kMaxDecodedBytes), "cannot hold");
}

TEST(CanonicalHuffman, GarbageDecodesOrFailsAsCorrupt) {
  std::mt19937 rng(13);
  int decoded = 0;
  for (std::uint32_t seed = 0; seed < 3000; ++seed) {
    Bytes junk = tac::test::random_bytes(1 + seed % 200, seed);
    if (seed % 3 == 0) junk[0] = 0x88;  // lengths 8, 8, ...: more tables pass Kraft
    const std::size_t size = rng() % 400;
    try {
      const Bytes out = decode_bytes_huffman(junk, size, "junk");
      EXPECT_EQ(out.size(), size);
      ++decoded;
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::corrupt_input) << e.what();
    }
  }
  // Valid streams with flipped bits: same verdicts (decode to something or corrupt input).
  const Bytes data = geometric_bytes(2000, 0.1, 8);
  const Bytes good = encode_bytes_huffman(data);
  for (std::size_t i = 0; i < good.size(); ++i) {
    Bytes bad = good;
    bad[i] ^= std::uint8_t(1u << (i % 8));
    try {
      EXPECT_EQ(decode_bytes_huffman(bad, data.size(), "flip").size(), data.size());
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::corrupt_input) << e.what();
    }
  }
  RecordProperty("garbage_decoded", decoded);
}

}  // namespace
