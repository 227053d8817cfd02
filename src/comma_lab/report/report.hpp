#pragma once
// `tac lab report`: the ledger as a page people look at. DIR/index.html (results tables and one
// rate-distortion chart per axis, inlined as SVG) and DIR/report.md (the same tables, the charts
// as DIR/rd-<axis>.svg). Charts plot the rate term 25*rate (x) against the distortion terms
// 100*seg + sqrt(10*pose) (y) — our rows that earn the grade beside the public external rows —
// with iso-score lines. Deterministic: the same ledger rows give the same files.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "comma_lab/ledger/ledger.hpp"
#include "tac/plot/chart.hpp"

namespace comma_lab::report {

// A row's place on the chart: (rate term, distortion terms). An external row without a rate but
// with a score gets rate term = score - distortion terms (that is the score's definition). None
// when segnet or posenet (or both rate and score) are missing, or a value is not finite or beyond 1e9.
std::optional<std::pair<double, double>> rd_point(const ledger::LedgerRow& row);

// Series colours: our rows, the public external rows.
inline constexpr tac::plot::Color kOursColor{31, 119, 180}, kExternalColor{214, 39, 40};

struct AxisChart {
  std::string axis;
  std::string file;                   // rd-<axis>.svg, the axis made file-name safe
  tac::plot::Chart chart;
  std::vector<std::string> unplotted;  // entries of rows on this axis without the components
};

// One chart per axis that has a plottable row: "ours (grade G)" = evaluations that earn `grade`,
// "external (public leaderboard)" = external rows.
std::vector<AxisChart> axis_charts(const std::vector<ledger::LedgerRow>& rows, const std::string& grade);

struct ReportFiles {
  std::filesystem::path html, markdown;
  std::vector<std::filesystem::path> charts;
  std::size_t ours = 0, external = 0;  // rows in each table
};

// Writes the report into `dir` (created if needed). `source` names the ledger, shown on the page.
ReportFiles write_report(const std::vector<ledger::LedgerRow>& rows, const std::string& grade, const std::string& source,
                         const std::filesystem::path& dir);

}  // namespace comma_lab::report
