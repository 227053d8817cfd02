#include "lab_group.hpp"

namespace tac::cli {

CLI::App& lab_group(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "lab"; })) return *sub;
  CLI::App* lab = app.add_subcommand(
      "lab", "comma_lab: custody, compliance check, evidence grades and the results ledger (never scores).");
  lab->require_subcommand(1);
  return *lab;
}

CLI::App* add_lab_verb(CLI::App& app, const std::string& name, const std::string& description, const std::string& footer) {
  CLI::App* verb = lab_group(app).add_subcommand(name, description);
  verb->footer(footer);
  return verb;
}

void add_db_option(CLI::App& cmd, std::string& db) {
  cmd.add_option("--db", db,
                 "Ledger database (default: $TAC_LAB_DB, else $XDG_DATA_HOME/comma_lab/ledger.sqlite, else "
                 "~/.local/share/comma_lab/ledger.sqlite)");
}

}  // namespace tac::cli
