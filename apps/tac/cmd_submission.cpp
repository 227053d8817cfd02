// `tac submission init --format NAME DIR [--archive ZIP]`: a submission directory whose inflate.sh
// runs the light runtime tac-inflate (from PATH or $TAC_INFLATE).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "submission_script.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/error.hpp"

namespace {

struct InitArgs {
  std::string format;
  std::string dir;
  std::string archive;
};

void run_init(const InitArgs& a) {
  if (!tac::codec::find_format(a.format))
    tac::fail(tac::ErrorKind::usage, "unknown format '{}'; known formats: {}", a.format, tac::codec::known_formats_text());
  const std::filesystem::path dir(a.dir);
  std::filesystem::create_directories(dir);
  if (!a.archive.empty()) {
    const auto contents = tac::codec::ArchiveContents::open(a.archive);
    const auto& detected = tac::codec::detect_format(contents);
    if (detected.name() != a.format) tac::fail(tac::ErrorKind::corrupt_input, "{}: archive is {}, not {}", a.archive, detected.name(), a.format);
    std::filesystem::copy_file(a.archive, dir / "archive.zip", std::filesystem::copy_options::overwrite_existing);
  }
  tac::cli::write_inflate_script(dir, a.format);
  std::printf("%s: inflate.sh for %s%s\n", dir.c_str(), a.format.c_str(), a.archive.empty() ? "" : " + archive.zip");
}

void register_submission(CLI::App& app) {
  auto* sub = app.add_subcommand("submission", "Create submission directories.");
  sub->require_subcommand(1);
  auto args = std::make_shared<InitArgs>();
  auto* cmd = sub->add_subcommand("init", "Write DIR/inflate.sh running tac-inflate for a format (and copy the archive).");
  cmd->add_option("--format", args->format, "Archive format (e.g. hnerv95)")->required();
  cmd->add_option("dir", args->dir, "Submission directory")->required();
  cmd->add_option("--archive", args->archive, "archive.zip to copy in (its format must match)");
  cmd->callback([args] { run_init(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(46, register_submission);
