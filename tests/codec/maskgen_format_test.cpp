// maskgen behind the codec interface: detected from the bytes, described section by section
// (the sections tile the member), and inflate refused with a usage error until the generator lands.
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

TEST(MaskgenFormat, InflateIsAUsageErrorUntilTheGeneratorExists) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto bytes = tac::test::maskgen_payload_bytes(zip);
  NullSink sink;
  try {
    mg::format().inflate({"p", bytes}, sink, {});
    ADD_FAILURE() << "inflate did not fail";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
  }
  EXPECT_EQ(sink.frames, 0);
}
