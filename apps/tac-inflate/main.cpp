// tac-inflate — the light inflate runtime: `tac-inflate [--format NAME] [--threads N]
// ARCHIVE OUTPUT_DIR NAMES_FILE`, the contract of a submission's inflate.sh. Plain C++ with
// brotli, zlib and SLEEF; no libtorch, so a submission can build it from source at inflate time.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "tac/codec/inflate.hpp"
#include "tac/core/error.hpp"

namespace {
void usage() {
  std::fprintf(stderr,
               "usage: tac-inflate [--format NAME] [--threads N] [--max-frames N] ARCHIVE OUTPUT_DIR NAMES_FILE\n"
               "  ARCHIVE: the unzipped archive directory, archive.zip, or one member file.\n"
               "  Writes OUTPUT_DIR/<name>.raw for every name in NAMES_FILE.\n"
               "  Known formats: %s\n",
               tac::codec::known_formats_text().c_str());
}

// A whole number in [lo, hi] for option `name`, or a usage error.
long long integer(const std::string& name, const std::string& text, long long lo, long long hi) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    tac::fail(tac::ErrorKind::usage, "{} {}: expected a whole number in [{}, {}]", name, text, lo, hi);
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    tac::codec::InflateRequest request;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) tac::fail(tac::ErrorKind::usage, "{} needs a value", arg);
        return argv[++i];
      };
      if (arg == "-h" || arg == "--help") {
        usage();
        return 0;
      } else if (arg == "--format") {
        request.expected_format = value();
      } else if (arg == "--threads") {
        request.options.threads = static_cast<int>(integer(arg, value(), 0, std::numeric_limits<int>::max()));
      } else if (arg == "--max-frames") {
        request.options.max_frames = integer(arg, value(), -1, std::numeric_limits<long long>::max());
      } else if (!arg.empty() && arg[0] == '-') {
        usage();
        return tac::exit_code(tac::ErrorKind::usage);
      } else {
        positional.push_back(arg);
      }
    }
    if (positional.size() != 3) {
      usage();
      return tac::exit_code(tac::ErrorKind::usage);
    }
    request.archive = positional[0];
    request.output_dir = positional[1];
    request.names_file = positional[2];
    const auto result = tac::codec::inflate_archive(request);
    for (const auto& v : result.videos)
      std::fprintf(stderr, "tac-inflate: %s -> %s (%lld frames, %s, %.1f s)\n", v.name.c_str(), v.raw_path.c_str(),
                   static_cast<long long>(v.frames), result.format.c_str(), result.stats.wall_seconds);
    return 0;
  } catch (const tac::Error& e) {
    std::fprintf(stderr, "tac-inflate: error: %s\n", e.what());
    return tac::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tac-inflate: unexpected error: %s\n", e.what());
    return tac::exit_code(tac::ErrorKind::internal);
  }
}
