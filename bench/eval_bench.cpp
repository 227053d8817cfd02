// `tac eval` end to end on fixtures/scorer/clip16 (8 samples, twin weights): cold and warm
// ground-truth cache, median wall time of several runs and the peak RSS of the child process,
// against the reference (upstream evaluate.py, torch 1.13 + OpenBLAS, 2 threads: 20.4 s, 1.6 GB).
// Prints JSON. Usage: eval_bench [--tac PATH] [--fixtures DIR] [--runs N] [--threads N]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
constexpr double kReferenceSeconds = 20.4;
constexpr double kReferencePeakMb = 1600;

struct Sample {
  double seconds = 0;
  double peak_rss_mb = 0;
  int status = -1;
};

Sample run(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  Sample s;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return s;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  s.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return s;
}

std::vector<std::uint8_t> unzstd(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) throw std::runtime_error("bad zstd file");
  std::vector<std::uint8_t> out(size);
  if (ZSTD_isError(ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size()))) throw std::runtime_error("zstd");
  return out;
}

nlohmann::json summarize(std::vector<Sample> runs, double target_speedup) {
  std::vector<double> secs, rss;
  for (const auto& r : runs) {
    secs.push_back(r.seconds);
    rss.push_back(r.peak_rss_mb);
  }
  std::sort(secs.begin(), secs.end());
  const double median = secs.empty() ? 0 : secs[secs.size() / 2];
  const double peak = rss.empty() ? 0 : *std::max_element(rss.begin(), rss.end());
  return {{"runs_seconds", secs},
          {"median_seconds", median},
          {"min_seconds", secs.empty() ? 0 : secs.front()},
          {"peak_rss_mb", peak},
          {"speedup_vs_reference", median > 0 ? kReferenceSeconds / median : 0},
          {"target_speedup", target_speedup},
          {"meets_speed_target", median > 0 && kReferenceSeconds / median >= target_speedup},
          {"meets_memory_target", peak <= 800}};
}

}  // namespace

int main(int argc, char** argv) {
  fs::path tac = fs::path(TAC_BINARY_DIR) / "apps" / "tac" / "tac";
  fs::path fixtures = fs::path(TAC_SOURCE_DIR) / ".." / "shared" / "fixtures";
  if (const char* env = std::getenv("TAC_FIXTURES"); env && *env) fixtures = env;
  int runs = 3, threads = 2;
  CLI::App app{"`tac eval` end to end on clip16: cold and warm ground-truth cache, median wall, peak RSS (JSON)."};
  app.add_option("--tac", tac, "the tac launcher to time");
  app.add_option("--fixtures", fixtures, "fixture folder (default $TAC_FIXTURES or ../shared/fixtures)");
  app.add_option("--runs", runs, "runs of each kind")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "scorer threads")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const fs::path clip = fixtures / "scorer" / "clip16";
  const fs::path work = fs::temp_directory_path() / fmt::format("tac-eval-bench-{}", ::getpid());
  fs::create_directories(work / "sub" / "inflated");
  fs::create_directories(work / "videos");
  fs::copy_file(clip / "gt.mkv", work / "videos" / "0.mkv");
  fs::copy_file(clip / "recon_archive.zip", work / "sub" / "archive.zip");
  std::ofstream(work / "names.txt") << "0.mkv\n";
  {
    const auto raw = unzstd(clip / "recon.raw.zst");
    std::ofstream(work / "sub" / "inflated" / "0.raw", std::ios::binary)
        .write(reinterpret_cast<const char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  }
  auto args = [&](const fs::path& cache) {
    return std::vector<std::string>{tac.string(), "eval", "--submission-dir", (work / "sub").string(), "--uncompressed-dir",
                                    (work / "videos").string(), "--video-names-file", (work / "names.txt").string(),
                                    "--segnet", (fixtures / "scorer" / "twin_segnet.safetensors").string(), "--posenet",
                                    (fixtures / "scorer" / "twin_posenet.safetensors").string(), "--skip-inflate",
                                    "--threads", std::to_string(threads), "--no-progress", "--cache-dir", cache.string()};
  };
  std::vector<Sample> cold, warm;
  int failures = 0;
  for (int i = 0; i < runs; ++i) {
    const fs::path cache = work / fmt::format("cache-{}", i);  // a fresh cache: cold
    const auto c = run(args(cache), work / "cold.log");
    const auto w = run(args(cache), work / "warm.log");        // the same cache, now warm
    failures += (c.status != 0) + (w.status != 0);
    cold.push_back(c);
    warm.push_back(w);
  }
  nlohmann::json out{{"benchmark", "eval_clip16"},
                     {"samples", 8},
                     {"threads", threads},
                     {"runs", runs},
                     {"reference", {{"tool", "upstream evaluate.py, torch 1.13 + OpenBLAS"}, {"seconds", kReferenceSeconds}, {"peak_rss_mb", kReferencePeakMb}}},
                     {"cold_cache", summarize(cold, 2.5)},
                     {"warm_cache", summarize(warm, 5.0)},
                     {"goal", {{"cold_speedup", 5.0}, {"warm_speedup", 10.0}}},
                     {"failed_runs", failures}};
  if (failures > 0) out["log_tail"] = fmt::format("see {}", (work / "cold.log").string());
  else fs::remove_all(work);
  std::printf("%s\n", out.dump(2).c_str());
  return failures == 0 ? 0 : 1;
}
