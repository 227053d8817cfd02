#include "lab_group.hpp"

#include "comma_lab/grade/grade.hpp"
#include "tac/core/error.hpp"

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

void add_row_filter_options(CLI::App& cmd, std::string& grade, std::string& axis) {
  cmd.add_option("--grade", grade, "Grade our rows must earn (A admits A++)")->capture_default_str();
  cmd.add_option("--axis", axis, "Only this axis");
}

LedgerRows ledger_rows_for(const std::string& grade, const std::string& axis, const std::string& db) {
  if (!comma_lab::grade::parse_grade(grade))
    tac::fail(tac::ErrorKind::usage, "unknown grade '{}' (A++, A, A-negative, empirical, derivation/prediction, external, invalid)", grade);
  namespace ledger = comma_lab::ledger;
  const auto opened = ledger::Ledger::open(ledger::resolve_ledger_path(db.empty() ? std::nullopt : std::optional(db)));
  ledger::LedgerFilter filter;
  if (!axis.empty()) filter.axis = axis;
  return {opened.list(filter), opened.path()};
}

void add_db_option(CLI::App& cmd, std::string& db) {
  cmd.add_option("--db", db,
                 "Ledger database (default: $TAC_LAB_DB, else $XDG_DATA_HOME/comma_lab/ledger.sqlite, else "
                 "~/.local/share/comma_lab/ledger.sqlite)");
}

}  // namespace tac::cli
