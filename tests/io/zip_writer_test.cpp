// The reproducible zip writer: round trip through the hostile-safe reader, fixed bytes, refusals.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/io/zip_writer.hpp"

namespace {

using tac::io::ZipEntry;
using tac::io::ZipMethod;

std::vector<std::uint8_t> pseudo_random(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) {
    seed = seed * 1664525u + 1013904223u;
    b = static_cast<std::uint8_t>(seed >> 24);
  }
  return v;
}

TEST(ZipWriter, RoundTripsThroughTheReaderStoredAndDeflated) {
  const auto noise = pseudo_random(10000, 7);          // incompressible: stays stored
  const std::vector<std::uint8_t> text(20000, 'a');    // compressible: deflated
  const std::vector<ZipEntry> members{{"0.mkv", noise}, {"dir/notes.txt", text}, {"empty", {}}};
  const auto bytes = tac::io::zip_store(members);
  const auto zip = tac::io::ZipReader::parse(bytes, "memory");
  ASSERT_EQ(zip.members().size(), 3u);
  EXPECT_EQ(zip.members()[0].name, "0.mkv");  // order kept
  EXPECT_EQ(zip.members()[0].method, 0);
  EXPECT_EQ(zip.members()[1].method, 8);
  EXPECT_LT(zip.members()[1].compressed_size, text.size());
  EXPECT_EQ(zip.read(zip.members()[0]), noise);
  EXPECT_EQ(zip.read(zip.members()[1]), text);
  EXPECT_TRUE(zip.read(zip.members()[2]).empty());

  const auto stored = tac::io::zip_store(members, ZipMethod::Stored);
  const auto zip_stored = tac::io::ZipReader::parse(stored, "memory");
  EXPECT_EQ(zip_stored.members()[1].method, 0);
  EXPECT_EQ(zip_stored.read(zip_stored.members()[1]), text);
}

TEST(ZipWriter, SameMembersGiveSameBytes) {
  const auto a = pseudo_random(5000, 1);
  const std::vector<std::uint8_t> b(3000, 'x');
  const std::vector<ZipEntry> members{{"a.bin", a}, {"b.txt", b}};
  EXPECT_EQ(tac::io::zip_store(members), tac::io::zip_store(members));
  const std::vector<ZipEntry> swapped{members[1], members[0]};
  EXPECT_NE(tac::io::zip_store(members), tac::io::zip_store(swapped));
}

TEST(ZipWriter, UnzipExtractsWhatWasWritten) {
  if (std::system("command -v unzip >/dev/null 2>&1") != 0) GTEST_SKIP() << "unzip not installed";
  tac::test::TempDir dir("zipw");
  const auto payload = pseudo_random(4096, 3);
  const std::vector<ZipEntry> members{{"0.mkv", payload}};
  tac::io::write_zip(dir.path / "archive.zip", members);
  const auto cmd = "unzip -q -o '" + (dir.path / "archive.zip").string() + "' -d '" + (dir.path / "out").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir.path / "out" / "0.mkv", std::ios::binary);
  const std::vector<std::uint8_t> back{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(back, payload);
}

TEST(ZipWriter, RefusesUnsafeOrDuplicateNames) {
  const std::vector<std::uint8_t> x{1, 2, 3};
  for (const std::string bad : {"", "/abs", "../up", "a/../b", "a//b", "back\\slash", "ctl\x01"}) {
    const std::vector<ZipEntry> members{{bad, x}};
    EXPECT_THROW(tac::io::zip_store(members), tac::Error) << bad;
  }
  const std::vector<ZipEntry> dup{{"a", x}, {"a", x}};
  EXPECT_THROW(tac::io::zip_store(dup), tac::Error);
}

}  // namespace
