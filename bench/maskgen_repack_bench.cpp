// What a lossless repack of the maskgen archive (fixtures/replay/vibe_coder_final_boss, PR 97)
// saves: per record (mask kept as coded; pose, model, sidecar inflated and re-coded with tac's
// lossless toolkit, see src/tac/codec/maskgen/maskgen_repack.hpp) the stored bytes, the raw bytes,
// every layout tried with its packet size and the winning profile per stream, the smallest; then
// the total saving in bytes and in score (25 x bytes / 37,545,489); the time to unpack the winning
// packets against the original records' brotli / xz. Prints JSON.
// usage: bench_maskgen_repack [FIXTURES_DIR]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tac/codec/maskgen/maskgen_repack.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/io/zip_reader.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  namespace mg = tac::codec::maskgen;
  fs::path fixtures = fs::path(TAC_SOURCE_DIR) / ".." / "shared" / "fixtures";
  if (const char* env = std::getenv("TAC_FIXTURES")) fixtures = env;
  CLI::App app{"maskgen (PR 97 archive): bytes saved by a lossless repack of its records (JSON)."};
  app.add_option("fixtures", fixtures, "fixture folder (default $TAC_FIXTURES or ../shared/fixtures)");
  CLI11_PARSE(app, argc, argv);
  const fs::path archive = fixtures / "replay" / "vibe_coder_final_boss" / "archive.zip";
  try {
    const auto zip = tac::io::ZipReader::open(archive);
    const auto* member = zip.find("p");
    if (!member) throw std::runtime_error(archive.string() + ": no member p");
    const auto payload = zip.read(*member);
    const auto start = tac::SteadyClock::now();
    const auto r = mg::repack_payload(payload, "p");
    const double seconds = tac::seconds_since(start);
    // The inflate side: the three winning packets back to raw bytes, and the original records'
    // brotli / xz for comparison (best of 5 each).
    double unpack = 1e9, inflate = 1e9;
    const auto parts = mg::split_payload(payload, "p");
    for (int run = 0; run < 5; ++run) {
      auto t = tac::SteadyClock::now();
      for (const auto& rec : r.records)
        if (!rec.keeps_original()) mg::unpack_record(rec.id, rec.packet, "p");
      unpack = std::min(unpack, tac::seconds_since(t));
      t = tac::SteadyClock::now();
      for (const auto& rec : r.records)
        if (!rec.keeps_original()) mg::inflate_record(rec.id, parts[rec.id].bytes, "p");
      inflate = std::min(inflate, tac::seconds_since(t));
    }

    nlohmann::json records = nlohmann::json::array();
    records.push_back({{"record", "mask"}, {"original_bytes", r.mask_bytes}, {"repacked_bytes", r.mask_bytes},
                       {"winner", "kept (already context-coded)"}});
    for (const auto& rec : r.records) {
      nlohmann::json candidates = nlohmann::json::array();
      for (const auto& c : rec.candidates)
        candidates.push_back({{"layout", c.layout},
                              {"bytes", c.bytes},
                              {"streams", c.streams},
                              {"profiles", c.profiles},
                              {"stream_raw_bytes", c.raw_bytes},
                              {"stream_coded_bytes", c.coded_bytes}});
      const auto& best = rec.candidates[rec.best];
      records.push_back({{"record", mg::kRecordNames[static_cast<int>(rec.id)]},
                         {"original_bytes", rec.original_bytes},
                         {"raw_bytes", rec.raw_bytes},
                         {"repacked_bytes", rec.repacked_bytes()},
                         {"saved_bytes", std::int64_t(rec.original_bytes) - std::int64_t(rec.repacked_bytes())},
                         {"winner", rec.keeps_original() ? std::string("original (no packet smaller)") : best.layout},
                         {"winner_profiles", rec.keeps_original() ? nlohmann::json::array() : nlohmann::json(best.profiles)},
                         {"candidates", candidates}});
    }
    const nlohmann::json out = {{"archive", archive.string()},
                                {"archive_bytes", fs::file_size(archive)},
                                {"records", records},
                                {"records_original_bytes", r.original_bytes()},
                                {"records_repacked_bytes", r.repacked_bytes()},
                                {"saved_bytes", r.saved_bytes()},
                                {"repacked_archive_bytes", std::int64_t(fs::file_size(archive)) - r.saved_bytes()},
                                {"score_saving", r.score_saving()},
                                {"search_seconds", seconds},
                                {"unpack_seconds", unpack},
                                {"original_inflate_seconds", inflate}};
    std::cout << out.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_maskgen_repack: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
