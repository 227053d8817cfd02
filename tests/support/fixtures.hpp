#pragma once
// Locating ../shared/fixtures from tests. Absent fixtures skip a test, unless the environment
// sets TAC_REQUIRE_FIXTURES=1 (CI does), which turns absence into a failure.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace tac::test {

// TAC_FIXTURES if set, else <source>/../shared/fixtures.
std::filesystem::path fixtures_root();
bool fixtures_required();
// The path of a fixture file if it exists.
std::optional<std::filesystem::path> find_fixture(const std::string& relative);
nlohmann::json read_json(const std::filesystem::path& path);
// A fresh, empty temporary directory for one test, removed by the caller's scope guard.
std::filesystem::path make_temp_dir(const std::string& tag);

struct TempDir {
  explicit TempDir(const std::string& tag) : path(make_temp_dir(tag)) {}
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

// Path of a built program (e.g. "tac") in the build tree.
std::filesystem::path built_program(const std::string& name);

}  // namespace tac::test

// Declares `var` as the fixture path, or skips/fails the current test when it is missing.
#define TAC_FIXTURE(var, relative)                                                                    \
  const auto var##_found = ::tac::test::find_fixture(relative);                                       \
  if (!var##_found) {                                                                                 \
    if (::tac::test::fixtures_required()) {                                                           \
      FAIL() << "fixture missing: " << (::tac::test::fixtures_root() / (relative)).string()           \
             << " (TAC_REQUIRE_FIXTURES=1)";                                                          \
    }                                                                                                 \
    GTEST_SKIP() << "fixture missing: " << (::tac::test::fixtures_root() / (relative)).string();      \
  }                                                                                                   \
  const std::filesystem::path var = *var##_found
