#pragma once
// A contest submission directory from the classical lane: archive.zip (one stored Matroska member
// per video, reproducible bytes) and inflate.sh, which follows upstream evaluate.sh's contract
// (`inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE`) and runs tac-inflate, the light runtime.
#include <cstdint>
#include <filesystem>
#include <string>

#include "tac/codec/classical/classical_compress.hpp"

namespace tac::codec::classical {

struct SubmissionOptions {
  CompressOptions compress;
  std::string member;  // archive member name; default "<video stem>.mkv"
  bool force = false;  // write into a directory that holds other files
  // Written into inflate.sh as the first place to look for tac-inflate (empty: PATH only).
  std::filesystem::path tac_inflate_hint;
};

struct SubmissionResult {
  std::filesystem::path archive;
  std::filesystem::path inflate_script;
  std::string member;
  std::uint64_t archive_bytes = 0;
  std::uint64_t original_bytes = 0;  // the input video's size: the rate's denominator
  double rate = 0;                   // archive_bytes / original_bytes
  double rate_term = 0;              // 25 * rate
  CompressedStream stream;
};

// Refuses (tac::Error) a path that is not a directory, or a directory holding anything but a
// previous archive.zip / inflate.sh, unless `force`. Called before any encoding.
void check_output_dir(const std::filesystem::path& dir, bool force);

// Compresses `video` and writes the submission. Nothing is written unless encoding succeeded;
// each file appears atomically.
SubmissionResult write_submission(const std::filesystem::path& video, const std::filesystem::path& dir,
                                  const SubmissionOptions& options);

// The inflate.sh text.
std::string inflate_script_text(const std::filesystem::path& tac_inflate_hint, const std::string& description);

}  // namespace tac::codec::classical
