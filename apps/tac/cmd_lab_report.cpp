// `tac lab report --out DIR [--grade G] [--axis AXIS] [--db PATH]`: the ledger as DIR/index.html and
// DIR/report.md — results tables and a rate-distortion chart per axis (ours beside the public rows).
#include <cstdio>
#include <memory>

#include "comma_lab/grade/grade.hpp"
#include "comma_lab/ledger/ledger.hpp"
#include "comma_lab/report/report.hpp"
#include "commands.hpp"
#include "lab_group.hpp"
#include "tac/core/error.hpp"

namespace {

struct ReportArgs {
  std::string out, grade = "A", axis, db;
};

void run_report(const ReportArgs& a) {
  const auto [rows, db_path] = tac::cli::ledger_rows_for(a.grade, a.axis, a.db);
  const auto files = comma_lab::report::write_report(rows, a.grade, db_path.string(), a.out);
  if (a.grade == "external")  // the results table is then the external rows themselves
    std::printf("report: %zu ledger rows, %zu external, %zu chart(s)\n", rows.size(), files.ours, files.charts.size());
  else
    std::printf("report: %zu ledger rows, %zu earn grade %s, %zu external, %zu chart(s)\n", rows.size(), files.ours,
                a.grade.c_str(), files.external, files.charts.size());
  std::printf("page: %s\nmarkdown: %s\n", files.html.c_str(), files.markdown.c_str());
  for (const auto& c : files.charts) std::printf("chart: %s\n", c.c_str());
}

void register_report(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand(
      "report", "HTML page and Markdown of the ledger: results tables and a rate-distortion chart per axis.");
  cmd->footer(
      "Writes OUT/index.html (charts inlined as SVG), OUT/report.md and OUT/rd-<axis>.svg. Each chart puts the\n"
      "rate term 25*rate (x) against the distortion terms 100*seg + sqrt(10*pose) (y) for the rows that earn\n"
      "the grade (an evaluation only if its score still recomputes from its components) beside the public\n"
      "external rows (tac lab import-external), with dashed iso-score lines. External rows without a rate are\n"
      "placed at score - distortion terms; rows without seg/pose are listed in the tables, not plotted.\n"
      "\n"
      "Example: tac lab import-external docs/lab_public_leaderboard.csv && tac lab report --out lab-report\n"
      "         then open lab-report/index.html");
  cmd->add_option("--out", args->out, "Directory to write the report into (created if needed)")->required();
  tac::cli::add_row_filter_options(*cmd, args->grade, args->axis);
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_report(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(90, register_report);
