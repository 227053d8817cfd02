// `tac lab import-external FILE.csv [--db PATH]`: public leaderboard rows into the ledger, graded
// external until replayed (docs/lab_public_leaderboard.csv seeds it from challenge_notes.md).
#include <cstdio>
#include <memory>
#include <vector>

#include "comma_lab/grade/grade.hpp"
#include "comma_lab/ledger/rows.hpp"
#include "commands.hpp"
#include "lab_group.hpp"

namespace {

struct ImportArgs {
  std::string csv, db;
};

void run_import(const ImportArgs& a) {
  namespace ledger = comma_lab::ledger;
  const auto records = ledger::read_external_csv(a.csv);  // all rows parse before any is written
  std::vector<ledger::LedgerRow> rows;
  for (const auto& r : records) {
    const auto verdict = comma_lab::grade::grade_record(r);
    rows.push_back(ledger::row_from_record(r, verdict, a.csv, r.value("note", std::string())));
  }
  auto db = ledger::Ledger::open(ledger::resolve_ledger_path(a.db.empty() ? std::nullopt : std::optional(a.db)));
  const auto ids = db.append_batch(rows);  // one transaction
  std::printf("%s: %zu external rows appended (ids %lld..%lld)\n", db.path().c_str(), ids.size(),
              ids.empty() ? 0LL : static_cast<long long>(ids.front()), ids.empty() ? 0LL : static_cast<long long>(ids.back()));
}

void register_import(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand(
      "import-external", "Append public leaderboard rows (CSV: entry, score, axis, source, ...) graded external.");
  cmd->add_option("csv", args->csv, "CSV file with a header line")->required();
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_import(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(86, register_import);
