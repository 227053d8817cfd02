#pragma once
// Upstream's own output brought into the lab: `tac lab import-report report.txt --archive ZIP
// --axis AXIS` turns the report evaluate.py prints into an evaluation record, with what it can and
// cannot prove. It proves the archive (bytes and SHA-256 of the file presented, checked against
// the size the report printed) and, when the submission is presented, the runtime; the printed
// components give the score. It cannot prove which scorer weights or which video were used
// (the report names neither by hash), per-sample distortions (not printed), the platform, or
// that this archive is the one that was scored beyond its size: those fields stay unrecorded, so
// an imported report grades empirical at best, and the record lists why in `cannot_prove`.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace comma_lab::import {

// What evaluate.py printed (its "=== Evaluation config ===" and "=== Evaluation results" blocks).
struct UpstreamReport {
  std::map<std::string, std::string> config;
  std::int64_t samples = 0;
  double posenet_distortion = 0, segnet_distortion = 0;
  std::uint64_t archive_bytes = 0, original_bytes = 0;
  double rate = 0;
  double printed_score = 0;  // as printed (two decimals)
};

// Parses report.txt text; `source` names it in errors (corrupt_input with the line number;
// limit_exceeded past 1 MiB or 10,000 lines).
UpstreamReport parse_upstream_report(const std::string& text, const std::string& source);

struct ImportOptions {
  std::filesystem::path archive;                        // the archive.zip the report scored
  std::string axis;                                     // contest-cpu | contest-cuda | cpu-advisory | cuda-advisory
  std::string gpu;                                      // CUDA axes: the GPU it ran on (e.g. "Tesla T4")
  std::optional<std::filesystem::path> submission_dir;  // to record the runtime identity
};

// The evaluation record (record "tac-evaluation", imported from upstream). Fails (usage) on an
// unknown axis, a CUDA axis without --gpu or a CPU axis whose report says another device; fails
// (corrupt_input) when the archive's size differs from the printed one or the printed score
// disagrees with the printed components by more than its rounding.
nlohmann::json import_upstream_report(const std::filesystem::path& report, const ImportOptions& options);

}  // namespace comma_lab::import
