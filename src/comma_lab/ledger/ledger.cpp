#include "comma_lab/ledger/ledger.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <utility>

#include "tac/core/error.hpp"

namespace comma_lab::ledger {
using tac::ErrorKind;
using tac::fail;

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at TEXT NOT NULL,
  kind TEXT NOT NULL,
  grade TEXT NOT NULL,
  axis TEXT NOT NULL DEFAULT '',
  entry TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  archive_sha256 TEXT NOT NULL DEFAULT '',
  archive_bytes INTEGER,
  score REAL, segnet REAL, posenet REAL, rate REAL,
  n_samples INTEGER,
  runtime_sha256 TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  reasons_json TEXT NOT NULL DEFAULT '[]',
  record_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS results_archive ON results(archive_sha256);
CREATE TRIGGER IF NOT EXISTS results_no_update BEFORE UPDATE ON results
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS results_no_delete BEFORE DELETE ON results
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
)sql";

[[noreturn]] void sql_fail(sqlite3* db, const std::filesystem::path& path, const char* what) {
  const int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
  const ErrorKind kind = (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? ErrorKind::corrupt_input : ErrorKind::io;
  fail(kind, "{}: {}: {}", path.string(), what, db ? sqlite3_errmsg(db) : "out of memory");
}

void exec(sqlite3* db, const std::filesystem::path& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    const int code = sqlite3_errcode(db);
    fail((code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? ErrorKind::corrupt_input : ErrorKind::io, "{}: {}", path.string(), msg);
  }
}

class Statement {
 public:
  Statement(sqlite3* db, const std::filesystem::path& path, const char* sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) sql_fail(db, path, "prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  void text(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void real(int i, const std::optional<double>& v) { v ? sqlite3_bind_double(stmt_, i, *v) : sqlite3_bind_null(stmt_, i); }
  void integer(int i, const std::optional<std::int64_t>& v) { v ? sqlite3_bind_int64(stmt_, i, *v) : sqlite3_bind_null(stmt_, i); }
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sql_fail(db_, path_, "step");
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string column_text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }
  std::optional<double> column_real(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(stmt_, i);
  }
  std::optional<std::int64_t> column_int(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, i);
  }
  // One overload per LedgerRow member type, so the column table below serves INSERT and SELECT.
  void bind(int i, const std::string& v) { text(i, v); }
  void bind(int i, const std::optional<double>& v) { real(i, v); }
  void bind(int i, const std::optional<std::int64_t>& v) { integer(i, v); }
  void bind(int i, const std::optional<std::uint64_t>& v) {
    integer(i, v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt);
  }
  void read(int i, std::string& v) const { v = column_text(i); }
  void read(int i, std::optional<double>& v) const { v = column_real(i); }
  void read(int i, std::optional<std::int64_t>& v) const { v = column_int(i); }
  void read(int i, std::optional<std::uint64_t>& v) const {
    const auto x = column_int(i);
    v = x ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*x)) : std::nullopt;
  }

 private:
  sqlite3* db_;
  const std::filesystem::path& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

// The columns of `results` after id, in schema order, each with its LedgerRow member: written
// once, so INSERT, SELECT and the SQL text cannot disagree.
template <class Row, class Visit>
void for_each_column(Row& r, Visit&& visit) {
  visit("recorded_at", r.recorded_at);
  visit("kind", r.kind);
  visit("grade", r.grade);
  visit("axis", r.axis);
  visit("entry", r.entry);
  visit("source", r.source);
  visit("archive_sha256", r.archive_sha256);
  visit("archive_bytes", r.archive_bytes);
  visit("score", r.score);
  visit("segnet", r.segnet);
  visit("posenet", r.posenet);
  visit("rate", r.rate);
  visit("n_samples", r.n_samples);
  visit("runtime_sha256", r.runtime_sha256);
  visit("note", r.note);
  visit("reasons_json", r.reasons_json);
  visit("record_json", r.record_json);
}

// "recorded_at, kind, ..." and as many "?" placeholders.
std::pair<std::string, std::string> column_list() {
  std::string names, marks;
  LedgerRow row;
  for_each_column(row, [&](const char* name, const auto&) {
    names += names.empty() ? "" : ", ";
    marks += marks.empty() ? "?" : ",?";
    names += name;
  });
  return {names, marks};
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::filesystem::path default_ledger_path() {
  if (const char* env = std::getenv("TAC_LAB_DB"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "comma_lab" / "ledger.sqlite";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local" / "share" / "comma_lab" / "ledger.sqlite";
  return "comma_lab_ledger.sqlite";
}

std::filesystem::path resolve_ledger_path(const std::optional<std::string>& db_flag) {
  return db_flag && !db_flag->empty() ? std::filesystem::path(*db_flag) : default_ledger_path();
}

Ledger Ledger::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    fail(ErrorKind::io, "{}: cannot open the ledger: {}", path.string(), msg);
  }
  Ledger ledger(db, path);
  sqlite3_busy_timeout(db, 10000);
  exec(db, path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  {
    Statement v(db, path, "PRAGMA user_version");
    v.step();
    const auto version = v.column_int(0).value_or(0);
    if (version != 0 && version != kSchemaVersion)
      fail(ErrorKind::corrupt_input, "{}: ledger schema version {} (this tac knows {})", path.string(), version, kSchemaVersion);
  }
  exec(db, path, "BEGIN IMMEDIATE");
  exec(db, path, kSchema);
  exec(db, path, fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
  exec(db, path, "COMMIT");
  return ledger;
}

Ledger::~Ledger() {
  if (db_) sqlite3_close_v2(db_);
}

Ledger::Ledger(Ledger&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) { other.db_ = nullptr; }

std::int64_t Ledger::append(const LedgerRow& row) { return append_batch(std::span(&row, 1)).at(0); }

std::vector<std::int64_t> Ledger::append_batch(std::span<const LedgerRow> rows) {
  std::vector<std::int64_t> ids;
  exec(db_, path_, "BEGIN IMMEDIATE");
  try {
    const auto [names, marks] = column_list();
    const auto sql = fmt::format("INSERT INTO results ({}) VALUES ({})", names, marks);
    Statement s(db_, path_, sql.c_str());
    const std::string now = utc_now();
    for (auto r : rows) {
      if (r.recorded_at.empty()) r.recorded_at = now;
      int i = 1;
      for_each_column(r, [&](const char*, const auto& value) { s.bind(i++, value); });
      s.step();
      ids.push_back(sqlite3_last_insert_rowid(db_));
      s.reset();
    }
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  exec(db_, path_, "COMMIT");
  return ids;
}

std::vector<LedgerRow> Ledger::list(const LedgerFilter& f) const {
  const auto sql = fmt::format(
      "SELECT id, {} FROM results "
      "WHERE (?1 IS NULL OR axis = ?1) AND (?2 IS NULL OR grade = ?2) AND (?3 IS NULL OR substr(archive_sha256, 1, length(?3)) = ?3) "
      "AND (?4 IS NULL OR kind = ?4) ORDER BY id",
      column_list().first);
  Statement s(db_, path_, sql.c_str());
  auto bind = [&](int i, const std::optional<std::string>& v) {
    if (v) s.text(i, *v);
  };
  bind(1, f.axis);
  bind(2, f.grade);
  bind(3, f.archive);
  bind(4, f.kind);
  std::vector<LedgerRow> rows;
  while (s.step()) {
    LedgerRow r;
    r.id = s.column_int(0).value_or(0);
    int i = 1;
    for_each_column(r, [&](const char*, auto& value) { s.read(i++, value); });
    rows.push_back(std::move(r));
  }
  return rows;
}

std::int64_t Ledger::count() const {
  Statement s(db_, path_, "SELECT count(*) FROM results");
  s.step();
  return s.column_int(0).value_or(0);
}

std::string Ledger::integrity_check() const {
  Statement s(db_, path_, "PRAGMA integrity_check");
  std::string out;
  while (s.step()) {
    if (!out.empty()) out += '\n';
    out += s.column_text(0);
  }
  return out;
}

}  // namespace comma_lab::ledger
