// The cairo chart: axis titles, legend labels and one marker per point in the SVG; determinism;
// bad input is a usage error.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "tac/core/error.hpp"
#include "tac/plot/chart.hpp"

namespace {

using tac::plot::Chart;

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

// Filled paths in a colour: cairo writes a fill as style="...fill:rgb(R%,G%,B%)...".
std::size_t filled_paths(const std::string& svg, const std::string& rgb) {
  std::size_t n = 0;
  for (auto pos = svg.find("<path"); pos != std::string::npos; pos = svg.find("<path", pos + 5)) {
    const std::string element = svg.substr(pos, svg.find('>', pos) - pos);
    if (element.find("fill:" + rgb) != std::string::npos && element.find("stroke:none") != std::string::npos) ++n;
  }
  return n;
}

Chart sample() {
  Chart c;
  c.title = "rate & distortion";
  c.x_axis = "rate term";
  c.y_axis = "distortion terms";
  c.series = {{"ours <A>", {255, 0, 0}, {{0.1, 5.0}, {0.2, 3.0}, {0.4, 2.0}}, true},
              {"external", {0, 0, 255}, {{0.3, 2.5}, {0.5, 1.0}}, false}};
  c.iso_totals = {2.0, 3.0, 4.0};
  return c;
}

TEST(Chart, SvgHasTitlesLegendAndOneMarkerPerPoint) {
  const std::string svg = tac::plot::chart_svg(sample());
  ASSERT_EQ(svg.rfind("<?xml", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // Text is escaped, and each visible string is drawn as glyph outlines (<use> of a glyph symbol).
  for (const char* text : {">rate term<", ">distortion terms<", ">rate &amp; distortion<", ">ours &lt;A&gt;<", ">external<",
                           ">iso-score: x + y = const<"})
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  EXPECT_EQ(svg.find("<A>"), std::string::npos);
  EXPECT_GT(count(svg, "<use xlink:href=\"#glyph"), std::string("rate termdistortiontermsexternal").size());
  // Markers: one filled circle per point, plus one in the legend per series.
  EXPECT_EQ(filled_paths(svg, "rgb(100%,0%,0%)"), 3u + 1u);
  EXPECT_EQ(filled_paths(svg, "rgb(0%,0%,100%)"), 2u + 1u);
}

TEST(Chart, SameChartSameBytes) {
  EXPECT_EQ(tac::plot::chart_svg(sample()), tac::plot::chart_svg(sample()));
  Chart other = sample();
  other.series[0].points[0].second = 4.0;
  EXPECT_NE(tac::plot::chart_svg(sample()), tac::plot::chart_svg(other));
}

TEST(Chart, IsoLinesOutsideTheRangeAreLeftOut) {
  Chart c = sample();
  c.iso_totals = {1000.0};
  const std::string svg = tac::plot::chart_svg(c);
  EXPECT_EQ(svg.find("iso-score"), std::string::npos);
  EXPECT_EQ(svg.find(">1000<"), std::string::npos);
}

TEST(Chart, HugeValuesWithATinySpanStillGiveAFewTicks) {
  Chart c;
  c.series = {{"near 1e12", {255, 0, 0}, {{1e12, 1e12}, {1e12 - 1e-3, 1e12 - 1e-3}}, true}};
  EXPECT_EQ(filled_paths(tac::plot::chart_svg(c), "rgb(100%,0%,0%)"), 3u);
}

TEST(Chart, SinglePointAndEqualValuesDraw) {
  Chart c;
  c.series = {{"one", {255, 0, 0}, {{1.0, 1.0}}, true}};
  EXPECT_EQ(filled_paths(tac::plot::chart_svg(c), "rgb(100%,0%,0%)"), 2u);
}

TEST(Chart, RoundIsoTotalsAreRoundAndSpanThePoints) {
  // x + y over the sample runs from 2.4 (0.4 + 2.0) to 5.1 (0.1 + 5.0).
  const auto totals = tac::plot::round_iso_totals(sample().series, 4);
  ASSERT_GE(totals.size(), 2u);
  const double step = totals[1] - totals[0];
  for (std::size_t i = 0; i < totals.size(); ++i) {
    EXPECT_NEAR(std::remainder(totals[i], step), 0.0, 1e-9) << totals[i];
    EXPECT_GT(totals[i], 1.5);
    EXPECT_LT(totals[i], 5.5);
  }
  EXPECT_LE(totals.front(), 2.4 + step);
  EXPECT_GE(totals.back(), 5.1 - step);
  EXPECT_TRUE(tac::plot::round_iso_totals({}, 4).empty());
}

TEST(Chart, SvgElementPrefixesEveryIdAndReference) {
  const std::string svg = tac::plot::chart_svg_element(sample(), "c1");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("id=\"c1-glyph"), std::string::npos);
  EXPECT_NE(svg.find("href=\"#c1-glyph"), std::string::npos);
  EXPECT_EQ(svg.find("id=\"glyph"), std::string::npos);
  EXPECT_EQ(svg.find("href=\"#glyph"), std::string::npos);
  EXPECT_EQ(svg.find("url(#clip"), std::string::npos);
  EXPECT_THROW((void)tac::plot::chart_svg_element(sample(), "a\"b"), tac::Error);
}

TEST(Chart, InvalidUtf8AndControlCharactersBecomeQuestionMarks) {
  Chart c = sample();
  c.series[0].label = std::string("bad\xff\xc3 \x01" "ctl \xed\xa0\x80 ok \xc3\xa9");
  const std::string svg = tac::plot::chart_svg(c);
  EXPECT_NE(svg.find(">bad?? ?ctl ??? ok \xc3\xa9<"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_EQ(filled_paths(svg, "rgb(100%,0%,0%)"), 4u);
}

void expect_usage(const Chart& c) {
  try {
    (void)tac::plot::chart_svg(c);
    ADD_FAILURE() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage) << e.what();
  }
}

TEST(Chart, BadInputIsAUsageError) {
  expect_usage(Chart{});
  Chart empty_series = sample();
  empty_series.series[1].points.clear();
  expect_usage(empty_series);
  Chart nan = sample();
  nan.series[0].points[1].first = std::nan("");
  expect_usage(nan);
  Chart inf = sample();
  inf.series[1].points[0].second = std::numeric_limits<double>::infinity();
  expect_usage(inf);
  Chart huge = sample();
  huge.series[0].points[0].first = 1e300;
  expect_usage(huge);
  Chart bad_iso = sample();
  bad_iso.iso_totals.push_back(std::nan(""));
  expect_usage(bad_iso);
  Chart tiny = sample();
  tiny.width = 10;
  expect_usage(tiny);
  Chart unlabeled = sample();
  unlabeled.series[0].label.clear();
  expect_usage(unlabeled);
}

}  // namespace
