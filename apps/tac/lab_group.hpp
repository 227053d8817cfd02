#pragma once
// `tac lab …`: the comma_lab verbs (custody, check, grade, ledger). Each verb file adds its own
// subcommand to the one `lab` group through lab_group().
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "comma_lab/ledger/ledger.hpp"

namespace tac::cli {

// The `lab` subcommand of `app`, created on first use.
CLI::App& lab_group(CLI::App& app);

// A `tac lab NAME` verb with its one-line description and the --help footer that teaches it.
CLI::App* add_lab_verb(CLI::App& app, const std::string& name, const std::string& description, const std::string& footer);

// `--grade G` (default A; A admits A++) and `--axis AXIS` for the verbs that show ledger rows.
void add_row_filter_options(CLI::App& cmd, std::string& grade, std::string& axis);

// The ledger rows of `axis` (all when empty) from the database `db` names (see add_db_option),
// after checking that `grade` is a grade name (usage error otherwise).
struct LedgerRows {
  std::vector<comma_lab::ledger::LedgerRow> rows;
  std::filesystem::path db;
};
LedgerRows ledger_rows_for(const std::string& grade, const std::string& axis, const std::string& db);

// `--db PATH` for the ledger verbs; empty means $TAC_LAB_DB, else the default path.
void add_db_option(CLI::App& cmd, std::string& db);

}  // namespace tac::cli
