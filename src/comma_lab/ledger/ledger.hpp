#pragma once
// The results ledger: one SQLite file (WAL journal, synchronous=FULL), append-only — a
// re-evaluation adds a row, never rewrites one; triggers refuse UPDATE and DELETE. Every write is
// one transaction, so a process killed mid-batch leaves every committed row and none of the
// batch in flight.
//
// Where: `--db PATH`, else $TAC_LAB_DB, else $XDG_DATA_HOME/comma_lab/ledger.sqlite, else
// ~/.local/share/comma_lab/ledger.sqlite (default_ledger_path()).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct sqlite3;

namespace comma_lab::ledger {

struct LedgerRow {
  std::int64_t id = 0;       // assigned on append
  std::string recorded_at;   // UTC, ISO 8601, assigned on append
  std::string kind;          // "evaluation" | "external" | "prediction"
  std::string grade;         // grade_name() of the verdict at record time
  std::string axis;
  std::string entry;         // a name for the row (external entry, or the note)
  std::string source;        // where it came from: a record file, a CSV row, a PR
  std::string archive_sha256;
  std::optional<std::uint64_t> archive_bytes;
  std::optional<double> score, segnet, posenet, rate;
  std::optional<std::int64_t> n_samples;
  std::string runtime_sha256;
  std::string note;
  std::string reasons_json = "[]";  // failed rules, JSON array of strings
  std::string record_json;          // the whole record as recorded
};

struct LedgerFilter {
  std::optional<std::string> axis;
  std::optional<std::string> grade;       // exact grade name
  std::optional<std::string> archive;     // SHA-256 prefix
  std::optional<std::string> kind;
};

std::filesystem::path default_ledger_path();
// `--db` if given, else the default.
std::filesystem::path resolve_ledger_path(const std::optional<std::string>& db_flag);

class Ledger {
 public:
  // Opens (creating the file, its directory and schema if needed). Fails (io) when SQLite cannot,
  // (corrupt_input) when the file is not a ledger of a known schema version.
  static Ledger open(const std::filesystem::path& path);
  ~Ledger();
  Ledger(Ledger&& other) noexcept;
  Ledger& operator=(Ledger&&) = delete;
  Ledger(const Ledger&) = delete;

  // Appends one row / many rows in one transaction; returns the new ids.
  std::int64_t append(const LedgerRow& row);
  std::vector<std::int64_t> append_batch(std::span<const LedgerRow> rows);
  std::vector<LedgerRow> list(const LedgerFilter& filter = {}) const;
  std::int64_t count() const;
  // PRAGMA integrity_check: "ok" or SQLite's complaints.
  std::string integrity_check() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  Ledger(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace comma_lab::ledger
