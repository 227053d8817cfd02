// `tac lab import-report REPORT --archive ZIP --axis AXIS [--gpu NAME] [--submission-dir DIR]
// [-o RECORD] [--record [--db PATH] [--note TEXT]]`: upstream's report.txt as an evaluation record.
#include <cstdio>
#include <memory>
#include <optional>

#include "comma_lab/grade/grade.hpp"
#include "comma_lab/import/upstream_report.hpp"
#include "comma_lab/ledger/rows.hpp"
#include "commands.hpp"
#include "lab_group.hpp"
#include "tac/core/output_file.hpp"

namespace {

// --axis and --gpu bind straight into the library's options.
struct ImportReportArgs {
  comma_lab::import::ImportOptions options;
  std::string report, archive, submission_dir, output, db, note;
  bool record = false;
};

void run_import_report(ImportReportArgs& a) {
  auto& options = a.options;
  options.archive = a.archive;
  if (!a.submission_dir.empty()) options.submission_dir = a.submission_dir;
  const auto record = comma_lab::import::import_upstream_report(a.report, options);
  const std::string text = record.dump(2) + "\n";
  if (a.output.empty() && !a.record) std::fputs(text.c_str(), stdout);
  if (!a.output.empty()) tac::write_file_atomic(a.output, text);
  comma_lab::grade::CustodyFacts facts;
  facts.archive = a.archive;
  if (options.submission_dir) facts.submission_dir = options.submission_dir;
  const auto verdict = comma_lab::grade::grade_record(record, facts);
  if (!a.record) {
    if (!a.output.empty())
      std::printf("%s: record written; it grades %s\n", a.output.c_str(), std::string(comma_lab::grade::grade_name(verdict.grade)).c_str());
    return;
  }
  auto ledger = comma_lab::ledger::Ledger::open(comma_lab::ledger::resolve_ledger_path(a.db.empty() ? std::nullopt : std::optional(a.db)));
  const auto id = ledger.append(comma_lab::ledger::row_from_record(record, verdict, a.report, a.note));
  std::printf("%s: row %lld, grade %s\n", ledger.path().c_str(), static_cast<long long>(id),
              std::string(comma_lab::grade::grade_name(verdict.grade)).c_str());
  for (const auto& r : verdict.reasons()) std::printf("  %s\n", r.c_str());
}

void register_import_report(CLI::App& app) {
  auto args = std::make_shared<ImportReportArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand("import-report", "Turn upstream evaluate.py's report.txt into an evaluation record.");
  cmd->footer(
      "The record proves what the report and the files presented can: the archive's bytes and SHA-256 (its size\n"
      "must be the one printed), the components and the score recomputed from them (the printed score must\n"
      "agree within its two decimals), the device (CPU and CUDA never mixed), and with --submission-dir the\n"
      "runtime. It cannot prove the scorer weights, the video, per-sample distortions or the platform; it says\n"
      "so in `cannot_prove`, and such a record grades empirical at best.\n"
      "\n"
      "Example: tac lab import-report sub/report.txt --archive sub/archive.zip --axis cpu-advisory --record");
  cmd->add_option("report", args->report, "report.txt written by upstream evaluate.sh / evaluate.py")->required();
  cmd->add_option("--archive", args->archive, "The archive.zip the report scored")->required();
  cmd->add_option("--axis", args->options.axis, "contest-cpu, contest-cuda, cpu-advisory or cuda-advisory")->required();
  cmd->add_option("--gpu", args->options.gpu, "CUDA axes: the GPU it ran on (e.g. 'Tesla T4')");
  cmd->add_option("--submission-dir", args->submission_dir, "The submission, to record its runtime identity");
  cmd->add_option("-o,--output", args->output, "Write the record here (default: stdout unless --record)");
  cmd->add_flag("--record", args->record, "Grade it and append it to the ledger");
  cmd->add_option("--note", args->note, "With --record: a note kept with the row");
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_import_report(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(89, register_import_report);
