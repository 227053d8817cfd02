#include "comma_lab/import/upstream_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "comma_lab/custody/runtime_identity.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/core/version.hpp"

namespace comma_lab::import {
namespace fs = std::filesystem;
using tac::ErrorKind;
using tac::fail;

namespace {

constexpr std::size_t kMaxBytes = 1 << 20, kMaxLines = 10'000;

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// "361,029 bytes" -> 361029; the digits must be all there is besides separators and the unit.
std::uint64_t parse_count(const std::string& value, const std::string& where) {
  std::uint64_t n = 0;
  bool digits = false;
  for (const char c : trim(value.substr(0, value.find(" bytes")))) {
    if (c == ',') continue;
    if (c < '0' || c > '9' || n > (UINT64_MAX - 9) / 10) fail(ErrorKind::corrupt_input, "{}: '{}' is not a byte count", where, value);
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
    digits = true;
  }
  if (!digits) fail(ErrorKind::corrupt_input, "{}: '{}' is not a byte count", where, value);
  return n;
}

double parse_number(const std::string& value, const std::string& where) {
  const std::string v = trim(value);
  std::size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || !std::isfinite(x)) fail(ErrorKind::corrupt_input, "{}: '{}' is not a number", where, value);
  return x;
}

}  // namespace

UpstreamReport parse_upstream_report(const std::string& text, const std::string& source) {
  if (text.size() > kMaxBytes) fail(ErrorKind::limit_exceeded, "{}: {} bytes, more than a report's limit of {}", source, text.size(), kMaxBytes);
  UpstreamReport r;
  std::istringstream in(text);
  enum class Block { none, config, results } block = Block::none;
  bool seen[6] = {};
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    if (++line_no > kMaxLines) fail(ErrorKind::limit_exceeded, "{}: more than {} lines", source, kMaxLines);
    const std::string where = fmt::format("{}:{}", source, line_no);
    const std::string t = trim(line);
    if (t.empty()) continue;
    if (t == "=== Evaluation config ===") {
      block = Block::config;
      continue;
    }
    if (t.rfind("=== Evaluation results over ", 0) == 0) {
      block = Block::results;
      const auto count = t.substr(28, t.find(" samples") == std::string::npos ? std::string::npos : t.find(" samples") - 28);
      r.samples = static_cast<std::int64_t>(parse_count(count, where));
      seen[0] = true;
      continue;
    }
    if (t.rfind("===", 0) == 0) {
      block = Block::none;  // a block tac does not read (e.g. tac's own additions)
      continue;
    }
    const auto colon = t.find(": ");
    if (block == Block::config && colon != std::string::npos) {
      r.config[t.substr(0, colon)] = t.substr(colon + 2);
      continue;
    }
    if (block != Block::results || colon == std::string::npos) continue;
    const std::string key = t.substr(0, colon), value = t.substr(colon + 2);
    if (key == "Average PoseNet Distortion") r.posenet_distortion = parse_number(value, where), seen[1] = true;
    else if (key == "Average SegNet Distortion") r.segnet_distortion = parse_number(value, where), seen[2] = true;
    else if (key == "Submission file size") r.archive_bytes = parse_count(value, where), seen[3] = true;
    else if (key == "Original uncompressed size") r.original_bytes = parse_count(value, where), seen[4] = true;
    else if (key == "Compression Rate") r.rate = parse_number(value, where);
    else if (key.rfind("Final score", 0) == 0) {
      const auto eq = value.rfind("= ");
      r.printed_score = parse_number(eq == std::string::npos ? value : value.substr(eq + 2), where);
      seen[5] = true;
    }
  }
  const char* names[6] = {"the results header (sample count)", "Average PoseNet Distortion", "Average SegNet Distortion",
                          "Submission file size", "Original uncompressed size", "Final score"};
  for (int i = 0; i < 6; ++i)
    if (!seen[i]) fail(ErrorKind::corrupt_input, "{}: not an upstream evaluation report: no {}", source, names[i]);
  if (r.original_bytes == 0) fail(ErrorKind::corrupt_input, "{}: original size is 0 bytes", source);
  return r;
}

nlohmann::json import_upstream_report(const fs::path& report_path, const ImportOptions& o) {
  const bool cpu = o.axis == "contest-cpu" || o.axis == "cpu-advisory";
  const bool cuda = o.axis == "contest-cuda" || o.axis == "cuda-advisory";
  if (!cpu && !cuda) fail(ErrorKind::usage, "--axis '{}': one of contest-cpu, contest-cuda, cpu-advisory, cuda-advisory", o.axis);
  if (cuda && o.gpu.empty()) fail(ErrorKind::usage, "--axis {} needs --gpu naming the hardware it ran on", o.axis);
  std::error_code ec;
  if (!fs::is_regular_file(report_path, ec)) fail(ErrorKind::usage, "{}: no such report", report_path.string());
  if (fs::file_size(report_path, ec) > kMaxBytes) fail(ErrorKind::limit_exceeded, "{}: larger than a report's limit of {} bytes", report_path.string(), kMaxBytes);
  std::ifstream in(report_path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto r = parse_upstream_report(text, report_path.string());
  const auto device_it = r.config.find("device");
  const std::string device = device_it == r.config.end() ? "" : device_it->second;
  if (device.empty()) fail(ErrorKind::corrupt_input, "{}: the config block names no device", report_path.string());
  if (cpu != (device == "cpu"))
    fail(ErrorKind::usage, "{}: the report ran on device '{}', which cannot give a {} record (CPU and CUDA are never mixed)",
         report_path.string(), device, o.axis);

  if (!fs::is_regular_file(o.archive, ec)) fail(ErrorKind::usage, "{}: no such archive", o.archive.string());
  const auto bytes = fs::file_size(o.archive);
  if (bytes != r.archive_bytes)
    fail(ErrorKind::corrupt_input, "{}: {} bytes, but the report scored a {}-byte archive", o.archive.string(), bytes, r.archive_bytes);
  const double rate = static_cast<double>(r.archive_bytes) / static_cast<double>(r.original_bytes);
  const double seg_term = 100.0 * r.segnet_distortion, pose_term = std::sqrt(10.0 * r.posenet_distortion), rate_term = 25.0 * rate;
  const double score = seg_term + pose_term + rate_term;
  // The printed components carry 8 decimals (seg term off by <= 5e-7), the score 2.
  if (std::abs(score - r.printed_score) > 0.005 + 1e-6)
    fail(ErrorKind::corrupt_input, "{}: the printed score {:.2f} disagrees with its printed components ({:.6f})", report_path.string(),
         r.printed_score, score);

  nlohmann::json cannot = nlohmann::json::array(
      {"scorer weights: the report names no weights by SHA-256", "original video: the report names no video by SHA-256",
       "per-sample distortions: not printed", "platform: not printed",
       "the scored archive: only its size is printed; these bytes are the ones presented"});
  nlohmann::json record{
      {"record", "tac-evaluation"},
      {"record_version", 1},
      {"tac_version", tac::kVersion},
      {"imported_from", {{"kind", "upstream evaluate.py report"}, {"path", report_path.string()},
                         {"sha256", tac::sha256_file_hex(report_path)}, {"config", r.config}}},
      {"axis", o.axis},
      {"device", device},
      {"scorer", "unknown"},
      {"archive", {{"path", o.archive.string()}, {"sha256", tac::sha256_file_hex(o.archive)}, {"bytes", bytes}}},
      {"original_bytes", r.original_bytes},
      {"rate", rate},
      {"rate_printed", r.rate},
      {"avg_posenet_distortion", r.posenet_distortion},
      {"avg_segnet_distortion", r.segnet_distortion},
      {"n_samples", r.samples},
      {"score_contributions", {{"segnet", seg_term}, {"posenet", pose_term}, {"rate", rate_term}}},
      {"score", score},
      {"score_printed", r.printed_score},
      {"score_note", "recomputed from the printed components; agrees with the printed score within its two decimals"},
      {"inflate", "unknown (imported report)"},
      {"cannot_prove", cannot},
  };
  if (cuda) record["gpu"] = o.gpu;
  if (o.submission_dir) record["runtime"] = custody::to_json(custody::runtime_identity(*o.submission_dir));
  else record["cannot_prove"].push_back("runtime: no submission directory presented");
  return record;
}

}  // namespace comma_lab::import
