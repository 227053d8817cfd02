#include "comma_lab/intake/intake.hpp"

#include <fmt/format.h>

#include <fstream>

#include "comma_lab/ledger/ledger.hpp"
#include "comma_lab/ledger/rows.hpp"
#include "tac/core/error.hpp"

namespace comma_lab::intake {
namespace fs = std::filesystem;

IntakeResult intake(const fs::path& submission_dir, const IntakeOptions& options) {
  if (!options.evaluate) tac::fail(tac::ErrorKind::internal, "intake: no evaluator");
  IntakeResult r;
  r.check = check::check_submission(submission_dir, options.check);
  if (!r.check.passed) {
    r.stopped_at = "check";
    r.reason = fmt::format("the compliance check failed ({} errors)", r.check.errors);
    return r;
  }
  if (options.out_dir.empty()) tac::fail(tac::ErrorKind::internal, "intake: no output directory");
  fs::create_directories(options.out_dir);
  r.record_path = options.out_dir / "evaluation.json";
  try {
    options.evaluate(submission_dir, r.record_path);
  } catch (const tac::Error& e) {
    r.stopped_at = "evaluate";
    r.reason = e.what();
    return r;
  }
  std::ifstream in(r.record_path);
  r.record = nlohmann::json::parse(in, nullptr, false);
  if (r.record.is_discarded() || !r.record.is_object())
    tac::fail(tac::ErrorKind::corrupt_input, "{}: the evaluation wrote no readable record", r.record_path.string());
  grade::CustodyFacts facts;
  facts.archive = submission_dir / "archive.zip";
  facts.submission_dir = submission_dir;
  r.verdict = grade::grade_record(r.record, facts);
  auto ledger = ledger::Ledger::open(options.ledger);
  r.ledger_row = ledger.append(ledger::row_from_record(r.record, r.verdict, r.record_path.string(), options.note));
  return r;
}

std::string verdict_text(const IntakeResult& r) {
  std::string out;
  for (const auto& f : r.check.findings)
    out += fmt::format("check   {:<7} {:<30} {}\n", std::string(check::severity_name(f.severity)), f.id, f.reason);
  if (!r.completed()) return out + fmt::format("intake stopped at {}: {}\n", r.stopped_at, r.reason);
  const auto& rec = r.record;
  const auto num = [&](const char* key) { return rec.contains(key) && rec[key].is_number() ? rec[key].get<double>() : 0.0; };
  out += fmt::format("evaluate {} samples, score {:.6f} (segnet {:.8f}, posenet {:.8f}, rate {:.8f}), axis {}\n",
                     rec.value("n_samples", 0), num("score"), num("avg_segnet_distortion"), num("avg_posenet_distortion"),
                     num("rate"), rec.value("axis", std::string("?")));
  if (rec.contains("inflate_sandbox") && rec["inflate_sandbox"].is_object()) {
    const auto& s = rec["inflate_sandbox"];
    out += fmt::format("inflate  sandboxed, {}: {:.1f} s wall, {:.1f} s CPU, peak {:.0f} MB\n", s.value("process", std::string()),
                       s.value("wall_seconds", 0.0), s.value("user_seconds", 0.0) + s.value("system_seconds", 0.0),
                       s.value("peak_rss_mb", 0.0));
  }
  out += fmt::format("grade    {}\n", grade::grade_name(r.verdict.grade));
  for (const auto& reason : r.verdict.reasons()) out += "  " + reason + "\n";
  out += fmt::format("ledger   row {}\n", r.ledger_row);
  return out;
}

}  // namespace comma_lab::intake
