// tac::ByteReader: every read is bounds-checked, fails as corrupt input naming source, field and
// offset, and never moves past the end; ULEB128 edge cases; sub-readers name their field.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/error_kind.hpp"
#include "tac/core/byte_reader.hpp"

namespace {

using tac::ByteReader;
using Bytes = std::vector<std::uint8_t>;

// The message of the corrupt-input error `f` throws ("" and a test failure otherwise).
template <typename F>
std::string corrupt_message(F&& f) {
  const auto e = tac::test::error_of(f);
  if (!e) {
    ADD_FAILURE() << "no error";
    return "";
  }
  EXPECT_EQ(e->kind(), tac::ErrorKind::corrupt_input) << e->what();
  return e->what();
}

TEST(ByteReader, ReadsLittleEndianAndBigEndian) {
  const Bytes b{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
                0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x00, 0x00, 0x80, 0x3F};
  ByteReader r(b, "t.bin");
  EXPECT_EQ(r.u8("a"), 0x01);
  EXPECT_EQ(r.u16("b"), 0x0302);
  EXPECT_EQ(r.u32("c"), 0x07060504u);
  EXPECT_EQ(r.u64("d"), 0x0F0E0D0C0B0A0908ull);
  EXPECT_EQ(r.u32_be("e"), 0x10111213u);
  EXPECT_EQ(r.offset(), 19u);
  EXPECT_EQ(r.text(2, "f"), std::string("\x14\x15"));
  EXPECT_EQ(r.f32("g"), 1.0f);
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(r.remaining(), 0u);
}

// For each fixed-size read: with one byte too few it fails, names source, field and offset,
// and leaves the position where it was; with exactly enough it succeeds.
TEST(ByteReader, EveryReadChecksItsBounds) {
  struct Read {
    const char* field;
    std::size_t bytes;
    void (*read)(ByteReader&);
  };
  const Read reads[] = {
      {"u8 field", 1, [](ByteReader& r) { (void)r.u8("u8 field"); }},
      {"u16 field", 2, [](ByteReader& r) { (void)r.u16("u16 field"); }},
      {"u32 field", 4, [](ByteReader& r) { (void)r.u32("u32 field"); }},
      {"u64 field", 8, [](ByteReader& r) { (void)r.u64("u64 field"); }},
      {"f32 field", 4, [](ByteReader& r) { (void)r.f32("f32 field"); }},
      {"be field", 4, [](ByteReader& r) { (void)r.u32_be("be field"); }},
      {"take field", 5, [](ByteReader& r) { (void)r.take(5, "take field"); }},
      {"text field", 3, [](ByteReader& r) { (void)r.text(3, "text field"); }},
      {"skip field", 6, [](ByteReader& r) { r.skip(6, "skip field"); }},
      {"block field", 7, [](ByteReader& r) { (void)r.block(7, "block field"); }},
      {"sub field", 2, [](ByteReader& r) { (void)r.sub(2, "sub field"); }},
  };
  for (const auto& read : reads) {
    for (const std::size_t lead : {std::size_t{0}, std::size_t{3}}) {  // at the start and after some bytes
      const Bytes short_bytes(lead + read.bytes - 1, 0xAB);
      ByteReader r(short_bytes, "short.bin");
      r.skip(lead, "lead");
      const auto msg = corrupt_message([&] { read.read(r); });
      EXPECT_NE(msg.find("short.bin"), std::string::npos) << msg;
      EXPECT_NE(msg.find(read.field), std::string::npos) << msg;
      EXPECT_NE(msg.find("offset " + std::to_string(lead)), std::string::npos) << msg;
      EXPECT_EQ(r.offset(), lead) << read.field;  // a failed read consumes nothing

      const Bytes exact(lead + read.bytes, 0xAB);
      ByteReader ok(exact, "exact.bin");
      ok.skip(lead, "lead");
      read.read(ok);
      EXPECT_TRUE(ok.at_end()) << read.field;
    }
  }
}

TEST(ByteReader, HugeLengthsFailWithoutOverflow) {
  const Bytes b(16, 0);
  ByteReader r(b, "h.bin");
  r.skip(8, "lead");
  EXPECT_TAC_ERROR(r.take(UINT64_MAX, "huge"), tac::ErrorKind::corrupt_input);
  EXPECT_TAC_ERROR(r.take(UINT64_MAX - 7, "huge"), tac::ErrorKind::corrupt_input);
  EXPECT_TAC_ERROR(r.need(std::uint64_t{1} << 63, "huge"), tac::ErrorKind::corrupt_input);
  EXPECT_NO_THROW(r.need(8, "rest"));
  EXPECT_EQ(r.offset(), 8u);
}

TEST(ByteReader, SeekWithinAndPastTheEnd) {
  const Bytes b{1, 2, 3, 4};
  ByteReader r(b, "s.bin");
  r.seek(4, "to the end");  // the end itself is a valid position
  EXPECT_TRUE(r.at_end());
  r.seek(1, "back");
  EXPECT_EQ(r.u8("x"), 2);
  const auto msg = corrupt_message([&] { r.seek(5, "member offset"); });
  EXPECT_NE(msg.find("s.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("member offset"), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset 5"), std::string::npos) << msg;
  EXPECT_EQ(r.offset(), 2u);
  EXPECT_TAC_ERROR(r.seek(UINT64_MAX, "far"), tac::ErrorKind::corrupt_input);
}

TEST(ByteReader, SubReaderCoversItsBytesAndNamesItsField) {
  const Bytes b{9, 1, 2, 3, 7};
  ByteReader r(b, "outer.bin");
  EXPECT_EQ(r.u8("tag"), 9);
  ByteReader inner = r.sub(3, "weights section");
  EXPECT_EQ(r.offset(), 4u);  // consumed from the outer reader
  EXPECT_EQ(inner.size(), 3u);
  EXPECT_EQ(inner.u16("pair"), 0x0201);
  const auto msg = corrupt_message([&] { (void)inner.u16("tail"); });  // 1 byte left; the 7 is outside
  EXPECT_NE(msg.find("outer.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("weights section"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at offset 1"), std::string::npos) << msg;  // where the section starts
  EXPECT_NE(msg.find("tail"), std::string::npos) << msg;
  EXPECT_EQ(r.u8("after"), 7);
}

TEST(ByteReader, UncheckedBlockReadsWhatTheCheckAdmitted) {
  const Bytes b{1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0xFF};
  ByteReader r(b, "b.bin");
  auto block = r.block(14, "record");
  EXPECT_EQ(r.offset(), 14u);
  EXPECT_EQ(block.u16(), 1);
  EXPECT_EQ(block.u32(), 2u);
  EXPECT_EQ(block.u64(), 3u);
  EXPECT_EQ(block.pos(), block.size());
  EXPECT_EQ(r.u8("last"), 0xFF);
}

std::uint64_t uleb(const Bytes& b) {
  ByteReader r(b, "u.bin");
  const auto v = r.uleb128("length");
  EXPECT_TRUE(r.at_end()) << "left " << r.remaining() << " bytes";
  return v;
}

TEST(ByteReader, Uleb128Values) {
  EXPECT_EQ(uleb({0x00}), 0u);
  EXPECT_EQ(uleb({0x7F}), 127u);
  EXPECT_EQ(uleb({0x80, 0x01}), 128u);
  EXPECT_EQ(uleb({0xE5, 0x8E, 0x26}), 624485u);            // the DWARF specification's example
  EXPECT_EQ(uleb({0x80, 0x80, 0x80, 0x00}), 0u);            // redundant zero groups are allowed
  EXPECT_EQ(uleb({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), UINT64_MAX);
  EXPECT_EQ(uleb({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), std::uint64_t{1} << 63);
  EXPECT_EQ(uleb({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), 0u);
}

TEST(ByteReader, Uleb128RejectsOverflowLengthAndTruncation) {
  // The 10th byte may carry only bit 63.
  for (const int last : {0x02, 0x03, 0x7F}) {
    Bytes b(9, 0xFF);
    b.push_back(static_cast<std::uint8_t>(last));
    const auto msg = corrupt_message([&] { (void)uleb(b); });
    EXPECT_NE(msg.find("overflows 64 bits"), std::string::npos) << msg;
    EXPECT_NE(msg.find("length"), std::string::npos) << msg;
  }
  // An 11th byte is never valid, even if the value would fit.
  Bytes eleven(10, 0x80);
  eleven.push_back(0x00);
  (void)corrupt_message([&] { (void)uleb(eleven); });
  // Continuation bit set on the last available byte.
  for (const Bytes& cut : {Bytes{}, Bytes{0x80}, Bytes{0xFF, 0xFF}}) {
    const auto msg = corrupt_message([&] { (void)uleb(cut); });
    EXPECT_NE(msg.find("u.bin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("length"), std::string::npos) << msg;
  }
}

}  // namespace
