#pragma once
// Runtime rules of `tac lab check` (challenge_notes.md, "Rules as applied"): inflate.sh present
// and executable; runtime files that fetch from the network, install packages, or read the
// original video or the scorer weights; payload carried in code instead of the archive (long
// base64/base85/hex blobs, long numeric arrays, long \xNN escape strings); binary sidecars.
// Finding ids are `runtime.<rule>`. Runtime files are custody's (runtime_identity.hpp).
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "comma_lab/check/finding.hpp"

namespace comma_lab::check {

struct PayloadLimits {
  std::size_t max_encoded_run = 256;       // one base64/hex/base85 run, characters
  std::size_t max_encoded_total = 2048;    // all such runs of >= 64 characters in one file
  std::size_t max_numeric_run = 256;       // numbers in one array-like run
  std::size_t max_escape_run = 128;        // consecutive \xNN escapes
  std::uint64_t max_scanned_bytes = 16ull << 20;  // larger runtime files are reported, not scanned
};

// Patterns in one runtime file's text; `file` names it in reasons.
void scan_runtime_text(std::string_view text, const std::string& file, const PayloadLimits& limits, Findings& out);

struct RuntimeCheckOptions {
  bool contest_final = false;  // binary sidecars and a runtime that is not shipped become errors
  PayloadLimits payload;
};

Findings check_runtime(const std::filesystem::path& submission_dir, const RuntimeCheckOptions& options = {});

}  // namespace comma_lab::check
