// tac lab report's library: which rows land on which chart where, and the files it writes
// (escaped text, one chart per axis, tables that match the ledger's Markdown table).
#include "comma_lab/report/report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "comma_lab/ledger/rows.hpp"
#include "lab_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/core/error.hpp"

namespace {

using comma_lab::ledger::LedgerRow;

// A row of `kind` and `grade` with the given components (external rows may lack any of them).
LedgerRow row(std::int64_t id, const std::string& kind, const std::string& entry, const std::string& axis,
              std::optional<double> seg, std::optional<double> pose, std::optional<double> rate) {
  LedgerRow r;
  r.id = id;
  r.kind = kind;
  r.grade = kind == "external" ? "external" : "A";
  r.axis = axis;
  r.entry = entry;
  r.segnet = seg;
  r.posenet = pose;
  r.rate = rate;
  return r;
}

LedgerRow evaluation(std::int64_t id, const std::string& entry, const std::string& axis, double seg, double pose, double rate) {
  LedgerRow r = row(id, "evaluation", entry, axis, seg, pose, rate);
  r.score = 100 * seg + std::sqrt(10 * pose) + 25 * rate;
  r.archive_sha256 = std::string(64, 'a');
  return r;
}

LedgerRow external(std::int64_t id, const std::string& entry, const std::string& axis, std::optional<double> score,
                   std::optional<double> seg, std::optional<double> pose, std::optional<double> rate) {
  LedgerRow r = row(id, "external", entry, axis, seg, pose, rate);
  r.score = score;
  return r;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(LabReport, RdPointIsRateTermAgainstDistortionTerms) {
  const auto p = comma_lab::report::rd_point(evaluation(1, "a", "contest-cpu", 0.001, 0.0004, 0.002));
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->first, 25 * 0.002);
  EXPECT_DOUBLE_EQ(p->second, 100 * 0.001 + std::sqrt(10 * 0.0004));
  // An external row without a rate sits at score - distortion terms.
  const auto q = comma_lab::report::rd_point(external(2, "b", "contest-cpu", 0.3, 0.001, 0.0004, std::nullopt));
  ASSERT_TRUE(q);
  EXPECT_NEAR(q->first, 0.3 - q->second, 1e-12);
  // Missing components: not plottable.
  EXPECT_FALSE(comma_lab::report::rd_point(external(3, "c", "contest-cpu", 0.3, std::nullopt, std::nullopt, std::nullopt)));
  EXPECT_FALSE(comma_lab::report::rd_point(external(4, "d", "contest-cpu", std::nullopt, 0.001, 0.0004, std::nullopt)));
  auto no_rate = evaluation(5, "e", "contest-cpu", 0.001, 0.0004, 0.002);
  no_rate.rate.reset();
  EXPECT_FALSE(comma_lab::report::rd_point(no_rate));  // ours never derive the rate
  EXPECT_FALSE(comma_lab::report::rd_point(external(6, "f", "contest-cpu", std::nullopt, 0.001, 0.0004, 1e300)));
}

TEST(LabReport, OneChartPerAxisWithOursBesideExternal) {
  auto broken = evaluation(3, "broken", "contest-cpu", 0.002, 0.0005, 0.01);
  broken.score = *broken.score + 0.5;  // no longer recomputes: earns no grade, not plotted
  auto empirical = evaluation(4, "empirical", "contest-cpu", 0.002, 0.0005, 0.01);
  empirical.grade = "empirical";
  const std::vector<LedgerRow> rows{evaluation(1, "ours1", "contest-cpu", 0.001, 0.0004, 0.002),
                                    evaluation(2, "ours2", "contest-cpu", 0.0015, 0.0003, 0.004),
                                    broken,
                                    empirical,
                                    external(5, "pub1", "contest-cpu", 0.3, 0.001, 0.0004, std::nullopt),
                                    external(6, "pub2", "contest-cpu", 0.4, std::nullopt, std::nullopt, std::nullopt),
                                    external(7, "cuda1", "contest-cuda", 0.2, 0.0005, 0.0002, 0.004)};
  const auto charts = comma_lab::report::axis_charts(rows, "A");
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].axis, "contest-cpu");
  EXPECT_EQ(charts[0].file, "rd-contest-cpu.svg");
  ASSERT_EQ(charts[0].chart.series.size(), 2u);
  EXPECT_EQ(charts[0].chart.series[0].label, "ours (grade A)");
  EXPECT_EQ(charts[0].chart.series[0].points.size(), 2u);
  EXPECT_EQ(charts[0].chart.series[1].points.size(), 1u);
  EXPECT_EQ(charts[0].unplotted, std::vector<std::string>{"pub2"});
  EXPECT_FALSE(charts[0].chart.iso_totals.empty());
  // Only external rows on the CUDA axis: one series.
  EXPECT_EQ(charts[1].axis, "contest-cuda");
  ASSERT_EQ(charts[1].chart.series.size(), 1u);
  EXPECT_EQ(charts[1].chart.series[0].label, "external (public leaderboard)");
}

TEST(LabReport, WritesEscapedPageMarkdownAndOneSvgPerAxis) {
  tac::test::TempDir dir("lab-report");
  const std::vector<LedgerRow> rows{evaluation(1, "<script>alert(1)</script>", "contest-cpu", 0.001, 0.0004, 0.002),
                                    external(2, "pub & co", "contest-cpu", 0.3, 0.001, 0.0004, std::nullopt),
                                    external(3, "odd axis", "../../etc", 0.3, 0.001, 0.0004, 0.01)};
  const auto files = comma_lab::report::write_report(rows, "A", "ledger <1>.sqlite", dir.path / "out");
  EXPECT_EQ(files.ours, 1u);
  EXPECT_EQ(files.external, 2u);
  ASSERT_EQ(files.charts.size(), 2u);
  for (const auto& c : files.charts) {
    EXPECT_EQ(c.parent_path(), dir.path / "out");  // the axis cannot steer the file elsewhere
    EXPECT_EQ(read(c).rfind("<?xml", 0), 0u);
  }
  const std::string html = read(files.html);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("pub &amp; co"), std::string::npos);
  EXPECT_NE(html.find("ledger &lt;1&gt;.sqlite"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);  // charts inlined as <svg> elements
  EXPECT_NE(html.find("id=\"chart1-"), std::string::npos);
  EXPECT_NE(html.find("id=\"chart2-"), std::string::npos);
  const std::string md = read(files.markdown);
  EXPECT_NE(md.find(comma_lab::ledger::markdown_table(rows, "A")), std::string::npos);
  EXPECT_NE(md.find(comma_lab::ledger::markdown_table(rows, "external")), std::string::npos);
  for (const auto& c : files.charts) EXPECT_NE(md.find("(" + c.filename().string() + ")"), std::string::npos);
  // Same rows, same bytes.
  // Axes that differ only in unsafe characters keep separate files.
  const auto twins = comma_lab::report::axis_charts({external(1, "x", "a/b", 0.3, 0.001, 0.0004, 0.01),
                                                     external(2, "y", "a_b", 0.3, 0.001, 0.0004, 0.01)}, "A");
  ASSERT_EQ(twins.size(), 2u);
  EXPECT_NE(twins[0].file, twins[1].file);
  const auto again = comma_lab::report::write_report(rows, "A", "ledger <1>.sqlite", dir.path / "again");
  EXPECT_EQ(read(again.html), html);
  EXPECT_EQ(read(again.markdown), md);
}

TEST(LabReport, EmptyLedgerStillWritesAPage) {
  tac::test::TempDir dir("lab-report-empty");
  const auto files = comma_lab::report::write_report({}, "A", "empty.sqlite", dir.path);
  EXPECT_TRUE(files.charts.empty());
  EXPECT_NE(read(files.html).find("No row has the components to plot."), std::string::npos);
}

TEST(LabReport, UnwritableDirectoryIsAnIoError) {
  tac::test::TempDir dir("lab-report-io");
  std::ofstream(dir.path / "file") << "x";
  try {
    (void)comma_lab::report::write_report({}, "A", "x", dir.path / "file" / "sub");
    FAIL() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::io) << e.what();
  }
}

TEST(LabReportCli, BadArgumentsAreUsageErrorsAndHelpTeachesWithAnExample) {
  using comma_lab::test::quote;
  using comma_lab::test::run;
  tac::test::TempDir dir("lab-report-cli");
  const std::string tac = quote(tac::test::built_program("tac"));
  const std::string db = " --db " + quote(dir.path / "ledger.sqlite");
  const auto no_out = run(tac + " lab report" + db);
  EXPECT_EQ(no_out.status, 2) << no_out.output;
  EXPECT_NE(no_out.output.find("--out"), std::string::npos) << no_out.output;
  const auto bad_grade = run(tac + " lab report --out " + quote(dir.path / "r") + " --grade B" + db);
  EXPECT_EQ(bad_grade.status, 2) << bad_grade.output;
  EXPECT_NE(bad_grade.output.find("unknown grade 'B'"), std::string::npos) << bad_grade.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path / "r"));
  const auto help = run(tac + " lab report --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.output.find("Example: tac lab import-external"), std::string::npos) << help.output;
  // An empty ledger still gives a page, and says where it is.
  const auto empty = run(tac + " lab report --out " + quote(dir.path / "r") + db);
  EXPECT_EQ(empty.status, 0) << empty.output;
  EXPECT_NE(empty.output.find("page: "), std::string::npos) << empty.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path / "r" / "index.html"));
}

}  // namespace
