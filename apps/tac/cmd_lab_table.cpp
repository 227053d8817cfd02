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
  std::fputs(comma_lab::ledger::markdown_table(tac::cli::ledger_rows_for(a.grade, a.axis, a.db).rows, a.grade).c_str(), stdout);
}

void register_table(CLI::App& app) {
  auto args = std::make_shared<TableArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand("table", "Markdown results table of the ledger rows that earn a grade.");
  tac::cli::add_row_filter_options(*cmd, args->grade, args->axis);
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_table(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(85, register_table);
