#pragma once
// `tac repack`: an hnerv95 archive (zip, directory or bare member) to a one-member archive.zip in
// the hnerv95_tacp format, written deterministically (tac/io/zip_writer.hpp: stored, fixed
// timestamp, no extra fields) under the shortest member name the format accepts: the video stem.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tac/codec/hnerv95_tacp/tacp_member.hpp"

namespace tac::codec::hnerv95_tacp {

struct RepackedArchive {
  std::string original_member;        // "0.bin"
  std::string member_name;            // "0"
  std::uint64_t original_member_bytes = 0;
  std::uint64_t original_archive_bytes = 0;  // the input file (zip) size; 0 for a directory
  RepackResult member;
  std::vector<std::uint8_t> zip;
};

// Throws corrupt_input when the archive holds no hnerv95 member, usage when it holds several.
RepackedArchive repack_archive(const std::filesystem::path& archive);

}  // namespace tac::codec::hnerv95_tacp
