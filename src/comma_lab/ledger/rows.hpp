#pragma once
// Ledger rows from graded records, external rows from a CSV, and the Markdown results table.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "comma_lab/grade/grade.hpp"
#include "comma_lab/ledger/ledger.hpp"

namespace comma_lab::ledger {

// A row for `record` as graded by `verdict`; `source` names where it came from.
LedgerRow row_from_record(const nlohmann::json& record, const grade::Verdict& verdict, const std::string& source,
                          const std::string& note);

// Public leaderboard rows: a CSV with a header naming at least entry, score, axis, source; optional
// family, archive_bytes, archive_sha256, segnet, posenet, rate, note. Each row becomes an
// `external` record (graded external until replayed). Hostile-input safe: size, row, column and
// field limits; errors name the file, line and column (corrupt_input / limit_exceeded).
std::vector<nlohmann::json> external_records_from_csv(const std::string& text, const std::string& source);
std::vector<nlohmann::json> read_external_csv(const std::filesystem::path& path);

// True when `row`'s grade is `wanted`, where "A" also admits "A++".
bool grade_admits(const std::string& wanted, const std::string& row_grade);

// True when `row` earns `wanted_grade` in a results table: the grade admits it, and an evaluation's
// score recomputes from its stored components within grade::kTolerance.
bool row_earns(const LedgerRow& row, const std::string& wanted_grade);

// A Markdown results table of the rows that earn their grade: the wanted grade, and for
// evaluations a score that recomputes from the stored components within 1e-6.
std::string markdown_table(const std::vector<LedgerRow>& rows, const std::string& wanted_grade);

}  // namespace comma_lab::ledger
