// libFuzzer target: a ground-truth cache entry (bytes on disk, possibly corrupt or planted) is
// either accepted as valid or rejected and deleted, never trusted half-way or crashing.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "tac/core/error.hpp"
#include "tac/eval/gt_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto dir = std::filesystem::temp_directory_path() / ("tac-fuzz-gt-cache-" + std::to_string(::getpid()));
  const tac::eval::GtCache cache(dir);
  const tac::eval::GtCacheKey key{std::string(64, 'a'), std::string(64, 'b'), std::string(64, 'c'), "cpu", "fuzz",
                                  "samples [0, 1)", 1};
  std::filesystem::create_directories(dir);
  std::ofstream(cache.entry_path(key), std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    std::string note;
    if (const auto entry = cache.load(key, &note)) {
      (void)entry->pose(0, entry->samples());
      (void)entry->seg(0, entry->samples());
    }
  } catch (const tac::Error&) {
  }
  return 0;
}
