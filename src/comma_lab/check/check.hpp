#pragma once
// `tac lab check SUBMISSION_DIR`: the pre-submission compliance check — zip safety of
// archive.zip (zip_rules.hpp) and the runtime rules (runtime_rules.hpp).
// Passes when no finding is an error; --strict also fails on warnings; --contest-final is strict
// and treats a runtime that is not shipped (tac-inflate from PATH) and binary sidecars as errors.
#include <filesystem>

#include "comma_lab/check/finding.hpp"
#include "comma_lab/check/runtime_rules.hpp"
#include "comma_lab/check/zip_rules.hpp"

namespace comma_lab::check {

struct CheckOptions {
  bool strict = false;
  bool contest_final = false;
  ZipLimits zip;
  PayloadLimits payload;
};

struct CheckReport {
  Findings findings;
  bool passed = false;
  std::size_t errors = 0, warnings = 0;
};

CheckReport check_submission(const std::filesystem::path& submission_dir, const CheckOptions& options = {});

// Pass/fail and counts for a list of findings under the options.
CheckReport summarize(Findings findings, const CheckOptions& options);

}  // namespace comma_lab::check
