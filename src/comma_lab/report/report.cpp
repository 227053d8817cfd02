#include "comma_lab/report/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "comma_lab/ledger/rows.hpp"
#include "tac/core/error.hpp"
#include "tac/core/markup_escape.hpp"
#include "tac/core/output_file.hpp"

namespace comma_lab::report {
namespace {

using ledger::LedgerRow;

// Axis names come from records and CSVs: keep [A-Za-z0-9_-], replace the rest.
std::string file_safe(const std::string& axis) {
  std::string out;
  for (const char ch : axis.substr(0, 64))
    out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ? ch : '_';
  return out.empty() ? std::string("none") : out;
}

std::string num(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : std::string("—");
}

std::string html_table(const std::vector<LedgerRow>& rows, const std::string& grade, std::size_t& count) {
  std::string out =
      "<table>\n<thead><tr><th>#</th><th>entry</th><th>axis</th><th>grade</th><th>score</th><th>segnet</th>"
      "<th>posenet</th><th>rate</th><th>bytes</th><th>archive SHA-256</th><th>runtime SHA-256</th></tr></thead>\n<tbody>\n";
  count = 0;
  for (const auto& r : rows) {
    if (!ledger::row_earns(r, grade)) continue;
    ++count;
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td><code>{}</code></td><td><code>{}</code></td></tr>\n",
        r.id, tac::markup_escape(r.entry.empty() ? "—" : r.entry), tac::markup_escape(r.axis), tac::markup_escape(r.grade), num(r.score, 6),
        num(r.segnet, 8), num(r.posenet, 8), num(r.rate, 8), r.archive_bytes ? fmt::format("{}", *r.archive_bytes) : "—",
        tac::markup_escape(r.archive_sha256), tac::markup_escape(r.runtime_sha256));
  }
  out += "</tbody>\n</table>\n";
  return out;
}

std::string row_name(const LedgerRow& r) { return r.entry.empty() ? fmt::format("row {}", r.id) : r.entry; }

}  // namespace

std::optional<std::pair<double, double>> rd_point(const LedgerRow& r) {
  if (!r.segnet || !r.posenet || *r.posenet < 0) return std::nullopt;
  const double distortion = 100 * *r.segnet + std::sqrt(10 * *r.posenet);
  double rate_term = 0;
  if (r.rate) rate_term = 25 * *r.rate;
  else if (r.score && r.kind == "external") rate_term = *r.score - distortion;
  else return std::nullopt;
  // Absurd values (a hostile or broken row) are listed, not plotted: they would flatten the chart.
  constexpr double kAbsurd = 1e9;
  if (!std::isfinite(rate_term) || !std::isfinite(distortion) || std::abs(rate_term) > kAbsurd || std::abs(distortion) > kAbsurd)
    return std::nullopt;
  return std::pair{rate_term, distortion};
}

std::vector<AxisChart> axis_charts(const std::vector<LedgerRow>& rows, const std::string& grade) {
  std::map<std::string, AxisChart> by_axis;  // sorted by axis: deterministic order
  std::set<std::string> files;               // axes that differ only in unsafe characters get -2, -3, ...
  for (const auto& r : rows) {
    const bool ours = r.kind == "evaluation" && ledger::row_earns(r, grade);
    const bool external = r.kind == "external";
    if (!ours && !external) continue;
    auto& c = by_axis[r.axis];
    if (c.chart.series.empty()) {
      c.axis = r.axis;
      const std::string base = "rd-" + file_safe(r.axis);
      c.file = base + ".svg";
      for (int n = 2; !files.insert(c.file).second; ++n) c.file = fmt::format("{}-{}.svg", base, n);
      c.chart.title = "rate-distortion, axis " + (r.axis.empty() ? std::string("(none)") : r.axis);
      c.chart.x_axis = "rate term  25 \u00b7 archive bytes / original bytes";
      c.chart.y_axis = "distortion terms  100 \u00b7 seg + \u221a(10 \u00b7 pose)";
      c.chart.iso_label = "score (rate + distortion terms)";
      c.chart.series = {{"ours (grade " + grade + ")", kOursColor, {}, false}, {"external (public leaderboard)", kExternalColor, {}, false}};
    }
    const auto point = rd_point(r);
    if (point) c.chart.series[ours ? 0 : 1].points.push_back(*point);
    else c.unplotted.push_back(row_name(r));
  }
  std::vector<AxisChart> charts;
  for (auto& [axis, c] : by_axis) {
    std::erase_if(c.chart.series, [](const tac::plot::ChartSeries& s) { return s.points.empty(); });
    if (c.chart.series.empty()) continue;  // nothing plottable on this axis; its rows are in the tables
    for (auto& s : c.chart.series) std::sort(s.points.begin(), s.points.end());
    c.chart.iso_totals = tac::plot::round_iso_totals(c.chart.series, 4);
    charts.push_back(std::move(c));
  }
  return charts;
}

ReportFiles write_report(const std::vector<LedgerRow>& rows, const std::string& grade, const std::string& source,
                         const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) tac::fail(tac::ErrorKind::io, "cannot create report directory {}: {}", dir.string(), ec.message());
  const auto charts = axis_charts(rows, grade);
  ReportFiles files{dir / "index.html", dir / "report.md", {}, 0, 0};

  std::string md = fmt::format("# comma-lab results\n\nLedger: `{}` ({} rows). Grade shown: **{}**.\n\n", source, rows.size(), grade);
  std::string html = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>comma-lab results</title>\n"
      "<style>body{{font-family:'DejaVu Sans',sans-serif;max-width:1250px;margin:1em auto}}"
      "table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}"
      "code{{font-size:11px}}figure{{margin:1em 0}}svg{{max-width:100%;height:auto}}</style></head><body>\n"
      "<h1>comma-lab results</h1>\n<p>Ledger: <code>{}</code> ({} rows). Grade shown: <b>{}</b>.</p>\n",
      tac::markup_escape(source), rows.size(), tac::markup_escape(grade));

  md += "## Rate-distortion\n\n";
  html += "<h2>Rate-distortion</h2>\n<p>x: rate term 25&middot;archive/original; y: distortion terms "
          "100&middot;seg + &radic;(10&middot;pose); dashed lines: equal score. External rows without a rate are "
          "placed at score &minus; distortion terms.</p>\n";
  if (charts.empty()) {
    md += "No row has the components to plot.\n\n";
    html += "<p>No row has the components to plot.</p>\n";
  }
  int index = 0;
  for (const auto& c : charts) {
    const auto path = dir / c.file;
    tac::plot::write_chart_svg(path, c.chart);
    files.charts.push_back(path);
    md += fmt::format("### Axis {}\n\n![{}]({})\n\n", c.axis, c.chart.title, c.file);
    html += fmt::format("<figure class=\"chart\" data-axis=\"{}\">\n{}<figcaption>{} (<a href=\"{}\">SVG</a>)</figcaption>\n</figure>\n",
                        tac::markup_escape(c.axis), tac::plot::chart_svg_element(c.chart, fmt::format("chart{}", ++index)),
                        tac::markup_escape(c.chart.title), tac::markup_escape(c.file));
    if (!c.unplotted.empty()) {
      std::string names;
      for (const auto& n : c.unplotted) names += (names.empty() ? "" : ", ") + n;
      md += "Not plotted (components missing; listed in the tables): " + names + "\n\n";
      html += "<p>Not plotted (components missing; listed in the tables): " + tac::markup_escape(names) + "</p>\n";
    }
  }

  md += "## Results (grade " + grade + ")\n\n" + ledger::markdown_table(rows, grade) + "\n";
  html += "<h2>Results (grade " + tac::markup_escape(grade) + ")</h2>\n" + html_table(rows, grade, files.ours);
  if (grade != "external") {
    md += "## Public external rows\n\n" + ledger::markdown_table(rows, "external") + "\n";
    html += "<h2>Public external rows</h2>\n" + html_table(rows, "external", files.external);
  }
  html += "</body></html>\n";
  tac::write_file_atomic(files.markdown, md);
  tac::write_file_atomic(files.html, html);
  return files;
}

}  // namespace comma_lab::report
