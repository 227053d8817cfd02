#pragma once
// Evidence grades by rules (challenge_notes.md, "Custody and evidence"). A record — `tac eval
// --json` output, or an external/prediction record — plus custody facts (the archive and runtime
// on disk, the axis a claim is made on) gives a grade and every rule that passed or failed, in
// words. Each rule that fails caps the grade:
//   invalid    malformed record, score or rate not recomputable from the components within 1e-6,
//              axis missing or not the device's, a record on one axis backing a claim on the
//              other, archive bytes or runtime on disk changed since the record (stale);
//   empirical  fewer than 600 samples, an advisory axis, contest-cuda without T4-class hardware
//              named, twin/unknown scorer weights or video (by SHA-256), archive or runtime not
//              presented for custody, no runtime hash, --lenient deviations;
//   A          (not A++) the scored frames were not inflated by this run, or the run overran the
//              contest's 30-minute limit.
// Full custody with nothing failed is A++; a full-custody record kept as a scoped negative
// result (CustodyFacts::negative) is A-negative. External records grade external,
// predictions/derivations grade derivation/prediction.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace comma_lab::grade {

enum class Grade { a_plus_plus, a, a_negative, empirical, derivation, external, invalid };
std::string_view grade_name(Grade g);  // "A++", "A", "A-negative", "empirical", "derivation/prediction", "external", "invalid"
std::optional<Grade> parse_grade(std::string_view name);

enum class Outcome { pass, fail, not_checked };
std::string_view outcome_name(Outcome o);

struct RuleResult {
  std::string id;    // e.g. "score.recomputed"
  Outcome outcome = Outcome::pass;
  std::string text;  // what was checked and what was found, in words
  Grade cap = Grade::a_plus_plus;  // the best grade left when this rule fails or cannot be checked
};

struct CustodyFacts {
  std::optional<std::filesystem::path> archive;         // the archive bytes on disk
  std::optional<std::filesystem::path> submission_dir;  // the runtime files on disk
  std::optional<std::string> claimed_axis;              // the axis a claim is made on
  bool negative = false;                                // a scoped negative result
};

struct Verdict {
  Grade grade = Grade::invalid;
  std::vector<RuleResult> rules;
  // The failed (or unverifiable) rules that set the grade, in words.
  std::vector<std::string> reasons() const;
};

inline constexpr double kTolerance = 1e-6;
inline constexpr double kContestSeconds = 30 * 60;

Verdict grade_record(const nlohmann::json& record, const CustodyFacts& facts = {});

// Custody facts a record points to by itself: its archive.path when that file exists, and the
// archive's directory as the submission when it holds inflate.sh. Explicit paths override.
CustodyFacts facts_from_record(const nlohmann::json& record);

nlohmann::json to_json(const Verdict& verdict);

}  // namespace comma_lab::grade
