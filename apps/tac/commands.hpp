#pragma once
// Verb files register their subcommands here at static-initialisation time, so adding a verb
// touches only its own file and apps/tac/CMakeLists.txt.
#include <CLI/CLI.hpp>

namespace tac::cli {

using Registrar = void (*)(CLI::App& app);

struct CommandRegistration {
  // `order` sorts the verbs in `tac --help`.
  CommandRegistration(int order, Registrar registrar);
};

void register_all(CLI::App& app);

// Exit status a verb wants when it finishes without throwing (default 0).
int& exit_status();

}  // namespace tac::cli

#define TAC_CONCAT_INNER(a, b) a##b
#define TAC_CONCAT(a, b) TAC_CONCAT_INNER(a, b)
#define TAC_REGISTER_COMMAND(order, function) \
  static const ::tac::cli::CommandRegistration TAC_CONCAT(tac_command_registration_, __LINE__)(order, function)
