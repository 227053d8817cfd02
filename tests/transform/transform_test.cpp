// Byte transforms and the transform chain: exact inverses for every size (tails included),
// the zigzag maps' documented order, ULEB128 against ByteReader, hostile chains refused.
#include <gtest/gtest.h>

#include <limits>

#include "entropy/entropy_test_inputs.hpp"
#include "tac/transform/transform_chain.hpp"
#include "tac/transform/uleb128.hpp"
#include "tac/transform/zigzag.hpp"

namespace {

using namespace tac::transform;

TEST(Zigzag, DocumentedOrderAndBijection) {
  EXPECT_EQ(zigzag32(0), 0u);
  EXPECT_EQ(zigzag32(-1), 1u);
  EXPECT_EQ(zigzag32(1), 2u);
  EXPECT_EQ(zigzag32(-2), 3u);
  EXPECT_EQ(zigzag32(std::numeric_limits<std::int32_t>::max()), 0xFFFFFFFEu);
  EXPECT_EQ(zigzag32(std::numeric_limits<std::int32_t>::min()), 0xFFFFFFFFu);
  EXPECT_EQ(negated_zigzag32(1), 1u);
  EXPECT_EQ(negated_zigzag32(-1), 2u);
  for (std::int32_t v : {0, 1, -1, 77, -77, std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min()}) {
    EXPECT_EQ(unzigzag32(zigzag32(v)), v);
    EXPECT_EQ(unnegated_zigzag32(negated_zigzag32(v)), v);
  }
  std::vector<bool> seen(256), seen_neg(256);
  for (int v = -128; v < 128; ++v) {
    const auto s = static_cast<std::int8_t>(v);
    EXPECT_EQ(unzigzag8(zigzag8(s)), s);
    EXPECT_EQ(unnegated_zigzag8(negated_zigzag8(s)), s);
    EXPECT_EQ(from_twos_complement8(twos_complement8(s)), s);
    EXPECT_EQ(zigzag8(s), static_cast<std::uint8_t>(zigzag32(v)));
    seen[zigzag8(s)] = true;
    seen_neg[negated_zigzag8(s)] = true;
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 256);
  EXPECT_EQ(std::count(seen_neg.begin(), seen_neg.end(), true), 256);
  EXPECT_EQ(unoffset8(offset8(200, 128), 128), 200);
}

TEST(ByteTransforms, EveryTransformInvertsOnEveryInput) {
  const std::vector<std::vector<TransformStep>> chains = {
      {{TransformKind::delta, 1}},
      {{TransformKind::delta, 3}},
      {{TransformKind::byte_planes, 4}},
      {{TransformKind::byte_planes, 3}},
      {{TransformKind::transpose, 7}},
      {{TransformKind::zigzag, 0}},
      {{TransformKind::negated_zigzag, 0}},
      {{TransformKind::offset, 128}},
      {{TransformKind::byte_planes, 2}, {TransformKind::delta, 1}, {TransformKind::zigzag, 0}},
      {{TransformKind::delta, 1000}, {TransformKind::transpose, 1}},
  };
  auto inputs = tac::test::small_inputs();
  inputs.push_back({"odd", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
  for (const auto& chain : chains)
    for (const auto& in : inputs) {
      const auto f = apply_forward(chain, in.bytes);
      EXPECT_EQ(f.size(), in.bytes.size());
      EXPECT_EQ(apply_inverse(chain, f), in.bytes) << describe(chain[0]) << " on " << in.name;
    }
}

TEST(ByteTransforms, DoWhatTheySay) {
  const Bytes in = {10, 20, 30, 11, 21, 31, 99};
  EXPECT_EQ(delta(in, 1), (Bytes{10, 10, 10, 237, 10, 10, 68}));
  EXPECT_EQ(temporal_delta(in, 3), (Bytes{10, 20, 30, 1, 1, 1, 88}));
  EXPECT_EQ(byte_planes(in, 3), (Bytes{10, 11, 20, 21, 30, 31, 99}));
  EXPECT_EQ(transpose(Bytes{1, 2, 3, 4, 5, 6}, 3), (Bytes{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(zigzag_bytes(Bytes{0, 0xFF, 1, 0x80}), (Bytes{0, 1, 2, 0xFF}));
}

TEST(Uleb128, WriterMatchesByteReader) {
  const std::vector<std::uint64_t> values = {0, 1, 127, 128, 300, 1ull << 35, ~0ull};
  Bytes out;
  for (auto v : values) append_uleb128(out, v);
  tac::ByteReader r(out, "uleb");
  for (auto v : values) {
    const auto before = r.offset();
    EXPECT_EQ(r.uleb128("v"), v);
    EXPECT_EQ(r.offset() - before, uleb128_size(v));
  }
  EXPECT_TRUE(r.at_end());
}

TEST(TransformChain, SerializesAndRefusesHostileChains) {
  const std::vector<TransformStep> steps = {{TransformKind::delta, 4}, {TransformKind::zigzag, 0}};
  Bytes out;
  append_steps(out, steps);
  tac::ByteReader r(out, "chain");
  EXPECT_EQ(read_steps(r), steps);
  auto refuse = [](Bytes bytes) {
    tac::ByteReader reader(bytes, "hostile");
    try {
      read_steps(reader);
      ADD_FAILURE() << "accepted";
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << e.what();
    }
  };
  refuse({1, 99, 0});          // unknown kind
  refuse({1, 1, 0});           // delta stride 0
  refuse({1, 2, 65});          // byte-plane width 65
  refuse({200, 1});            // too many steps
  refuse({2, 1, 4});           // truncated
  EXPECT_EQ(parse_step("delta:4"), (TransformStep{TransformKind::delta, 4}));
  EXPECT_THROW(parse_step("rot13"), tac::Error);
  EXPECT_THROW(parse_step("offset:300"), tac::Error);
}

}  // namespace
