#pragma once
// `tac lab intake`: one submission from directory to ledger row, each step a stage that can stop
// the intake with its reason: compliance check -> evaluation (tac eval with its inflate in the
// sandbox, so the record says the runtime ran) -> grade (with the archive and runtime on disk as
// custody facts) -> ledger row. The lab never scores: `evaluate` is tac eval, run by the caller.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "comma_lab/check/check.hpp"
#include "comma_lab/grade/grade.hpp"

namespace comma_lab::intake {

struct IntakeOptions {
  check::CheckOptions check;
  // Writes the evaluation record of `submission_dir` to `record_path`; throws tac::Error on failure.
  std::function<void(const std::filesystem::path& submission_dir, const std::filesystem::path& record_path)> evaluate;
  std::filesystem::path ledger;  // the database (resolve_ledger_path)
  // Where the record goes: outside the submission, whose every other file is runtime (custody).
  std::filesystem::path out_dir;
  std::string note;
};

struct IntakeResult {
  check::CheckReport check;
  std::string stopped_at;  // "" when every stage ran; else "check" or "evaluate"
  std::string reason;      // why it stopped
  std::filesystem::path record_path;
  nlohmann::json record;   // the evaluation record (null when it stopped before)
  grade::Verdict verdict;
  std::int64_t ledger_row = -1;
  bool completed() const { return stopped_at.empty(); }
};

IntakeResult intake(const std::filesystem::path& submission_dir, const IntakeOptions& options);

// A few lines a person reads: the stage reached, grade, score and its terms, the reasons.
std::string verdict_text(const IntakeResult& result);

}  // namespace comma_lab::intake
