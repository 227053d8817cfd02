// maskgen payload framing: four u32-length records, nothing after, hostile lengths rejected.
#include <gtest/gtest.h>

#include "maskgen_fixture.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/core/error.hpp"

namespace mg = tac::codec::maskgen;

namespace {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::vector<std::uint8_t> framed(const std::vector<std::vector<std::uint8_t>>& records) {
  std::vector<std::uint8_t> out;
  for (const auto& r : records) {
    put_u32(out, static_cast<std::uint32_t>(r.size()));
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

tac::ErrorKind kind_of(const std::vector<std::uint8_t>& bytes) {
  try {
    mg::split_payload(bytes, "test");
  } catch (const tac::Error& e) {
    return e.kind();
  }
  return tac::ErrorKind::internal;  // no error: the caller's EXPECT fails on this
}

}  // namespace

TEST(MaskgenPayload, SplitsFourRecordsInOrder) {
  const auto bytes = framed({{1, 2, 3}, {}, {4}, {5, 6}});
  const auto p = mg::split_payload(bytes, "test");
  EXPECT_EQ(p[mg::RecordId::mask].bytes.size(), 3u);
  EXPECT_EQ(p[mg::RecordId::mask].bytes[2], 3);
  EXPECT_EQ(p[mg::RecordId::pose].bytes.size(), 0u);
  EXPECT_EQ(p[mg::RecordId::model].bytes[0], 4);
  EXPECT_EQ(p[mg::RecordId::sidecar].bytes[1], 6);
  EXPECT_EQ(p[mg::RecordId::sidecar].offset, 4u + 3 + 4 + 0 + 4 + 1);
}

TEST(MaskgenPayload, ArchiveRecordsCoverTheMemberExactly) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto bytes = tac::test::maskgen_payload_bytes(zip);
  const auto p = mg::split_payload(bytes, "p");
  std::uint64_t covered = 0;
  for (const auto& r : p.records) {
    EXPECT_EQ(r.offset, covered);
    EXPECT_FALSE(r.bytes.empty());
    covered += 4 + r.bytes.size();
  }
  EXPECT_EQ(covered, bytes.size());
}

TEST(MaskgenPayload, DamagedFramingIsCorruptInput) {
  const auto good = framed({{1, 2, 3}, {7}, {4}, {5, 6}});
  const std::vector<std::uint8_t> truncated(good.begin(), good.end() - 1);
  EXPECT_EQ(kind_of(truncated), tac::ErrorKind::corrupt_input);
  auto short_length = good;
  short_length.resize(good.size() - 2 - 4 + 2);  // sidecar length field cut in half
  EXPECT_EQ(kind_of(short_length), tac::ErrorKind::corrupt_input);
  auto lying = good;
  lying[0] = 0xFF;  // mask claims 255 bytes
  EXPECT_EQ(kind_of(lying), tac::ErrorKind::corrupt_input);
  auto huge = good;
  huge[3] = 0xFF;  // mask claims ~4 GiB
  EXPECT_EQ(kind_of(huge), tac::ErrorKind::corrupt_input);
  auto trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(kind_of(trailing), tac::ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of({}), tac::ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of(framed({{1}, {2}, {3}})), tac::ErrorKind::corrupt_input);  // three records only
}
