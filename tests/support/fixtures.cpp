#include "support/fixtures.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

namespace tac::test {

std::filesystem::path fixtures_root() {
  if (const char* env = std::getenv("TAC_FIXTURES"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(TAC_SOURCE_DIR) / ".." / "shared" / "fixtures";
}

bool fixtures_required() {
  const char* env = std::getenv("TAC_REQUIRE_FIXTURES");
  return env != nullptr && std::string(env) == "1";
}

std::optional<std::filesystem::path> find_fixture(const std::string& relative) {
  const auto path = fixtures_root() / relative;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return path;
  return std::nullopt;
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return nlohmann::json::parse(in);
}

std::filesystem::path make_temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tac-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path built_program(const std::string& name) {
  const char* env = std::getenv("TAC_BINARY_DIR");
  const std::filesystem::path root = env != nullptr ? env : TAC_BINARY_DIR;
  for (const auto& candidate : {root / "apps" / name / name, root / "apps" / "tac" / name, root / name}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return root / "apps" / name / name;
}

}  // namespace tac::test
