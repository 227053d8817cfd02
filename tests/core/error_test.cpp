// Error kinds: distinct names and exit codes, kept by tac::Error, and the typed fail().
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/error_kind.hpp"
#include "tac/core/error.hpp"

namespace {

constexpr tac::ErrorKind kAllKinds[] = {tac::ErrorKind::usage, tac::ErrorKind::corrupt_input,
                                        tac::ErrorKind::limit_exceeded, tac::ErrorKind::io,
                                        tac::ErrorKind::internal};

TEST(ErrorKind, EveryKindHasItsOwnNameAndNonZeroExitCode) {
  std::set<std::string> names;
  std::set<int> codes;
  for (const auto kind : kAllKinds) {
    const int code = tac::exit_code(kind);
    EXPECT_GT(code, 1) << tac::kind_name(kind);    // 1 is any script's generic failure
    EXPECT_LT(code, 126) << tac::kind_name(kind);  // shells reserve 126 and up
    names.insert(std::string(tac::kind_name(kind)));
    codes.insert(code);
  }
  EXPECT_EQ(names.size(), std::size(kAllKinds));
  EXPECT_EQ(codes.size(), std::size(kAllKinds));
}

TEST(ErrorKind, ExitCodesAreTheDocumentedOnes) {
  EXPECT_EQ(tac::exit_code(tac::ErrorKind::usage), 2);
  EXPECT_EQ(tac::exit_code(tac::ErrorKind::corrupt_input), 3);
  EXPECT_EQ(tac::exit_code(tac::ErrorKind::limit_exceeded), 4);
  EXPECT_EQ(tac::exit_code(tac::ErrorKind::io), 5);
  EXPECT_EQ(tac::exit_code(tac::ErrorKind::internal), 70);
  EXPECT_EQ(tac::kind_name(tac::ErrorKind::corrupt_input), "corrupt input");
}

TEST(ErrorKind, TypedFailCarriesKindAndFormattedMessage) {
  for (const auto kind : kAllKinds) {
    const auto e = tac::test::error_of([&] { tac::fail(kind, "{}: field {} at {}", "x.bin", "len", 7); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->kind(), kind);
    EXPECT_STREQ(e->what(), "x.bin: field len at 7");
  }
  EXPECT_TAC_ERROR(tac::fail(tac::ErrorKind::io, "disk"), tac::ErrorKind::io);
}

}  // namespace
