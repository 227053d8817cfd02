// The ledger: append-only rows in SQLite (WAL), filters, the external CSV, the Markdown table, and
// a writer killed with SIGKILL in the middle of a batch leaving every committed row intact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cmath>

#include "comma_lab/ledger/ledger.hpp"
#include "comma_lab/ledger/rows.hpp"
#include "lab_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/core/error.hpp"

namespace {
namespace fs = std::filesystem;
using comma_lab::ledger::Ledger;
using comma_lab::ledger::LedgerRow;

LedgerRow row(int i, std::string grade = "empirical", std::string axis = "cpu-advisory") {
  LedgerRow r;
  r.kind = "evaluation";
  r.grade = std::move(grade);
  r.axis = std::move(axis);
  r.entry = fmt::format("row {}", i);
  r.archive_sha256 = std::string(63, 'a') + static_cast<char>('0' + i % 10);
  r.archive_bytes = 1000 + i;
  r.segnet = 0.001;
  r.posenet = 0.0001;
  r.rate = 0.005;
  r.score = 100 * 0.001 + std::sqrt(10 * 0.0001) + 25 * 0.005;
  r.n_samples = 600;
  r.record_json = fmt::format("{{\"i\":{}}}", i);
  return r;
}

std::string sql_one(const fs::path& db, const char* sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(h, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(s, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

TEST(Ledger, AppendsListsAndFilters) {
  tac::test::TempDir tmp("lab_ledger_basic");
  const auto path = tmp.path / "sub" / "ledger.sqlite";
  {
    auto db = Ledger::open(path);
    EXPECT_EQ(db.append(row(1)), 1);
    const auto ids = db.append_batch(std::vector{row(2, "A++", "contest-cpu"), row(3, "external", "contest-cuda")});
    EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3}));
  }
  const auto db = Ledger::open(path);  // reopens the same file
  EXPECT_EQ(db.count(), 3);
  const auto all = db.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].grade, "A++");
  EXPECT_EQ(all[1].archive_bytes, 1002u);
  EXPECT_EQ(all[1].record_json, "{\"i\":2}");
  EXPECT_FALSE(all[0].recorded_at.empty());
  EXPECT_EQ(db.list({.axis = "contest-cpu"}).size(), 1u);
  EXPECT_EQ(db.list({.grade = "external"}).at(0).entry, "row 3");
  EXPECT_EQ(db.list({.archive = std::string(63, 'a') + "1"}).size(), 1u);
  EXPECT_EQ(db.list({.archive = "aaaa"}).size(), 3u);
  EXPECT_EQ(db.integrity_check(), "ok");
  EXPECT_EQ(sql_one(path, "PRAGMA journal_mode"), "wal");
}

TEST(Ledger, IsAppendOnly) {
  tac::test::TempDir tmp("lab_ledger_append_only");
  const auto path = tmp.path / "ledger.sqlite";
  Ledger::open(path).append(row(1));
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(h, "UPDATE results SET score = 0", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(std::string(sqlite3_errmsg(h)).find("append-only"), std::string::npos);
  EXPECT_NE(sqlite3_exec(h, "DELETE FROM results", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);
  EXPECT_EQ(Ledger::open(path).count(), 1);
}

TEST(Ledger, RefusesAFileThatIsNotALedger) {
  tac::test::TempDir tmp("lab_ledger_not_db");
  comma_lab::test::write_text(tmp.path / "x.sqlite", std::string(4096, 'x'));
  try {
    Ledger::open(tmp.path / "x.sqlite");
    FAIL() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << e.what();
    EXPECT_NE(std::string(e.what()).find("x.sqlite"), std::string::npos);
  }
}

TEST(Ledger, PathFromFlagThenEnvironment) {
  ::setenv("TAC_LAB_DB", "/tmp/from-env.sqlite", 1);
  EXPECT_EQ(comma_lab::ledger::resolve_ledger_path(std::nullopt), "/tmp/from-env.sqlite");
  EXPECT_EQ(comma_lab::ledger::resolve_ledger_path(std::string("/tmp/flag.sqlite")), "/tmp/flag.sqlite");
  ::unsetenv("TAC_LAB_DB");
  EXPECT_EQ(comma_lab::ledger::resolve_ledger_path(std::nullopt).filename(), "ledger.sqlite");
}

// A child appends batches of kBatch rows, one transaction each, and reports each commit through a
// pipe; the parent kills it with SIGKILL in the middle of the batches. Every reported batch must
// be there whole, the batch in flight absent, and the file must pass integrity_check.
TEST(Ledger, SurvivesSigkillInTheMiddleOfABatch) {
  constexpr int kBatch = 200;
  tac::test::TempDir tmp("lab_ledger_kill");
  const auto path = tmp.path / "ledger.sqlite";
  Ledger::open(path);  // schema in place before the race
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    try {
      auto db = Ledger::open(path);
      for (int b = 0;; ++b) {
        std::vector<LedgerRow> rows;
        for (int i = 0; i < kBatch; ++i) rows.push_back(row(b * kBatch + i));
        db.append_batch(rows);
        const int committed = b + 1;
        if (::write(fds[1], &committed, sizeof committed) != sizeof committed) ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(fds[1]);
  int committed = 0, value = 0;
  while (committed < 5 && ::read(fds[0], &value, sizeof value) == sizeof value) committed = value;
  ::usleep(3000);  // well inside the next batch's inserts
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended on its own: " << status;
  while (::read(fds[0], &value, sizeof value) == sizeof value) committed = value;  // commits reported before the kill
  ::close(fds[0]);

  const auto db = Ledger::open(path);
  EXPECT_EQ(db.integrity_check(), "ok");
  const auto rows = db.list();
  // Whole batches only: the kill may land after a commit and before its report, never inside one.
  EXPECT_EQ(rows.size() % kBatch, 0u) << rows.size();
  ASSERT_GE(rows.size(), static_cast<std::size_t>(committed) * kBatch);
  EXPECT_LE(rows.size(), static_cast<std::size_t>(committed + 1) * kBatch);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].id, static_cast<std::int64_t>(i + 1));
    ASSERT_EQ(rows[i].entry, fmt::format("row {}", i));
  }
  std::printf("killed after %d reported batches; %zu rows present\n", committed, rows.size());
}

TEST(ExternalCsv, ParsesQuotedFieldsAndRefusesBadInput) {
  const std::string csv =
      "entry,score,axis,source,archive_bytes,note\n"
      "\"a, quoted\",0.193,contest-cpu,\"PR #101, \"\"final\"\"\",178258,\r\n"
      "b,0.5,contest-cuda,PR #2,,x\n";
  const auto recs = comma_lab::ledger::external_records_from_csv(csv, "t.csv");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["entry"], "a, quoted");
  EXPECT_EQ(recs[0]["source"], "PR #101, \"final\"");
  EXPECT_EQ(recs[0]["archive_bytes"], 178258u);
  EXPECT_DOUBLE_EQ(recs[0]["score"].get<double>(), 0.193);
  EXPECT_FALSE(recs[1].contains("archive_bytes"));
  auto kind_of = [](const std::string& text) {
    try {
      comma_lab::ledger::external_records_from_csv(text, "bad.csv");
    } catch (const tac::Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.csv"), std::string::npos) << e.what();
      return e.kind();
    }
    ADD_FAILURE() << "accepted: " << text;
    return tac::ErrorKind::internal;
  };
  EXPECT_EQ(kind_of("entry,score,axis\nx,1,cpu\n"), tac::ErrorKind::corrupt_input);           // no source column
  EXPECT_EQ(kind_of("entry,score,axis,source\nx,abc,cpu,s\n"), tac::ErrorKind::corrupt_input);  // not a number
  EXPECT_EQ(kind_of("entry,score,axis,source\nx,nan,cpu,s\n"), tac::ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of("entry,score,axis,source\nx,1,cpu\n"), tac::ErrorKind::corrupt_input);      // short row
  EXPECT_EQ(kind_of("entry,score,axis,source\n\"x,1,cpu,s\n"), tac::ErrorKind::corrupt_input);  // unterminated quote
  EXPECT_EQ(kind_of("entry,score,axis,source,archive_bytes\nx,1,cpu,s,-5\n"), tac::ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of(std::string(2 << 20, 'x')), tac::ErrorKind::limit_exceeded);
  EXPECT_EQ(kind_of("entry,score,axis,source\n" + std::string(5000, 'x') + ",1,cpu,s\n"), tac::ErrorKind::limit_exceeded);
}

TEST(MarkdownTable, OnlyRowsThatEarnTheGrade) {
  auto good = row(1, "A++", "contest-cpu");
  good.id = 1;
  auto a = row(2, "A", "contest-cpu");
  a.id = 2;
  auto bad_sum = row(3, "A", "contest-cpu");  // stored score does not add up
  bad_sum.id = 3;
  *bad_sum.score += 1e-3;
  auto emp = row(4);
  emp.id = 4;
  const auto table = comma_lab::ledger::markdown_table({good, a, bad_sum, emp}, "A");
  EXPECT_NE(table.find("| 1 | row 1 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| 2 | row 2 |"), std::string::npos) << table;
  EXPECT_EQ(table.find("| 3 |"), std::string::npos) << table;
  EXPECT_EQ(table.find("| 4 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| " + std::to_string(*good.archive_bytes) + " | `" + good.archive_sha256 + "`"), std::string::npos) << table;
  const auto only_pp = comma_lab::ledger::markdown_table({good, a}, "A++");
  EXPECT_EQ(only_pp.find("| 2 |"), std::string::npos);
}

TEST(LedgerCli, RecordListTableAndImportExternal) {
  tac::test::TempDir tmp("lab_ledger_cli");
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  const auto db = tmp.path / "ledger.sqlite";
  const std::string env = "TAC_LAB_DB=" + comma_lab::test::quote(db) + " ";
  // A twin-scorer smoke record: graded empirical, never A, with its reasons printed.
  const nlohmann::json record{
      {"record", "tac-evaluation"}, {"tac_version", "0.1.0"}, {"axis", "cpu-advisory"}, {"device", "cpu"},
      {"archive", {{"path", "/nonexistent/archive.zip"}, {"sha256", std::string(64, 'c')}, {"bytes", 361029}}},
      {"original_bytes", 5056359}, {"rate", 361029.0 / 5056359.0}, {"avg_segnet_distortion", 0.01},
      {"avg_posenet_distortion", 0.2}, {"n_samples", 8},
      {"score", 100 * 0.01 + std::sqrt(10 * 0.2) + 25 * (361029.0 / 5056359.0)},
      {"weights", {{"segnet", {{"sha256", std::string(64, 'd')}}}, {"posenet", {{"sha256", std::string(64, 'e')}}}}},
      {"inflate", "ran"}};
  comma_lab::test::write_text(tmp.path / "eval.json", record.dump());
  auto r = comma_lab::test::run(env + tac_bin + " lab record --note clip16-twin " + comma_lab::test::quote(tmp.path / "eval.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("row 1, grade empirical"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("scorer.real"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("samples.600"), std::string::npos) << r.output;


  // The public leaderboard seed: every row external.
  const auto seed = fs::path(TAC_SOURCE_DIR) / "docs" / "lab_public_leaderboard.csv";
  r = comma_lab::test::run(env + tac_bin + " lab import-external " + comma_lab::test::quote(seed));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto seeded = comma_lab::ledger::read_external_csv(seed).size();
  r = comma_lab::test::run(env + tac_bin + " lab ledger --grade external --json", false);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output).size(), seeded);
  r = comma_lab::test::run(env + tac_bin + " lab ledger --axis cpu-advisory");
  EXPECT_NE(r.output.find("clip16-twin"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 rows"), std::string::npos) << r.output;

  // Nothing here earns A; external rows earn external.
  r = comma_lab::test::run(env + tac_bin + " lab table --grade A", false);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 2) << r.output;  // header only
  r = comma_lab::test::run(env + tac_bin + " lab table --grade external", false);
  EXPECT_NE(r.output.find("vibe_coder_final_boss"), std::string::npos) << r.output;
  EXPECT_NE(comma_lab::test::run(env + tac_bin + " lab table --grade B").status, 0);

  // --db wins over TAC_LAB_DB.
  const auto other = tmp.path / "other.sqlite";
  r = comma_lab::test::run(env + tac_bin + " lab record --db " + comma_lab::test::quote(other) + " " +
                           comma_lab::test::quote(tmp.path / "eval.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(Ledger::open(other).count(), 1);
  EXPECT_EQ(Ledger::open(db).count(), static_cast<std::int64_t>(1 + seeded));
}

}  // namespace
