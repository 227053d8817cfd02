#pragma once
// A reproducible zip writer: members in the order given, with a fixed DOS timestamp (1980-01-01
// 00:00) and no extra fields, so the same members always give the same bytes (deflate comes from
// the same zlib build). Each member is stored, or deflated (level 9) when that is smaller: video
// streams barely compress, but x265 repeats a ~2.5 KB info SEI in every keyframe, which deflate
// removes. Unix permissions 0644 so `unzip` makes ordinary files.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace tac::io {

enum class ZipMethod {
  Stored,  // never compress
  BestOf,  // deflate a member when that makes it smaller
};

struct ZipEntry {
  std::string name;                     // relative path inside the archive ("0.mkv")
  std::span<const std::uint8_t> bytes;  // contents
};

// The archive as bytes. Throws tac::Error for an unsafe or duplicate name, or sizes beyond
// the classic (non-zip64) format: 4 GiB per member and archive, 65,535 members.
std::vector<std::uint8_t> zip_store(std::span<const ZipEntry> members, ZipMethod method = ZipMethod::BestOf);

// Writes the archive atomically (temporary + rename): `path` is complete or absent.
void write_zip(const std::filesystem::path& path, std::span<const ZipEntry> members,
               ZipMethod method = ZipMethod::BestOf);

}  // namespace tac::io
