// Replays inputs through a fuzz target's LLVMFuzzerTestOneInput as an ordinary program, so the
// seed corpora run as ctest cases in the GCC and ASan builds, not only under libFuzzer (zstd's
// tests/fuzz/regression_driver.c). A crash or a failed property aborts; otherwise exit 0.
//   replay_<target> [--fixtures LIST]... PATH...
// PATH is a file or a directory whose files (recursively, in sorted order) are one input each.
// LIST names fixture files relative to $TAC_FIXTURES (default <source>/../shared/fixtures); a
// missing one is skipped (exit 77 when nothing was replayed) unless TAC_REQUIRE_FIXTURES=1.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;
constexpr int kSkipped = 77;  // ctest's SKIP_RETURN_CODE for these tests

fs::path fixtures_root() {
  if (const char* env = std::getenv("TAC_FIXTURES"); env != nullptr && *env != '\0') return env;
  return fs::path(TAC_SOURCE_DIR) / ".." / "shared" / "fixtures";
}

bool fixtures_required() {
  const char* env = std::getenv("TAC_REQUIRE_FIXTURES");
  return env != nullptr && std::string(env) == "1";
}

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void add_path(const fs::path& path, std::vector<fs::path>& inputs) {
  if (!fs::is_directory(path)) {
    inputs.push_back(path);
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(path))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  inputs.insert(inputs.end(), files.begin(), files.end());
}

// Adds the fixtures a list names; returns how many are missing.
int add_fixtures(const fs::path& list, std::vector<fs::path>& inputs) {
  std::ifstream in(list);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read fixture list %s\n", list.c_str());
    std::exit(1);
  }
  int missing = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto path = fixtures_root() / line;
    if (fs::is_regular_file(path)) {
      inputs.push_back(path);
    } else {
      std::fprintf(stderr, "replay: fixture %s not found\n", path.c_str());
      ++missing;
    }
  }
  return missing;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  int missing = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fixtures" && i + 1 < argc) {
      missing += add_fixtures(argv[++i], inputs);
    } else if (fs::exists(arg)) {
      add_path(arg, inputs);
    } else {
      std::fprintf(stderr, "replay: %s does not exist\nusage: %s [--fixtures LIST]... PATH...\n", arg.c_str(), argv[0]);
      return 2;
    }
  }
  if (missing > 0 && fixtures_required()) {
    std::fprintf(stderr, "replay: %d fixture(s) missing and TAC_REQUIRE_FIXTURES=1\n", missing);
    return 1;
  }
  for (const auto& path : inputs) {
    const auto bytes = read_file(path);
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("replayed %zu input(s), %d missing fixture(s) skipped\n", inputs.size(), missing);
  return inputs.empty() ? kSkipped : 0;
}
