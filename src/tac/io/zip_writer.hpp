#pragma once
// A reproducible zip writer: members stored (no deflate: video streams do not compress), in the
// order given, with a fixed DOS timestamp (1980-01-01 00:00) and no extra fields, so the same
// members always give the same bytes. Unix permissions 0644 so `unzip` makes ordinary files.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace tac::io {

struct ZipEntry {
  std::string name;                     // relative path inside the archive ("0.mkv")
  std::span<const std::uint8_t> bytes;  // contents
};

// The archive as bytes. Throws tac::Error for an unsafe or duplicate name, or sizes beyond
// the classic (non-zip64) format: 4 GiB per member and archive, 65,535 members.
std::vector<std::uint8_t> zip_store(std::span<const ZipEntry> members);

// Writes the archive atomically (temporary + rename): `path` is complete or absent.
void write_zip(const std::filesystem::path& path, std::span<const ZipEntry> members);

}  // namespace tac::io
