#include "lab_group.hpp"

namespace tac::cli {

CLI::App& lab_group(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "lab"; })) return *sub;
  CLI::App* lab = app.add_subcommand(
      "lab", "comma_lab: custody, compliance check, evidence grades and the results ledger (never scores).");
  lab->require_subcommand(1);
  return *lab;
}

}  // namespace tac::cli
