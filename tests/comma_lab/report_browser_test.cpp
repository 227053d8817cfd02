// `tac lab report` end to end, through a real browser: a ledger with our rows and public external
// rows (imported with tac lab import-external) becomes a page; headless Chromium loads it and the
// DOM it built holds each chart with its axis titles, legend entries and one marker per plotted row.
// Without Chromium the test skips, unless TAC_REQUIRE_FIXTURES=1 (CI), where it fails.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include "comma_lab/ledger/ledger.hpp"
#include "comma_lab/report/report.hpp"
#include "lab_test_util.hpp"
#include "support/fixtures.hpp"

namespace {

using comma_lab::test::quote;
using comma_lab::test::run;

// The browser: $TAC_CHROMIUM, else `chromium` on PATH (Debian's package).
std::optional<std::string> find_chromium() {
  if (const char* env = std::getenv("TAC_CHROMIUM"); env && *env) return std::string(env);
  const auto r = run("command -v chromium", false);
  if (r.status != 0 || r.output.empty()) return std::nullopt;
  return r.output.substr(0, r.output.find('\n'));
}

// cairo writes a colour channel as a percentage with up to six decimals, trailing zeros dropped.
std::string cairo_rgb(tac::plot::Color c) {
  auto pct = [](std::uint8_t v) {
    std::string s = fmt::format("{:.6f}", v / 255.0 * 100);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s + "%";
  };
  return "rgb(" + pct(c.r) + "," + pct(c.g) + "," + pct(c.b) + ")";
}

// Filled, unstroked paths of one colour inside `svg`: the markers (cairo emits one per circle).
std::size_t markers(const std::string& svg, tac::plot::Color c) {
  const std::string fill = "fill:" + cairo_rgb(c);
  std::size_t n = 0;
  for (auto pos = svg.find("<path"); pos != std::string::npos; pos = svg.find("<path", pos + 5)) {
    const std::string element = svg.substr(pos, svg.find('>', pos) - pos);
    if (element.find(fill) != std::string::npos && element.find("stroke:none") != std::string::npos) ++n;
  }
  return n;
}

comma_lab::ledger::LedgerRow ours(const std::string& entry, double seg, double pose, double rate) {
  return {.kind = "evaluation",
          .grade = "A",
          .axis = "contest-cpu",
          .entry = entry,
          .source = "report browser test",
          .archive_sha256 = std::string(64, 'b'),
          .score = 100 * seg + std::sqrt(10 * pose) + 25 * rate,
          .segnet = seg,
          .posenet = pose,
          .rate = rate,
          .record_json = "{}"};
}

TEST(LabReportBrowser, ChromiumShowsTheChartWithAxisTitlesLegendAndEveryPoint) {
  const auto chromium = find_chromium();
  if (!chromium) {
    if (tac::test::fixtures_required()) FAIL() << "chromium not found (TAC_REQUIRE_FIXTURES=1); scripts/install-deps.sh installs it";
    GTEST_SKIP() << "chromium not found: install it with scripts/install-deps.sh, or set TAC_CHROMIUM";
  }
  tac::test::TempDir dir("lab-report-browser");
  const auto db = dir.path / "ledger.sqlite";
  {
    auto ledger = comma_lab::ledger::Ledger::open(db);
    ledger.append(ours("<b>bold</b> entry", 0.0011, 0.00041, 0.0021));
    ledger.append(ours("ours two", 0.0016, 0.00032, 0.0041));
    ledger.append(ours("ours three", 0.0021, 0.00025, 0.0062));
  }
  comma_lab::test::write_text(dir.path / "public.csv",
                              "entry,score,axis,source,segnet,posenet,rate\n"
                              "pub_with_rate,0.25,contest-cpu,PR #1,0.0009,0.0003,0.0019\n"
                              "pub_no_rate,0.31,contest-cpu,PR #2,0.0012,0.0004,\n"
                              "pub_score_only,0.40,contest-cpu,PR #3,,,\n");
  const std::string tac = quote(tac::test::built_program("tac"));
  const auto imported = run(tac + " lab import-external " + quote(dir.path / "public.csv") + " --db " + quote(db));
  ASSERT_EQ(imported.status, 0) << imported.output;
  const auto out = dir.path / "report";
  const auto report = run(tac + " lab report --out " + quote(out) + " --db " + quote(db));
  ASSERT_EQ(report.status, 0) << report.output;
  EXPECT_NE(report.output.find("3 earn grade A, 3 external, 1 chart(s)"), std::string::npos) << report.output;

  const auto page = run(quote(*chromium) + " --headless --no-sandbox --disable-gpu --user-data-dir=" +
                            quote(dir.path / "chromium-profile") + " --dump-dom " + quote("file://" + (out / "index.html").string()),
                        false);
  ASSERT_EQ(page.status, 0) << page.output;
  const std::string& dom = page.output;
  ASSERT_NE(dom.find("<h1>comma-lab results</h1>"), std::string::npos) << dom.substr(0, 500);
  const auto figure = dom.find("<figure class=\"chart\" data-axis=\"contest-cpu\">");
  ASSERT_NE(figure, std::string::npos);
  const auto svg_begin = dom.find("<svg", figure), svg_end = dom.find("</svg>", figure);
  ASSERT_LT(svg_begin, svg_end);
  const std::string svg = dom.substr(svg_begin, svg_end - svg_begin);
  for (const char* text : {">rate-distortion, axis contest-cpu<", ">rate term  25 \u00b7 archive bytes / original bytes<",
                           ">distortion terms  100 \u00b7 seg + \u221a(10 \u00b7 pose)<", ">ours (grade A)<",
                           ">external (public leaderboard)<", ">score (rate + distortion terms)<"})
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  EXPECT_NE(svg.find("<use xlink:href=\"#chart1-glyph"), std::string::npos);  // drawn as glyph outlines
  // One marker per plotted row plus one legend swatch per series; the score-only row is not plotted.
  EXPECT_EQ(markers(svg, comma_lab::report::kOursColor), 3u + 1u);
  EXPECT_EQ(markers(svg, comma_lab::report::kExternalColor), 2u + 1u);
  EXPECT_NE(dom.find("components missing; listed in the tables): pub_score_only"), std::string::npos);
  // Tables: every row, with text escaped (no <b> element came from the entry name).
  for (const char* entry : {"&lt;b&gt;bold&lt;/b&gt; entry", "ours two", "pub_no_rate", "pub_score_only"})
    EXPECT_NE(dom.find(entry), std::string::npos) << entry;
  EXPECT_EQ(dom.find("<b>bold</b>"), std::string::npos);
}

}  // namespace
