#include "support/error_kind.hpp"
#include "tac/core/output_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"

TEST(OutputFile, AppearsOnlyAfterCommit) {
  tac::test::TempDir dir("outfile");
  const auto target = dir.path / "out.bin";
  {
    tac::OutputFile out(target);
    out.write(std::string_view("hello"));
    EXPECT_FALSE(std::filesystem::exists(target));
    out.commit();
  }
  ASSERT_TRUE(std::filesystem::exists(target));
  tac::MappedFile map(target);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(map.bytes().data()), map.size()), "hello");
}

TEST(OutputFile, AbandonedWriteLeavesNothing) {
  tac::test::TempDir dir("outfile");
  {
    tac::OutputFile out(dir.path / "x.raw");
    out.write(std::string_view("partial"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path));
}

TEST(OutputFile, MissingDirectoryIsAClearError) {
  EXPECT_TAC_ERROR(tac::OutputFile("/nonexistent-dir-for-tac/x.raw"), tac::ErrorKind::io);
}

TEST(MappedFile, MissingFileNamesThePath) {
  try {
    tac::MappedFile map("/nonexistent-file-for-tac");
    FAIL();
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-file-for-tac"), std::string::npos);
  }
}
