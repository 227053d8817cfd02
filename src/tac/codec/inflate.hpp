#pragma once
// The inflate contract of a submission (`inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE`), shared by
// `tac inflate` and the light runtime `tac-inflate`: detect the format from the bytes, then write
// OUTPUT_DIR/<name without extension>.raw for every name listed, streamed frame by frame.
#include <filesystem>
#include <string>
#include <vector>

#include "tac/codec/codec.hpp"

namespace tac::codec {

struct InflateRequest {
  std::filesystem::path archive;      // unzipped directory, zip file, or a single member file
  std::filesystem::path output_dir;
  std::filesystem::path names_file;
  std::string expected_format;        // empty: accept whatever is detected
  InflateOptions options;
};

struct InflatedVideo {
  std::string name;
  std::filesystem::path raw_path;
  std::int64_t frames = 0;
};

struct InflateResult {
  std::string format;
  std::vector<InflatedVideo> videos;
  InflateStats stats;
};

// Names from a names file: one per line, surrounding blanks trimmed, empty lines skipped.
std::vector<std::string> read_video_names(const std::filesystem::path& names_file);

InflateResult inflate_archive(const InflateRequest& request);

}  // namespace tac::codec
