#pragma once
// A hostile-input-safe look at a zip file's structure for `tac lab check` (PKWARE APPNOTE 6.3.9
// §4.3): the end record, every central directory entry and the local header it points to, taken
// as they are — nothing is trusted, nothing is extracted. Unlike tac::io::ZipReader, which refuses
// a bad archive at the first problem, this keeps every field so the rules can name all problems.
// Only damage that leaves nothing to inspect throws (no end record, a central directory outside
// the file, a truncated central entry): ErrorKind::corrupt_input; too many entries: limit_exceeded.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tac/io/zip_records.hpp"

namespace comma_lab::check {

using LocalHeader = tac::io::zip::LocalRecord;
using DataDescriptor = tac::io::zip::DataDescriptor;

// A central directory header as stored, with what was found where it points.
struct CentralEntry : tac::io::zip::CentralRecord {
  std::optional<LocalHeader> local;          // absent when it could not be read
  std::string local_error;                   // why not
  std::optional<DataDescriptor> descriptor;  // when flag bit 3 is set and one was found
  std::uint64_t data_end = 0;                // end of data (and descriptor) when the local header was read
};

struct ZipInspection {
  std::uint64_t file_size = 0;
  std::uint64_t eocd_offset = 0;
  std::uint64_t cd_offset = 0;
  std::uint64_t cd_size = 0;
  std::uint32_t declared_entries = 0;  // EOCD total entries
  bool multi_disk = false;
  bool zip64 = false;  // a zip64 end-of-central-directory locator precedes the end record
  std::string comment;
  std::vector<CentralEntry> entries;
};

// `source` names the bytes in errors ("SUB/archive.zip").
ZipInspection inspect_zip(std::span<const std::uint8_t> bytes, const std::string& source, std::size_t max_entries);

// What the member's data really holds: decompressed (deflate) or read (stored) up to `max_output`
// bytes + 1, with its CRC-32. `error` is set when the data cannot be decompressed.
struct MemberData {
  std::uint64_t uncompressed_size = 0;  // actual, capped at max_output + 1
  std::uint32_t crc32 = 0;
  bool past_limit = false;  // more than max_output bytes (stopped there)
  std::string error;
};
MemberData read_member_data(std::span<const std::uint8_t> zip_bytes, const CentralEntry& entry, std::uint64_t max_output);

}  // namespace comma_lab::check
