// The tac packet: every codec x transform round-trips the property inputs; every kind of damage
// (bit flips, truncation, bad CRC, unknown codec tag, length overflow, absurd sizes) is refused
// with a typed error naming the section.
#include <gtest/gtest.h>

#include <zlib.h>

#include "entropy/entropy_test_inputs.hpp"
#include "tac/container/packet.hpp"

namespace {

using namespace tac::container;
using tac::ErrorKind;
using tac::transform::TransformKind;

std::vector<CodecSpec> every_codec() {
  std::vector<CodecSpec> specs;
  for (auto tag : {CodecTag::raw, CodecTag::brotli, CodecTag::zstd, CodecTag::xz, CodecTag::lzma1, CodecTag::rans,
                   CodecTag::arith, CodecTag::adaptive_bytes, CodecTag::binary_bytes, CodecTag::huffman_bytes}) {
    CodecSpec s;
    s.tag = tag;
    s.brotli.quality = 9;
    s.xz.preset = 6;
    s.lzma.lc = 0;
    s.lzma.lp = 2;
    s.hts_order = 1;
    s.order = 1;
    specs.push_back(s);
  }
  specs[8].rates = {5, 9, true};  // binary_bytes with warm-up
  return specs;
}

struct Thrown {
  ErrorKind kind;
  std::string message;
};

Thrown thrown(const Bytes& packet, std::uint64_t limit = std::uint64_t(1) << 30) {
  try {
    read_packet(packet, "p.tacp", limit);
  } catch (const tac::Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "packet accepted";
  return {ErrorKind::internal, ""};
}

Bytes two_section_packet() {
  const std::string text = "hello hello hello packet world";
  const Bytes weights = tac::test::skewed_bytes(3000, 5);
  CodecSpec brotli;
  brotli.tag = CodecTag::brotli;
  CodecSpec binary;
  binary.tag = CodecTag::binary_bytes;
  return write_packet({{"header", brotli, {}, Bytes(text.begin(), text.end())},
                       {"weights", binary, {{TransformKind::zigzag, 0}}, weights}});
}

TEST(Packet, EveryCodecAndTransformRoundTrips) {
  const std::vector<std::vector<tac::transform::TransformStep>> chains = {
      {}, {{TransformKind::delta, 1}}, {{TransformKind::byte_planes, 4}, {TransformKind::zigzag, 0}}};
  for (const auto& spec : every_codec())
    for (const auto& chain : chains)
      for (const auto& in : tac::test::small_inputs()) {
        SCOPED_TRACE(std::string(codec_name(spec.tag)) + " / " + in.name);
        const Bytes packet = write_packet({{"data", spec, chain, in.bytes}});
        const auto out = read_packet(packet, "p");
        ASSERT_EQ(out.size(), 1u);
        EXPECT_EQ(out[0].name, "data");
        EXPECT_EQ(out[0].data, in.bytes);
      }
}

TEST(Packet, SectionsKeepNamesAndOrder) {
  const auto out = read_packet(two_section_packet(), "p");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "header");
  EXPECT_EQ(std::string(out[0].data.begin(), out[0].data.end()), "hello hello hello packet world");
  EXPECT_EQ(out[1].name, "weights");
  EXPECT_EQ(out[1].data, tac::test::skewed_bytes(3000, 5));
  const auto table = read_packet_table(two_section_packet(), "p", 1u << 20);
  EXPECT_EQ(table.sections[1].codec, CodecTag::binary_bytes);
  EXPECT_EQ(table.sections[1].decoded_size, 3000u);
}

TEST(Packet, FramingCostIsSmall) {
  CodecSpec raw;
  const Bytes data(1000, 7);
  EXPECT_LE(write_packet({{"data", raw, {}, data}}).size(), data.size() + 24);
}

TEST(Packet, EveryBitFlipIsRefused) {
  const Bytes good = two_section_packet();
  for (std::size_t i = 0; i < good.size(); ++i)
    for (int bit : {0, 5}) {
      Bytes bad = good;
      bad[i] ^= std::uint8_t(1u << bit);
      const auto t = thrown(bad);
      EXPECT_TRUE(t.kind == ErrorKind::corrupt_input || t.kind == ErrorKind::limit_exceeded)
          << "byte " << i << ": " << t.message;
    }
}

TEST(Packet, EveryTruncationIsRefused) {
  const Bytes good = two_section_packet();
  for (std::size_t n = 0; n < good.size(); ++n) {
    const auto t = thrown(Bytes(good.begin(), good.begin() + std::ptrdiff_t(n)));
    EXPECT_EQ(t.kind, ErrorKind::corrupt_input) << n << ": " << t.message;
  }
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_NE(thrown(longer).message.find("after the last section"), std::string::npos);
}

// Offsets inside the single-section packet "data" (raw codec): magic 4, version 1, count 1,
// name length 1, name 4 -> codec tag at 11, params length 12, transform count 13, decoded 14..,
// stored .., crc.
Bytes single(const Bytes& data) {
  CodecSpec raw;
  return write_packet({{"data", raw, {}, data}});
}

void refix_crc(Bytes& packet, std::size_t entry_begin, std::size_t entry_end, std::size_t payload_begin) {
  uLong crc = crc32(0, packet.data() + entry_begin, uInt(entry_end - entry_begin));
  crc = crc32(crc, packet.data() + payload_begin, uInt(packet.size() - payload_begin));
  for (int i = 0; i < 4; ++i) packet[entry_end + i] = std::uint8_t(crc >> (8 * i));
}

TEST(Packet, NamedErrorsForEachKindOfDamage) {
  const Bytes data(100, 1);
  const Bytes good = single(data);
  ASSERT_EQ(good[11], 0) << "layout assumed by this test";
  {
    Bytes bad = good;
    bad[bad.size() - 1] ^= 1;  // payload byte
    const auto t = thrown(bad);
    EXPECT_NE(t.message.find("section 'data'"), std::string::npos) << t.message;
    EXPECT_NE(t.message.find("CRC32 mismatch"), std::string::npos) << t.message;
  }
  {
    Bytes bad = good;
    bad[11] = 0x77;  // unknown codec
    const auto t = thrown(bad);
    EXPECT_NE(t.message.find("section 'data': unknown codec tag 119"), std::string::npos) << t.message;
  }
  {
    Bytes bad = good;
    bad[4] = 2;  // future version
    EXPECT_NE(thrown(bad).message.find("version 2"), std::string::npos);
  }
  {
    Bytes bad = good;
    bad[0] = 'X';
    EXPECT_NE(thrown(bad).message.find("not a tac packet"), std::string::npos);
  }
  {
    // Declared sizes: decoded 100 at 14, stored 100 at 15. Stored length past the end.
    Bytes bad = good;
    ASSERT_EQ(bad[14], 100);
    ASSERT_EQ(bad[15], 100);
    bad[15] = 120;
    const auto t = thrown(bad);
    EXPECT_NE(t.message.find("section 'data': payload of 120 bytes runs past the end"), std::string::npos)
        << t.message;
  }
  {
    // Absurd declared size with a valid CRC: limit_exceeded before any allocation.
    Bytes bad(good.begin(), good.begin() + 14);
    const Bytes huge = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F};  // 2^49 - 1
    bad.insert(bad.end(), huge.begin(), huge.end());
    bad.push_back(100);
    const std::size_t entry_end = bad.size();
    bad.insert(bad.end(), 4, 0);
    bad.insert(bad.end(), data.begin(), data.end());
    refix_crc(bad, 6, entry_end, entry_end + 4);
    const auto t = thrown(bad);
    EXPECT_EQ(t.kind, ErrorKind::limit_exceeded) << t.message;
    EXPECT_NE(t.message.find("section 'data'"), std::string::npos) << t.message;
  }
  {
    // A raw payload whose declared decoded size disagrees, CRC fixed: refused by the decoder.
    Bytes bad = good;
    bad[14] = 99;
    refix_crc(bad, 6, 16, 20);
    const auto t = thrown(bad);
    EXPECT_EQ(t.kind, ErrorKind::corrupt_input);
    EXPECT_NE(t.message.find("section 'data'"), std::string::npos) << t.message;
  }
  {
    // The caller's limit applies to the sum of sections.
    const auto t = thrown(good, 50);
    EXPECT_EQ(t.kind, ErrorKind::limit_exceeded);
  }
}

TEST(Packet, WriterRefusesBadSections) {
  CodecSpec raw;
  const Bytes d = {1};
  EXPECT_THROW(write_packet({}), tac::Error);
  EXPECT_THROW(write_packet({{"", raw, {}, d}}), tac::Error);
  EXPECT_THROW(write_packet({{"has space", raw, {}, d}}), tac::Error);
  EXPECT_THROW(write_packet({{"a", raw, {}, d}, {"a", raw, {}, d}}), tac::Error);
}

}  // namespace
