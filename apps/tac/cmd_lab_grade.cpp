// `tac lab grade EVAL.json [--archive ZIP] [--submission-dir DIR] [--claim-axis AXIS] [--negative]
// [--json]`: the evidence grade of a record and every rule, in words.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "comma_lab/grade/grade.hpp"
#include "commands.hpp"
#include "lab_group.hpp"
#include "lab_record_io.hpp"

namespace {

struct GradeArgs {
  std::string record;
  std::string archive;
  std::string submission_dir;
  std::string claim_axis;
  bool negative = false;
  bool json = false;
};

void run_grade(const GradeArgs& a) {
  namespace grade = comma_lab::grade;
  const auto record = tac::cli::read_record_file(a.record);
  auto facts = grade::facts_from_record(record);
  if (!a.archive.empty()) facts.archive = a.archive;
  if (!a.submission_dir.empty()) facts.submission_dir = a.submission_dir;
  if (!a.claim_axis.empty()) facts.claimed_axis = a.claim_axis;
  facts.negative = a.negative;
  const auto verdict = grade::grade_record(record, facts);
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
  cmd->add_option("--archive", args->archive, "The archive bytes on disk (default: the record's archive.path)");
  cmd->add_option("--submission-dir", args->submission_dir, "The runtime on disk (default: the archive's directory when it holds inflate.sh)");
  cmd->add_option("--claim-axis", args->claim_axis, "The axis the claim is made on (contest-cpu, contest-cuda, ...)");
  cmd->add_flag("--negative", args->negative, "Keep a full-custody record as a scoped negative result (A-negative)");
  cmd->add_flag("--json", args->json, "Print the verdict as JSON");
  cmd->callback([args] { run_grade(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(82, register_grade);
