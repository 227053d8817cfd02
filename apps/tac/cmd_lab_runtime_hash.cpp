// `tac lab runtime-hash SUBMISSION_DIR [--json]`: the runtime identity of a submission (SHA-256
// over the canonical listing of inflate.sh and every file beside archive.zip).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "comma_lab/custody/runtime_identity.hpp"
#include "commands.hpp"
#include "lab_group.hpp"

namespace {

struct RuntimeHashArgs {
  std::string dir;
  bool json = false;
};

void run_runtime_hash(const RuntimeHashArgs& a) {
  const auto id = comma_lab::custody::runtime_identity(a.dir);
  if (a.json) {
    std::printf("%s\n", comma_lab::custody::to_json(id).dump(2).c_str());
    return;
  }
  std::fputs(id.listing.c_str(), stdout);
  std::printf("runtime sha256: %s (%zu files)\n", id.sha256.c_str(), id.files.size());
}

void register_runtime_hash(CLI::App& app) {
  auto args = std::make_shared<RuntimeHashArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand(
      "runtime-hash", "SHA-256 of a submission's runtime: inflate.sh and every file shipped beside archive.zip.");
  cmd->add_option("dir", args->dir, "Submission directory")->required();
  cmd->add_flag("--json", args->json, "Print the identity as JSON (the `runtime` object of an evaluation record)");
  cmd->callback([args] { run_runtime_hash(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(80, register_runtime_hash);
