// tac — task-aware compression: decode, score, compress and inflate contest videos.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "commands.hpp"
#include "tac/core/error.hpp"
#include "tac/core/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "tac — task-aware compression toolkit for the comma video compression challenge.\n"
      "Decode videos exactly as the contest does, score submissions with the contest scorer,\n"
      "compress and inflate archives. Run `tac <command> --help` for each command."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tac ") + tac::kVersion);
  tac::cli::register_all(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a command line CLI11 rejects is a usage error.
    return app.exit(e) == 0 ? 0 : tac::exit_code(tac::ErrorKind::usage);
  } catch (const tac::Error& e) {
    std::fprintf(stderr, "tac: error: %s\n", e.what());
    return tac::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tac: unexpected error: %s\n", e.what());
    return tac::exit_code(tac::ErrorKind::internal);
  }
  return tac::cli::exit_status();
}
