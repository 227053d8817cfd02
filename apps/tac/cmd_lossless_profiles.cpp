// `tac lossless profiles [--json]`: the built-in profiles with one-line descriptions.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lossless_group.hpp"
#include "tac/container/lossless_profiles.hpp"

namespace {

void register_lossless_profiles(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = tac::cli::lossless_group(app).add_subcommand("profiles", "List the built-in lossless profiles.");
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([json] {
    using tac::container::lossless_profiles;
    const char* best = "pack with every profile and keep the smallest";
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      out.push_back({{"name", tac::container::kBestProfile}, {"description", best}});
      for (const auto& p : lossless_profiles()) out.push_back({{"name", p.name}, {"description", p.description}});
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    std::printf("%-16s %s\n", tac::container::kBestProfile, best);
    for (const auto& p : lossless_profiles()) std::printf("%-16s %s\n", p.name.c_str(), p.description.c_str());
  });
}

}  // namespace

TAC_REGISTER_COMMAND(60, register_lossless_profiles);
