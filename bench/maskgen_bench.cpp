// The maskgen family on the public archive (fixtures/replay/vibe_coder_final_boss). Prints JSON:
//   mask decode (22 QMA9 tiles, unflipped and placed) at 1 and 2 threads: wall and CPU seconds
//   (best of --runs; CPU seconds stay honest on a busy machine), contexts, whether the masks hash to
//   golden.json (the reference decodes them in 73 s on this machine class);
//   generator: one pair's forward (single thread), wall and CPU seconds (the reference: ~117 s per
//   batch of 4 pairs); peak RSS.
// usage: bench_maskgen [FIXTURES_DIR] [--runs N]
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/generator.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/zip_reader.hpp"

namespace {

// User + system CPU seconds of this process so far.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  namespace mg = tac::codec::maskgen;
  fs::path fixtures = fs::path(TAC_SOURCE_DIR) / ".." / "shared" / "fixtures";
  if (const char* env = std::getenv("TAC_FIXTURES")) fixtures = env;
  int runs = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::stoi(argv[++i]));
    else fixtures = a;
  }
  const fs::path replay = fixtures / "replay" / "vibe_coder_final_boss";
  const auto zip = tac::io::ZipReader::open(replay / "archive.zip");
  const auto payload = zip.read(*zip.find("p"));
  const auto parts = mg::split_payload(payload, "p");
  const auto golden = nlohmann::json::parse(std::ifstream(replay / "golden.json"));

  nlohmann::json out = {{"archive", (replay / "archive.zip").string()},
                        {"mask_record_bytes", parts[mg::RecordId::mask].bytes.size()},
                        {"reference_seconds", golden["reference_seconds"]["mask_decode"]}};
  for (int threads : {1, 2}) {
    double best = 1e30, best_cpu = 1e30;
    mg::MaskDecodeStats stats;
    bool match = false;
    for (int r = 0; r < runs; ++r) {
      const double cpu0 = cpu_seconds();
      const auto masks = mg::decode_masks(parts[mg::RecordId::mask].bytes, "p", threads, &stats);
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu0);
      best = std::min(best, stats.seconds);
      match = tac::sha256_hex(masks) == golden["masks_decoded_sha256"].get<std::string>();
    }
    out["threads_" + std::to_string(threads)] = {{"seconds", best}, {"cpu_seconds", best_cpu}, {"contexts", stats.contexts}, {"hash_match", match}};
  }
  {
    const auto masks = mg::decode_masks(parts[mg::RecordId::mask].bytes, "p", 0);
    const auto poses = mg::decode_pose_record(parts[mg::RecordId::pose].bytes, "p");
    mg::Generator generator(std::make_shared<const mg::GeneratorWeights>(
        mg::decode_model_record(parts[mg::RecordId::model].bytes, "p")));
    std::vector<float> frames(6 * mg::kMaskPixels);
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < runs; ++r) {
      const double cpu0 = cpu_seconds();
      const auto t0 = tac::SteadyClock::now();
      generator.forward(std::span(masks).subspan(0, mg::kMaskPixels), poses[0], frames);
      best = std::min(best, tac::seconds_since(t0));
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu0);
    }
    out["generator_one_pair"] = {{"seconds", best}, {"cpu_seconds", best_cpu},
                                 {"reference_seconds_per_batch_of_4", golden["reference_seconds"]["generator_per_batch_of_4"]}};
  }
  {
    const auto masks = mg::decode_masks(parts[mg::RecordId::mask].bytes, "p", 0);
    const auto poses = mg::decode_pose_record(parts[mg::RecordId::pose].bytes, "p");
    mg::Generator generator(std::make_shared<const mg::GeneratorWeights>(
        mg::decode_model_record(parts[mg::RecordId::model].bytes, "p")));
    std::vector<float> frames(6 * mg::kMaskPixels);
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < runs; ++r) {
      const double cpu0 = cpu_seconds();
      const auto t0 = tac::SteadyClock::now();
      generator.forward(std::span(masks).subspan(0, mg::kMaskPixels), poses[0], frames);
      best = std::min(best, tac::seconds_since(t0));
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu0);
    }
    out["generator_one_pair"] = {{"seconds", best}, {"cpu_seconds", best_cpu},
                                 {"reference_seconds_per_batch_of_4", golden["reference_seconds"]["generator_per_batch_of_4"]}};
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  out["peak_rss_mb"] = double(ru.ru_maxrss) / 1024.0;
  std::cout << out.dump(2) << "\n";
}
