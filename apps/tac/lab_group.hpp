#pragma once
// `tac lab …`: the comma_lab verbs (custody, check, grade, ledger). Each verb file adds its own
// subcommand to the one `lab` group through lab_group().
#include <CLI/CLI.hpp>

namespace tac::cli {

// The `lab` subcommand of `app`, created on first use.
CLI::App& lab_group(CLI::App& app);

// A `tac lab NAME` verb with its one-line description and the --help footer that teaches it.
CLI::App* add_lab_verb(CLI::App& app, const std::string& name, const std::string& description, const std::string& footer);

// `--db PATH` for the ledger verbs; empty means $TAC_LAB_DB, else the default path.
void add_db_option(CLI::App& cmd, std::string& db);

}  // namespace tac::cli
