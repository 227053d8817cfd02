// Upstream's report.txt as a record: the public fixture's report imports and grades empirical at
// best, with what it cannot prove listed; a damaged report, a mismatched archive or a mixed axis
// are refused by kind.
#include "comma_lab/import/upstream_report.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "comma_lab/grade/grade.hpp"
#include "lab_test_util.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace {
namespace fs = std::filesystem;
namespace im = comma_lab::import;
using comma_lab::test::write_text;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

tac::ErrorKind kind_of_import(const fs::path& report, const im::ImportOptions& o) {
  const auto e = tac::test::error_of([&] { im::import_upstream_report(report, o); });
  return e ? e->kind() : tac::ErrorKind::internal;
}

TEST(ImportReport, TheFixtureReportBecomesARecordThatGradesEmpiricalAtBest) {
  TAC_FIXTURE(report, "scorer/clip16/report.txt");
  TAC_FIXTURE(archive, "scorer/clip16/recon_archive.zip");
  const auto parsed = im::parse_upstream_report(read(report), report.string());
  EXPECT_GT(parsed.samples, 0);
  EXPECT_EQ(parsed.config.at("device"), "cpu");
  im::ImportOptions o;
  o.archive = archive;
  o.axis = "cpu-advisory";
  const auto record = im::import_upstream_report(report, o);
  EXPECT_EQ(record.at("archive").at("bytes").get<std::uint64_t>(), fs::file_size(archive));
  EXPECT_EQ(record.at("n_samples").get<std::int64_t>(), parsed.samples);
  EXPECT_NEAR(record.at("score").get<double>(), parsed.printed_score, 0.005 + 1e-6);
  EXPECT_NEAR(record.at("rate").get<double>(), parsed.rate, 1e-8);
  EXPECT_GE(record.at("cannot_prove").size(), 5u);
  comma_lab::grade::CustodyFacts facts;
  facts.archive = archive;
  const auto verdict = comma_lab::grade::grade_record(record, facts);
  EXPECT_EQ(verdict.grade, comma_lab::grade::Grade::empirical) << comma_lab::grade::grade_name(verdict.grade);
  bool names_weights = false;
  for (const auto& r : verdict.reasons()) names_weights = names_weights || r.find("scorer weights") != std::string::npos;
  EXPECT_TRUE(names_weights);
}

TEST(ImportReport, RefusesWhatItCannotStandBehind) {
  TAC_FIXTURE(report, "scorer/clip16/report.txt");
  TAC_FIXTURE(archive, "scorer/clip16/recon_archive.zip");
  tac::test::TempDir tmp("import-report");
  im::ImportOptions o;
  o.archive = archive;
  o.axis = "contest-cuda";  // a CPU report never backs a CUDA record, and CUDA needs --gpu
  EXPECT_EQ(kind_of_import(report, o), tac::ErrorKind::usage);
  o.gpu = "Tesla T4";
  EXPECT_EQ(kind_of_import(report, o), tac::ErrorKind::usage);
  o.axis = "cpu-fast";
  EXPECT_EQ(kind_of_import(report, o), tac::ErrorKind::usage);
  o.axis = "cpu-advisory";
  const auto other = tmp.path / "other.zip";
  write_text(other, "not the archive that was scored");
  o.archive = other;
  EXPECT_EQ(kind_of_import(report, o), tac::ErrorKind::corrupt_input);
  o.archive = archive;
  // A printed score that disagrees with its components.
  std::string text = read(report);
  const auto at = text.find("= ", text.find("Final score"));
  ASSERT_NE(at, std::string::npos);
  const auto doctored = tmp.path / "doctored.txt";
  write_text(doctored, text.substr(0, at) + "= 1.00\n");
  EXPECT_EQ(kind_of_import(doctored, o), tac::ErrorKind::corrupt_input);
  // Every truncation is refused cleanly, never a crash.
  for (std::size_t n = 0; n < text.size(); n += 7) {
    try {
      im::parse_upstream_report(text.substr(0, n), "cut");
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << n;
    }
  }
  const auto big = tac::test::error_of([] { im::parse_upstream_report(std::string(2 << 20, 'x'), "big"); });
  ASSERT_TRUE(big);
  EXPECT_EQ(big->kind(), tac::ErrorKind::limit_exceeded);
}

TEST(ImportReport, CliWritesTheRecordAndRecordsIt) {
  TAC_FIXTURE(report, "scorer/clip16/report.txt");
  TAC_FIXTURE(archive, "scorer/clip16/recon_archive.zip");
  tac::test::TempDir tmp("import-report-cli");
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  const auto out = tmp.path / "record.json";
  auto r = comma_lab::test::run(tac_bin + " lab import-report " + comma_lab::test::quote(report) + " --archive " +
                                comma_lab::test::quote(archive) + " --axis cpu-advisory -o " + comma_lab::test::quote(out));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("grades empirical"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(out));
  r = comma_lab::test::run(tac_bin + " lab import-report " + comma_lab::test::quote(report) + " --archive " +
                           comma_lab::test::quote(archive) + " --axis cpu-advisory --record --db " +
                           comma_lab::test::quote(tmp.path / "l.sqlite"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("row 1, grade empirical"), std::string::npos) << r.output;
}

}  // namespace
