#include "tac/codec/hnerv95_tacp/repack_archive.hpp"

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_writer.hpp"

namespace tac::codec::hnerv95_tacp {

RepackedArchive repack_archive(const std::filesystem::path& path) {
  const auto contents = ArchiveContents::open(path);
  const ArchiveMember* found = nullptr;
  for (const auto& m : contents.members()) {
    if (!hnerv95::looks_like_hnerv95(m.bytes)) continue;
    if (found) fail(ErrorKind::usage, "{}: several hnerv95 members ({}, {}); repack takes one", contents.source(), found->name, m.name);
    found = &m;
  }
  if (!found) fail(ErrorKind::corrupt_input, "{}: no hnerv95 member to repack", contents.source());
  RepackedArchive out;
  out.original_member = found->name;
  out.member_name = video_stem(found->name);
  out.original_member_bytes = found->bytes.size();
  if (std::filesystem::is_regular_file(path)) out.original_archive_bytes = std::filesystem::file_size(path);
  out.member = repack(found->bytes, contents.source() + ": " + found->name);
  const io::ZipEntry entry{out.member_name, out.member.member};
  out.zip = io::zip_store(std::span<const io::ZipEntry>(&entry, 1), io::ZipMethod::Stored);
  return out;
}

}  // namespace tac::codec::hnerv95_tacp
