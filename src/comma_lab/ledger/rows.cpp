#include "comma_lab/ledger/rows.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

#include "tac/core/error.hpp"

namespace comma_lab::ledger {
using nlohmann::json;
using tac::ErrorKind;
using tac::fail;

namespace {

template <typename T>
std::optional<T> opt(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number()) return std::nullopt;
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer()) return std::nullopt;
  } else {
    if (!it->is_string()) return std::nullopt;
  }
  return it->get<T>();
}

std::string text(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return {};
    cur = &(*cur)[k];
  }
  return cur->is_string() ? cur->get<std::string>() : std::string();
}

constexpr std::size_t kMaxCsvBytes = 1 << 20, kMaxRows = 10000, kMaxColumns = 32, kMaxField = 4096;

// RFC 4180 fields: commas, double quotes with "" escapes, \n or \r\n line ends.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& source) {
  if (text.size() > kMaxCsvBytes) fail(ErrorKind::limit_exceeded, "{}: {} bytes, limit {}", source, text.size(), kMaxCsvBytes);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t line = 1;
  bool quoted = false, was_quoted = false;
  auto end_field = [&] {
    if (row.size() >= kMaxColumns) fail(ErrorKind::limit_exceeded, "{}:{}: more than {} columns", source, line, kMaxColumns);
    row.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  auto end_row = [&] {
    end_field();
    if (!(row.size() == 1 && row[0].empty())) {  // blank lines are skipped
      if (rows.size() >= kMaxRows) fail(ErrorKind::limit_exceeded, "{}:{}: more than {} rows", source, line, kMaxRows);
      rows.push_back(std::move(row));
    }
    row.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
        else quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"') {
      if (!field.empty() || was_quoted) fail(ErrorKind::corrupt_input, "{}:{}: a quote inside an unquoted field", source, line);
      quoted = was_quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
    } else {
      if (was_quoted) fail(ErrorKind::corrupt_input, "{}:{}: text after a closing quote", source, line);
      field += c;
    }
    if (field.size() > kMaxField) fail(ErrorKind::limit_exceeded, "{}:{}: a field longer than {} bytes", source, line, kMaxField);
  }
  if (quoted) fail(ErrorKind::corrupt_input, "{}:{}: unterminated quoted field", source, line);
  if (!field.empty() || !row.empty()) end_row();
  return rows;
}

double number(const std::string& s, const std::string& where) {
  if (s.empty()) fail(ErrorKind::corrupt_input, "{}: empty number", where);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) fail(ErrorKind::corrupt_input, "{}: '{}' is not a finite number", where, s);
  return v;
}

}  // namespace

LedgerRow row_from_record(const json& record, const grade::Verdict& verdict, const std::string& source, const std::string& note) {
  LedgerRow row;
  const std::string kind = text(record, {"record"});
  row.kind = kind == "tac-evaluation" ? "evaluation" : kind;
  row.grade = std::string(grade::grade_name(verdict.grade));
  row.axis = text(record, {"axis"});
  row.entry = text(record, {"entry"});
  if (row.entry.empty()) row.entry = note;
  row.source = text(record, {"source"});
  if (row.source.empty()) row.source = source;
  row.archive_sha256 = text(record, {"archive", "sha256"});
  if (row.archive_sha256.empty()) row.archive_sha256 = text(record, {"archive_sha256"});
  if (record.is_object()) {
    if (record.contains("archive") && record["archive"].is_object()) row.archive_bytes = opt<std::uint64_t>(record["archive"], "bytes");
    if (!row.archive_bytes) row.archive_bytes = opt<std::uint64_t>(record, "archive_bytes");
    row.score = opt<double>(record, "score");
    row.segnet = opt<double>(record, "avg_segnet_distortion");
    row.posenet = opt<double>(record, "avg_posenet_distortion");
    row.rate = opt<double>(record, "rate");
    row.n_samples = opt<std::int64_t>(record, "n_samples");
  }
  row.runtime_sha256 = text(record, {"runtime", "sha256"});
  row.note = note;
  row.reasons_json = json(verdict.reasons()).dump();
  row.record_json = record.dump();
  return row;
}

std::vector<json> external_records_from_csv(const std::string& csv, const std::string& source) {
  const auto rows = parse_csv(csv, source);
  if (rows.empty()) fail(ErrorKind::corrupt_input, "{}: no header line", source);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* required : {"entry", "score", "axis", "source"})
    if (!col.count(required)) fail(ErrorKind::corrupt_input, "{}: the header has no '{}' column", source, required);
  static const std::map<std::string, const char*> numeric = {
      {"score", "score"}, {"segnet", "avg_segnet_distortion"}, {"posenet", "avg_posenet_distortion"}, {"rate", "rate"}};
  std::vector<json> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() != rows[0].size())
      fail(ErrorKind::corrupt_input, "{}: row {} has {} fields, the header {}", source, r + 1, row.size(), rows[0].size());
    json rec{{"record", "external"}};
    for (const auto& [name, i] : col) {
      const std::string& v = row[i];
      const std::string where = fmt::format("{}: row {}, column '{}'", source, r + 1, name);
      if (v.empty() && name != "score") continue;
      if (const auto it = numeric.find(name); it != numeric.end()) rec[it->second] = number(v, where);
      else if (name == "archive_bytes") {
        const double b = number(v, where);
        if (b < 0 || b != std::floor(b) || b > 1e15) fail(ErrorKind::corrupt_input, "{}: '{}' is not a byte count", where, v);
        rec["archive_bytes"] = static_cast<std::uint64_t>(b);
      } else {
        rec[name] = v;
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

std::vector<json> read_external_csv(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(ErrorKind::io, "{}: cannot read: {}", path.string(), ec.message());
  if (size > kMaxCsvBytes) fail(ErrorKind::limit_exceeded, "{}: {} bytes, limit {}", path.string(), size, kMaxCsvBytes);
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return external_records_from_csv(text, path.string());
}

bool grade_admits(const std::string& wanted, const std::string& row_grade) {
  return row_grade == wanted || (wanted == "A" && row_grade == "A++");
}

bool row_earns(const LedgerRow& r, const std::string& wanted) {
  if (!grade_admits(wanted, r.grade)) return false;
  if (r.kind != "evaluation") return true;
  if (!r.score || !r.segnet || !r.posenet || !r.rate) return false;
  const double s = 100 * *r.segnet + std::sqrt(10 * *r.posenet) + 25 * *r.rate;
  return std::abs(s - *r.score) <= grade::kTolerance;
}

std::string markdown_table(const std::vector<LedgerRow>& rows, const std::string& wanted) {
  std::string out =
      "| # | entry | axis | grade | score | segnet | posenet | rate | bytes | archive SHA-256 | runtime SHA-256 |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n";
  auto num = [](const std::optional<double>& v, const char* f) { return v ? fmt::format(fmt::runtime(f), *v) : std::string("—"); };
  for (const auto& r : rows) {
    if (!row_earns(r, wanted)) continue;  // an evaluation earns its grade only if its components still add up
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | `{}` | `{}` |\n", r.id, r.entry.empty() ? "—" : r.entry,
                       r.axis, r.grade, num(r.score, "{:.6f}"), num(r.segnet, "{:.8f}"), num(r.posenet, "{:.8f}"),
                       num(r.rate, "{:.8f}"), r.archive_bytes ? fmt::format("{}", *r.archive_bytes) : "—", r.archive_sha256,
                       r.runtime_sha256);
  }
  return out;
}

}  // namespace comma_lab::ledger
