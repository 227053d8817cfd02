// `tac lab table [--grade A] [--axis AXIS] [--db PATH]`: a Markdown results table with only the
// rows that earn the grade (A admits A++).
#include <cstdio>
#include <memory>

#include "comma_lab/grade/grade.hpp"
#include "comma_lab/ledger/rows.hpp"
#include "commands.hpp"
#include "lab_group.hpp"
#include "tac/core/error.hpp"

namespace {

struct TableArgs {
  std::string grade = "A", axis, db;
};

void run_table(const TableArgs& a) {
  namespace ledger = comma_lab::ledger;
  if (!comma_lab::grade::parse_grade(a.grade))
    tac::fail(tac::ErrorKind::usage, "unknown grade '{}' (A++, A, A-negative, empirical, derivation/prediction, external, invalid)", a.grade);
  const auto db = ledger::Ledger::open(ledger::resolve_ledger_path(a.db.empty() ? std::nullopt : std::optional(a.db)));
  ledger::LedgerFilter filter;
  if (!a.axis.empty()) filter.axis = a.axis;
  std::fputs(ledger::markdown_table(db.list(filter), a.grade).c_str(), stdout);
}

void register_table(CLI::App& app) {
  auto args = std::make_shared<TableArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand("table", "Markdown results table of the ledger rows that earn a grade.");
  cmd->add_option("--grade", args->grade, "Grade the rows must earn (A admits A++)")->capture_default_str();
  cmd->add_option("--axis", args->axis, "Only this axis");
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_table(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(85, register_table);
