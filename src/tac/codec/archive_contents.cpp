#include <algorithm>
#include <system_error>

#include "tac/codec/codec.hpp"
#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/io/zip_reader.hpp"

namespace tac::codec {
namespace {
constexpr std::size_t kMaxDirectoryMembers = 4096;
}

const ArchiveMember* ArchiveContents::find(std::string_view name) const {
  for (const auto& m : members_)
    if (m.name == name) return &m;
  return nullptr;
}

ArchiveContents ArchiveContents::from_zip(const std::filesystem::path& zip_path) {
  const auto zip = io::ZipReader::open(zip_path);
  ArchiveContents out;
  out.source_ = zip_path.string();
  for (const auto& m : zip.members()) {
    if (m.is_directory()) continue;
    auto data = std::make_shared<std::vector<std::uint8_t>>(zip.read(m));
    out.members_.push_back({m.name, std::span<const std::uint8_t>(*data)});
    out.owners_.push_back(std::move(data));
  }
  return out;
}

ArchiveContents ArchiveContents::from_directory(const std::filesystem::path& dir) {
  ArchiveContents out;
  out.source_ = dir.string();
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
    if (files.size() > kMaxDirectoryMembers) fail(ErrorKind::limit_exceeded, "{}: more than {} files", dir.string(), kMaxDirectoryMembers);
  }
  if (ec) fail(ErrorKind::io, "{}: cannot list the archive directory: {}", dir.string(), ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto map = std::make_shared<MappedFile>(f);
    out.members_.push_back({std::filesystem::relative(f, dir).generic_string(), map->bytes()});
    out.owners_.push_back(std::move(map));
  }
  return out;
}

ArchiveContents ArchiveContents::from_bytes(std::string name, std::vector<std::uint8_t> bytes) {
  ArchiveContents out;
  out.source_ = name;
  auto data = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
  out.members_.push_back({std::move(name), std::span<const std::uint8_t>(*data)});
  out.owners_.push_back(std::move(data));
  return out;
}

ArchiveContents ArchiveContents::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return from_directory(path);
  if (!std::filesystem::is_regular_file(path, ec)) fail(ErrorKind::io, "{}: no such archive file or directory", path.string());
  auto map = std::make_shared<MappedFile>(path);
  if (io::looks_like_zip(map->bytes())) return from_zip(path);
  ArchiveContents out;
  out.source_ = path.string();
  out.members_.push_back({path.filename().string(), map->bytes()});
  out.owners_.push_back(std::move(map));
  return out;
}

std::string video_stem(std::string_view video_name) {
  const auto slash = video_name.find_last_of('/');
  if (slash != std::string_view::npos) video_name.remove_prefix(slash + 1);
  const auto dot = video_name.find_last_of('.');
  return std::string(dot == std::string_view::npos || dot == 0 ? video_name : video_name.substr(0, dot));
}

}  // namespace tac::codec
