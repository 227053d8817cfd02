// `tac lab check SUBMISSION_DIR [--strict] [--contest-final] [--json]`: the pre-submission
// compliance check (zip safety, runtime rules). Exit status 0 when it passes, 1 when it fails.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "comma_lab/check/check.hpp"
#include "commands.hpp"
#include "lab_group.hpp"

namespace {

struct CheckArgs {
  std::string dir;
  bool strict = false;
  bool contest_final = false;
  bool json = false;
};

void run_check(const CheckArgs& a) {
  namespace check = comma_lab::check;
  check::CheckOptions options;
  options.strict = a.strict;
  options.contest_final = a.contest_final;
  const auto report = check::check_submission(a.dir, options);
  if (a.json) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : report.findings)
      findings.push_back({{"id", f.id}, {"severity", std::string(check::severity_name(f.severity))}, {"reason", f.reason}});
    const nlohmann::json j{{"submission_dir", a.dir}, {"passed", report.passed}, {"errors", report.errors},
                           {"warnings", report.warnings}, {"strict", a.strict}, {"contest_final", a.contest_final},
                           {"findings", findings}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& f : report.findings)
      std::printf("%-7s %-30s %s\n", std::string(check::severity_name(f.severity)).c_str(), f.id.c_str(), f.reason.c_str());
    std::printf("%s: %s (%zu errors, %zu warnings%s)\n", a.dir.c_str(), report.passed ? "PASS" : "FAIL", report.errors,
                report.warnings, a.contest_final ? ", contest-final" : a.strict ? ", strict" : "");
  }
  tac::cli::exit_status() = report.passed ? 0 : 1;
}

void register_check(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand(
      "check", "Pre-submission compliance check: zip safety of archive.zip and the runtime rules (exit 1 on failure).");
  cmd->add_option("dir", args->dir, "Submission directory (archive.zip, inflate.sh, runtime files)")->required();
  cmd->add_flag("--strict", args->strict, "Warnings fail the check too");
  cmd->add_flag("--contest-final", args->contest_final,
                "Strict, and a runtime not shipped in the submission or binary sidecars are errors");
  cmd->add_flag("--json", args->json, "Print the findings as JSON");
  cmd->callback([args] { run_check(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(81, register_check);
