// `tac lab record EVAL.json [--note TEXT] [--archive ZIP] [--submission-dir DIR] [--claim-axis AXIS]
// [--negative] [--db PATH]`: grade a record and append it to the ledger (never rewrites a row).
#include <cstdio>
#include <memory>

#include "comma_lab/grade/grade.hpp"
#include "comma_lab/ledger/rows.hpp"
#include "commands.hpp"
#include "lab_custody_options.hpp"
#include "lab_group.hpp"
#include "lab_record_io.hpp"

namespace {

struct RecordArgs {
  std::string record, note, db;
  tac::cli::CustodyArgs custody;
};

void run_record(const RecordArgs& a) {
  namespace grade = comma_lab::grade;
  const auto record = tac::cli::read_record_file(a.record);
  const auto verdict = grade::grade_record(record, tac::cli::custody_facts(record, a.custody));
  auto ledger = comma_lab::ledger::Ledger::open(comma_lab::ledger::resolve_ledger_path(a.db.empty() ? std::nullopt : std::optional(a.db)));
  const auto id = ledger.append(comma_lab::ledger::row_from_record(record, verdict, a.record, a.note));
  std::printf("%s: row %lld, grade %s\n", ledger.path().c_str(), static_cast<long long>(id),
              std::string(grade::grade_name(verdict.grade)).c_str());
  for (const auto& r : verdict.reasons()) std::printf("  %s\n", r.c_str());
}

void register_record(CLI::App& app) {
  auto args = std::make_shared<RecordArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand("record", "Grade an evaluation record and append it to the ledger.");
  cmd->add_option("record", args->record, "Evaluation record (tac eval --json output)")->required();
  cmd->add_option("--note", args->note, "A note kept with the row");
  tac::cli::add_custody_options(cmd, args->custody);
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_record(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(83, register_record);
