// `tac lab grade EVAL.json [--archive ZIP] [--submission-dir DIR] [--claim-axis AXIS] [--negative]
// [--json]`: the evidence grade of a record and every rule, in words.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "comma_lab/grade/grade.hpp"
#include "commands.hpp"
#include "lab_custody_options.hpp"
#include "lab_group.hpp"
#include "lab_record_io.hpp"

namespace {

struct GradeArgs {
  std::string record;
  tac::cli::CustodyArgs custody;
  bool json = false;
};

void run_grade(const GradeArgs& a) {
  namespace grade = comma_lab::grade;
  const auto record = tac::cli::read_record_file(a.record);
  const auto verdict = grade::grade_record(record, tac::cli::custody_facts(record, a.custody));
  if (a.json) {
    std::printf("%s\n", grade::to_json(verdict).dump(2).c_str());
    return;
  }
  for (const auto& r : verdict.rules)
    std::printf("%-11s %-22s %s\n", std::string(grade::outcome_name(r.outcome)).c_str(), r.id.c_str(), r.text.c_str());
  std::printf("grade: %s\n", std::string(grade::grade_name(verdict.grade)).c_str());
}

void register_grade(CLI::App& app) {
  auto args = std::make_shared<GradeArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand(
      "grade", "Evidence grade of an evaluation record (A++/A, A-negative, empirical, derivation/prediction, external, invalid).");
  cmd->add_option("record", args->record, "Evaluation record (tac eval --json output)")->required();
  tac::cli::add_custody_options(cmd, args->custody);
  cmd->add_flag("--json", args->json, "Print the verdict as JSON");
  cmd->callback([args] { run_grade(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(82, register_grade);
