#pragma once
// Scatter/line charts drawn with cairo to SVG, text in a real font (DejaVu Sans through
// fontconfig). cairo's SVG surface stores the glyph outlines, so the file needs no font to view;
// the same strings are also written as a transparent <text> layer (like a PDF's text layer) so the
// chart's words can be searched, selected and read by screen readers and tests.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tac/plot/color.hpp"

namespace tac::plot {

struct ChartSeries {
  std::string label;
  Color color;
  std::vector<std::pair<double, double>> points;  // (x, y), in the order given
  bool connect = true;                            // draw a line through the points
};

struct Chart {
  std::string title;   // above the plot
  std::string x_axis;  // below the x tick labels
  std::string y_axis;  // left of the y tick labels, rotated
  std::vector<ChartSeries> series;
  // Dashed grey lines x + y = total, labelled with the total (iso-score lines of a score that is
  // rate term + distortion terms). Lines outside the plotted range are left out.
  std::vector<double> iso_totals;
  std::string iso_label = "iso-score: x + y = const";  // legend entry for the iso lines
  int width = 720, height = 480;
};

// Each point is one filled circle in its series colour; the legend draws one more per series.
// Deterministic: the same chart gives the same bytes. Fails (usage) on no series, a series without
// points or label, a non-finite coordinate or total, or a size outside 200..4000 px.
std::string chart_svg(const Chart& chart);
void write_chart_svg(const std::filesystem::path& path, const Chart& chart);
// The same chart as an <svg> element for an HTML page: no XML prolog, and every id and reference
// prefixed with `id_prefix` (letters, digits, '-', '_') so several charts can share one page.
std::string chart_svg_element(const Chart& chart, const std::string& id_prefix);

// About `count` round totals (1/2/5 x 10^k steps) spanning the points' x + y, for iso_totals.
std::vector<double> round_iso_totals(const std::vector<ChartSeries>& series, int count = 4);

}  // namespace tac::plot
