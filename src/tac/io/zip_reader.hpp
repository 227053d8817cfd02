#pragma once
// A hostile-input-safe reader for the zip archives of contest submissions (PKWARE APPNOTE 6.3):
// stored and deflate members, one disk, no zip64, no encryption. Every offset, length and count
// is checked against the file before use; decompressed sizes, member counts and compression
// ratios are limited so a crafted archive cannot exhaust memory.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tac/core/mapped_file.hpp"

namespace tac::io {

struct ZipLimits {
  std::size_t max_members = 4096;
  std::uint64_t max_member_bytes = 4ull << 30;   // uncompressed size of one member
  std::uint64_t max_total_bytes = 16ull << 30;   // uncompressed size of all members
  std::uint64_t max_ratio = 2000;                // uncompressed / compressed (deflate bombs)
};

struct ZipMember {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflate
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  // Byte anatomy, for `tac archive inspect`: [local_header_offset, data_offset) is the local
  // header (fixed part + name + extra), [data_offset, data_offset + compressed_size) the data,
  // then data_descriptor_bytes of an optional data descriptor.
  std::uint64_t local_header_offset = 0;
  std::uint64_t data_offset = 0;
  std::uint64_t data_descriptor_bytes = 0;
  std::uint64_t central_entry_bytes = 0;  // this member's record in the central directory
  bool is_directory() const { return !name.empty() && name.back() == '/'; }
};

class ZipReader {
 public:
  // Parses bytes owned by the caller (kept alive while the reader is used); `source` names them in errors.
  static ZipReader parse(std::span<const std::uint8_t> bytes, std::string source, const ZipLimits& limits = {});
  static ZipReader open(const std::filesystem::path& path, const ZipLimits& limits = {});

  const std::vector<ZipMember>& members() const { return members_; }
  const ZipMember* find(const std::string& name) const;
  // Decompresses one member and checks its size and CRC-32.
  std::vector<std::uint8_t> read(const ZipMember& member) const;
  // The member's bytes as stored in the archive (compressed for deflate).
  std::span<const std::uint8_t> raw_data(const ZipMember& member) const;

  std::uint64_t file_size() const { return bytes_.size(); }
  std::uint64_t central_directory_offset() const { return cd_offset_; }
  std::uint64_t central_directory_bytes() const { return cd_size_; }
  std::uint64_t end_record_offset() const { return eocd_offset_; }
  std::uint64_t end_record_bytes() const { return bytes_.size() - eocd_offset_; }  // EOCD + comment
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::shared_ptr<MappedFile> map_;
  std::span<const std::uint8_t> bytes_;
  ZipLimits limits_;
  std::vector<ZipMember> members_;
  std::uint64_t cd_offset_ = 0, cd_size_ = 0, eocd_offset_ = 0;
};

// True when the bytes start like a zip file (local header or empty-archive EOCD signature).
bool looks_like_zip(std::span<const std::uint8_t> bytes);

// True when `name` is a safe relative path to extract: not absolute, no `..` component, no
// backslashes or drive letters, not empty.
bool is_safe_member_name(const std::string& name);

// Extracts every member under `dir` (created if needed), like `unzip -o ZIP -d DIR`: existing
// files are overwritten; unsafe names are refused before anything is written.
void extract_all(const ZipReader& zip, const std::filesystem::path& dir);
void extract_all(const std::filesystem::path& zip_path, const std::filesystem::path& dir);

}  // namespace tac::io
