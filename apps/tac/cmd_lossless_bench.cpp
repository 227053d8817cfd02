// `tac lossless bench IN [--json]`: every profile on IN: bytes, bits/byte, encode and decode
// MB/s, round trip verified.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lossless_group.hpp"
#include "tac/container/lossless_profiles.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/core/stopwatch.hpp"

namespace {

struct BenchArgs {
  std::string input;
  bool json = false;
};

double mb_per_s(std::size_t bytes, double seconds) { return seconds > 0 ? double(bytes) / 1e6 / seconds : 0.0; }

void register_lossless_bench(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = tac::cli::lossless_group(app).add_subcommand("bench", "Measure every lossless profile on a file.");
  cmd->add_option("input", args->input, "File to measure")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] {
    const tac::MappedFile in(args->input);
    const std::vector<std::uint8_t> original(in.bytes().begin(), in.bytes().end());
    nlohmann::json rows = nlohmann::json::array();
    bool all_ok = true;
    std::string best;
    std::size_t best_bytes = 0;
    for (const auto& p : tac::container::lossless_profiles()) {
      auto start = tac::SteadyClock::now();
      const auto packed = tac::container::lossless_pack(in.bytes(), p.name);
      const double encode = tac::seconds_since(start);
      start = tac::SteadyClock::now();
      const auto back = tac::container::lossless_unpack(packed.packet, p.name);
      const double decode = tac::seconds_since(start);
      const bool ok = back == original;
      all_ok = all_ok && ok;
      if (ok && (best.empty() || packed.packet.size() < best_bytes)) {
        best = p.name;
        best_bytes = packed.packet.size();
      }
      rows.push_back({{"profile", p.name},
                      {"bytes", packed.packet.size()},
                      {"bits_per_byte", original.empty() ? 0.0 : 8.0 * double(packed.packet.size()) / double(original.size())},
                      {"encode_mb_s", mb_per_s(original.size(), encode)},
                      {"decode_mb_s", mb_per_s(original.size(), decode)},
                      {"round_trip", ok}});
    }
    if (!all_ok) tac::cli::exit_status() = 1;
    if (args->json) {
      const nlohmann::json j = {{"input", args->input}, {"input_bytes", original.size()}, {"best", best},
                                {"best_bytes", best_bytes}, {"round_trip_all", all_ok}, {"profiles", rows}};
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("%s: %zu bytes\n%-16s %10s %8s %10s %10s %s\n", args->input.c_str(), original.size(), "profile", "bytes",
                "bits/B", "enc MB/s", "dec MB/s", "round trip");
    for (const auto& r : rows)
      std::printf("%-16s %10zu %8.3f %10.2f %10.2f %s\n", r["profile"].get<std::string>().c_str(),
                  r["bytes"].get<std::size_t>(), r["bits_per_byte"].get<double>(), r["encode_mb_s"].get<double>(),
                  r["decode_mb_s"].get<double>(), r["round_trip"].get<bool>() ? "ok" : "FAILED");
    std::printf("best: %s (%zu bytes)\n", best.c_str(), best_bytes);
  });
}

}  // namespace

TAC_REGISTER_COMMAND(63, register_lossless_bench);
