#include "comma_lab/check/check.hpp"

#include "tac/core/error.hpp"

namespace comma_lab::check {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "?";
}

CheckReport summarize(Findings findings, const CheckOptions& options) {
  CheckReport r;
  r.findings = std::move(findings);
  for (const auto& f : r.findings) {
    r.errors += f.severity == Severity::error;
    r.warnings += f.severity == Severity::warning;
  }
  const bool strict = options.strict || options.contest_final;
  r.passed = r.errors == 0 && (!strict || r.warnings == 0);
  return r;
}

CheckReport check_submission(const std::filesystem::path& dir, const CheckOptions& options) {
  if (!std::filesystem::is_directory(dir)) tac::fail(tac::ErrorKind::usage, "{}: not a submission directory", dir.string());
  Findings all;
  const auto zip = dir / "archive.zip";
  if (std::filesystem::is_regular_file(zip)) all = check_zip_file(zip, options.zip);
  RuntimeCheckOptions runtime;
  runtime.contest_final = options.contest_final;
  runtime.payload = options.payload;
  for (auto& f : check_runtime(dir, runtime)) all.push_back(std::move(f));
  return summarize(std::move(all), options);
}

}  // namespace comma_lab::check
