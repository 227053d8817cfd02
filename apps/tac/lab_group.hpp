#pragma once
// `tac lab …`: the comma_lab verbs (custody, check, grade, ledger). Each verb file adds its own
// subcommand to the one `lab` group through lab_group().
#include <CLI/CLI.hpp>

namespace tac::cli {

// The `lab` subcommand of `app`, created on first use.
CLI::App& lab_group(CLI::App& app);

// `--db PATH` for the ledger verbs; empty means $TAC_LAB_DB, else the default path.
void add_db_option(CLI::App& cmd, std::string& db);

}  // namespace tac::cli
