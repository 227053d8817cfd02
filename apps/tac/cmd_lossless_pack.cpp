// `tac lossless pack [--profile P] IN OUT [--json]`: IN as a one-section tac packet.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lossless_group.hpp"
#include "tac/container/lossless_profiles.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/stopwatch.hpp"

namespace {

struct PackArgs {
  std::string input, output, profile = tac::container::kBestProfile;
  bool json = false;
};

void register_lossless_pack(CLI::App& app) {
  auto args = std::make_shared<PackArgs>();
  auto* cmd = tac::cli::lossless_group(app).add_subcommand("pack", "Pack a file with a lossless profile.");
  cmd->add_option("--profile", args->profile, "Profile (see `tac lossless profiles`; default best)");
  cmd->add_option("input", args->input, "File to pack")->required();
  cmd->add_option("output", args->output, "Packet to write")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] {
    const tac::MappedFile in(args->input);
    const auto start = tac::SteadyClock::now();
    const auto result = tac::container::lossless_pack(in.bytes(), args->profile);
    const double seconds = tac::seconds_since(start);
    tac::write_file_atomic(args->output, result.packet);
    if (args->json) {
      const nlohmann::json j = {{"input", args->input},          {"output", args->output},
                                {"profile", result.profile},     {"input_bytes", in.size()},
                                {"output_bytes", result.packet.size()}, {"seconds", seconds}};
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("%s: %zu -> %zu bytes with %s (%.2f s)\n", args->input.c_str(), in.size(), result.packet.size(),
                result.profile.c_str(), seconds);
  });
}

}  // namespace

TAC_REGISTER_COMMAND(61, register_lossless_pack);
