// maskgen behind the codec interface: detected from the bytes, described section by section
// (the sections tile the member), and damaged archives fail before any frame is written.
#include <gtest/gtest.h>

#include "maskgen_fixture.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/codec.hpp"
#include "tac/codec/maskgen/maskgen_format.hpp"
#include "tac/core/error.hpp"

namespace mg = tac::codec::maskgen;

namespace {

class NullSink final : public tac::codec::FrameSink {
 public:
  void write_frame(std::span<const std::uint8_t>) override { ++frames; }
  int frames = 0;
};

}  // namespace

TEST(MaskgenFormat, DetectedFromTheArchiveBytes) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto archive = tac::codec::ArchiveContents::open(zip);
  EXPECT_EQ(tac::codec::detect_format(archive).name(), "maskgen");
  const auto* member = mg::format().member_for(archive, "0.mkv");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->name, "p");
  EXPECT_TRUE(mg::format().detect(*member));
  // Damaged framing is not this format (detect never throws).
  std::vector<std::uint8_t> cut(member->bytes.begin(), member->bytes.end() - 1);
  EXPECT_FALSE(mg::format().detect({"p", cut}));
  EXPECT_FALSE(mg::format().detect({"p", {}}));
}

TEST(MaskgenFormat, SectionsTileTheMemberAndNameEveryPart) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto bytes = tac::test::maskgen_payload_bytes(zip);
  const auto sections = mg::format().describe({"p", bytes});
  std::uint64_t at = 0;
  int chunks = 0;
  for (const auto& s : sections) {
    EXPECT_EQ(s.offset, at) << s.name;
    at += s.bytes;
    chunks += s.name.rfind("mask chunk", 0) == 0;
    EXPECT_EQ(s.detail.find("damaged"), std::string::npos) << s.name << ": " << s.detail;
  }
  EXPECT_EQ(at, bytes.size());
  EXPECT_EQ(chunks, 22);
  EXPECT_EQ(sections[sections.size() - 3].name, "pose");
  EXPECT_EQ(sections[sections.size() - 2].name, "model");
  EXPECT_EQ(sections.back().name, "sidecar");
  EXPECT_GT(sections[sections.size() - 2].decoded_bytes, sections[sections.size() - 2].bytes);
}

TEST(MaskgenFormat, DamagedArchivesFailBeforeAnyFrame) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto good = tac::test::maskgen_payload_bytes(zip);
  const auto kind_and_frames = [](const std::vector<std::uint8_t>& bytes) {
    NullSink sink;
    try {
      mg::format().inflate({"p", bytes}, sink, {});
    } catch (const tac::Error& e) {
      return std::make_pair(e.kind(), sink.frames);
    }
    return std::make_pair(tac::ErrorKind::internal, sink.frames);  // no error: the EXPECT fails
  };
  const std::vector<std::uint8_t> truncated(good.begin(), good.end() - 100);
  EXPECT_EQ(kind_and_frames(truncated), std::make_pair(tac::ErrorKind::corrupt_input, 0));
  auto chunks = good;
  chunks[4] = 21;  // chunk count (after the mask record's length)
  EXPECT_EQ(kind_and_frames(chunks), std::make_pair(tac::ErrorKind::corrupt_input, 0));
  auto lying = good;
  lying[0] ^= 0x10;  // the mask record's length
  EXPECT_EQ(kind_and_frames(lying), std::make_pair(tac::ErrorKind::corrupt_input, 0));
}
