// `tac submission init --format NAME DIR [--archive ZIP]`: a submission directory whose inflate.sh
// runs the light runtime tac-inflate (from PATH or $TAC_INFLATE).
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace {

struct InitArgs {
  std::string format;
  std::string dir;
  std::string archive;
};

std::string inflate_script(const std::string& format) {
  return "#!/usr/bin/env bash\n"
         "# inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE — written by `tac submission init --format " + format + "`.\n"
         "# Runs tac-inflate (the light comma-lab runtime): $TAC_INFLATE if set, else tac-inflate on PATH.\n"
         "set -euo pipefail\n"
         "if [ \"$#\" -ne 3 ]; then echo \"usage: $0 ARCHIVE_DIR OUTPUT_DIR NAMES_FILE\" >&2; exit 2; fi\n"
         "if [ -n \"${TAC_INFLATE:-}\" ]; then\n"
         "  runtime=\"$TAC_INFLATE\"\n"
         "elif command -v tac-inflate >/dev/null 2>&1; then\n"
         "  runtime=tac-inflate\n"
         "else\n"
         "  echo \"inflate.sh: tac-inflate not found: put it on PATH or set TAC_INFLATE=/path/to/tac-inflate\" >&2\n"
         "  exit 1\n"
         "fi\n"
         "exec \"$runtime\" --format " + format + " \"$1\" \"$2\" \"$3\"\n";
}

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
  const auto script = dir / "inflate.sh";
  tac::write_file_atomic(script, inflate_script(a.format));
  if (::chmod(script.c_str(), 0755) != 0) tac::fail(tac::ErrorKind::io, "{}: cannot make it executable", script.string());
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
