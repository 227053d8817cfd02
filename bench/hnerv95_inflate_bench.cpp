// Full-video inflate of the public hnerv95 archive (fixtures/replay/qhnerv_ft_best) through the
// same path as tac-inflate; prints JSON: time, ratio vs the reference inflate.py (572 s), stage
// breakdown (thread-seconds: wall time inside each stage, inflated when the machine is busy),
// user/system CPU seconds, peak RSS, and parity with the golden frames.
// --archive inflates another archive of the same video (e.g. `tac repack`'s hnerv95_tacp archive.zip)
// and checks it against the same golden frames.
// usage: bench_hnerv95_inflate [FIXTURES_DIR] [--archive ZIP] [--threads N] [--keep OUTPUT_DIR]
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tac/codec/inflate.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/raw_frames.hpp"
#include "tac/io/safetensors.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  fs::path fixtures = fs::path(TAC_SOURCE_DIR) / ".." / "shared" / "fixtures";
  if (const char* env = std::getenv("TAC_FIXTURES")) fixtures = env;
  int threads = 0;
  fs::path out_dir, archive;
  CLI::App app{"Full 1200-frame inflate of the public hnerv95 archive: time, ratio vs the reference, parity (JSON)."};
  app.add_option("fixtures", fixtures, "fixture folder (default $TAC_FIXTURES or ../shared/fixtures)");
  app.add_option("--threads", threads, "inflate threads (0: all hardware threads)")->check(CLI::NonNegativeNumber);
  app.add_option("--archive", archive, "archive to inflate (default: the fixture's archive.zip)");
  app.add_option("--keep", out_dir, "keep the inflated .raw in this folder");
  CLI11_PARSE(app, argc, argv);
  const fs::path replay = fixtures / "replay" / "qhnerv_ft_best";
  const bool keep = !out_dir.empty();
  if (!keep) out_dir = fs::temp_directory_path() / ("tac_bench_hnerv95_" + std::to_string(::getpid()));
  fs::create_directories(out_dir);
  const fs::path names = out_dir / "names.txt";
  std::ofstream(names) << "0.mkv\n";

  tac::codec::InflateRequest req;
  req.archive = archive.empty() ? replay / "archive.zip" : archive;
  req.output_dir = out_dir;
  req.names_file = names;
  req.options.threads = threads;
  const auto result = tac::codec::inflate_archive(req);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  // Parity: per-frame SHA-256 against golden.json, bytes against the four stored frames.
  const auto golden = nlohmann::json::parse(std::ifstream(replay / "golden.json"));
  const auto stored = tac::io::Safetensors::open(replay / "golden.safetensors");
  const tac::io::RawFrames raw(out_dir / "0.raw");
  int hash_match = 0;
  for (std::int64_t f = 0; f < raw.frame_count(); ++f)
    hash_match += tac::sha256_hex(raw.frame(f)) == golden["frame_sha256"][f].get<std::string>();
  std::uint64_t same = 0, total = 0;
  int max_diff = 0;
  for (const int f : {0, 1, 600, 1199}) {
    const auto& g = stored.at("frame_" + std::to_string(f));
    const auto mine = raw.frame(f);
    for (std::size_t i = 0; i < mine.size(); ++i) {
      same += mine[i] == g.data[i];
      max_diff = std::max(max_diff, std::abs(int(mine[i]) - int(g.data[i])));
    }
    total += mine.size();
  }
  const bool raw_equal = raw.frame_count() == 1200 && hash_match == 1200;
  const double wall = result.stats.wall_seconds;
  nlohmann::json j = {
      {"benchmark", "hnerv95_inflate"},
      {"archive", req.archive.string()},
      {"archive_bytes", fs::file_size(req.archive)},
      {"format", result.format},
      {"frames", raw.frame_count()},
      {"threads", result.stats.threads},
      {"wall_seconds", wall},
      {"reference_seconds", 572.0},
      {"speedup_vs_reference", 572.0 / wall},
      {"thread_seconds", {{"network", result.stats.network_seconds}, {"upscale", result.stats.upscale_seconds}}},
      {"writer_seconds", result.stats.write_seconds},
      // Process CPU time of the inflate (less sensitive than wall time to other load on the machine).
      {"cpu_seconds", {{"user", ru.ru_utime.tv_sec + 1e-6 * ru.ru_utime.tv_usec},
                       {"system", ru.ru_stime.tv_sec + 1e-6 * ru.ru_stime.tv_usec}}},
      {"peak_rss_mb", ru.ru_maxrss / 1024.0},
      {"frame_sha256_matches", hash_match},
      {"stored_frames_identical_fraction", double(same) / double(total)},
      {"stored_frames_max_abs_diff", max_diff},
      {"all_frames_bit_exact", raw_equal},
  };
  std::printf("%s\n", j.dump(2).c_str());
  if (!keep) fs::remove_all(out_dir);
  return 0;
}
