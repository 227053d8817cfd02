#pragma once
// The records of a zip file as they are on disk (PKWARE APPNOTE 6.3.9 §4.3.7 local header,
// §4.3.9 data descriptor, §4.3.12 central directory header, §4.3.16 end of central directory),
// decoded field by field through a checked ByteReader and judged by nobody: tac::io::ZipReader
// refuses what tac does not read, comma_lab's zip inspection keeps every field to name every
// problem. A record that runs past its bytes or lacks its signature throws
// ErrorKind::corrupt_input naming the source and the record.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "tac/core/byte_reader.hpp"

namespace tac::io::zip {

inline constexpr std::uint32_t kLocalSignature = 0x04034b50;
inline constexpr std::uint32_t kCentralSignature = 0x02014b50;
inline constexpr std::uint32_t kEndSignature = 0x06054b50;
inline constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
inline constexpr std::uint32_t kDescriptorSignature = 0x08074b50;
inline constexpr std::size_t kEndBytes = 22;      // fixed part of the end record
inline constexpr std::size_t kCentralBytes = 46;  // fixed part of a central directory header
inline constexpr std::size_t kLocalBytes = 30;    // fixed part of a local header
inline constexpr std::size_t kZip64LocatorBytes = 20;

struct EndRecord {
  std::uint64_t offset = 0;
  std::uint16_t disk = 0, directory_disk = 0;
  std::uint16_t disk_entries = 0, total_entries = 0;
  std::uint32_t directory_size = 0, directory_offset = 0;
  std::string comment;
  bool zip64_locator = false;  // a zip64 end-of-central-directory locator precedes it
};

// The member fields the central and local headers share.
struct MemberFields {
  std::uint16_t flags = 0;  // bit 0 encrypted, bit 3 sizes in a data descriptor
  std::uint16_t method = 0;  // 0 stored, 8 deflate
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::string name;  // raw bytes as stored
};

struct CentralRecord : MemberFields {
  std::uint16_t version_made_by = 0;
  std::uint16_t start_disk = 0;
  std::uint32_t external_attributes = 0;
  std::uint64_t local_offset = 0;
  std::uint64_t record_bytes = 0;  // fixed part + name + extra field + comment
};

struct LocalRecord : MemberFields {
  std::uint64_t data_offset = 0;  // first byte after the name and extra field
};

struct DataDescriptor {
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t bytes = 0;  // 12, or 16 with its optional signature
};

// The offset of the end record: the last signature whose comment length reaches exactly to the
// end of the file; nullopt when there is none.
std::optional<std::uint64_t> find_end_record(std::span<const std::uint8_t> file);
// Decodes the end record at `offset` (from find_end_record).
EndRecord read_end_record(ByteReader& file, std::uint64_t offset);
// Decodes the central directory header at the reader's position and moves past it.
CentralRecord read_central_record(ByteReader& directory, const std::string& what);
// Decodes the local header at `offset` of `file`; leaves the reader at the member's data.
LocalRecord read_local_record(ByteReader& file, std::uint64_t offset, const std::string& what);
// Decodes the data descriptor at the reader's position (signature optional) and moves past it.
DataDescriptor read_data_descriptor(ByteReader& file, const std::string& what);

}  // namespace tac::io::zip
