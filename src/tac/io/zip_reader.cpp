#include "tac/io/zip_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <optional>
#include <set>

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/io/zip_records.hpp"

namespace tac::io {
namespace {

using zip::kCentralBytes;
using zip::kEndBytes;

// A central directory record: the member, plus the fields that only decide whether tac reads it.
struct CentralEntry {
  ZipMember member;
  std::uint16_t flags = 0;
  std::uint16_t start_disk = 0;
};

CentralEntry read_central_entry(ByteReader& directory, std::uint16_t index) {
  const auto c = zip::read_central_record(directory, fmt::format("central directory entry {}", index));
  CentralEntry entry;
  entry.flags = c.flags;
  entry.start_disk = c.start_disk;
  ZipMember& m = entry.member;
  m.name = c.name;
  m.method = c.method;
  m.crc32 = c.crc32;
  m.compressed_size = c.compressed_size;
  m.uncompressed_size = c.uncompressed_size;
  m.local_header_offset = c.local_offset;
  m.central_entry_bytes = c.record_bytes;
  return entry;
}

// What tac supports and the limits that keep a crafted archive from exhausting memory.
void check_member(const CentralEntry& entry, const ZipLimits& limits, const std::string& source) {
  const ZipMember& m = entry.member;
  if (entry.flags & 0x1) fail(ErrorKind::corrupt_input, "{}: member '{}' is encrypted", source, m.name);
  if (m.compressed_size == 0xFFFFFFFFu || m.uncompressed_size == 0xFFFFFFFFu || m.local_header_offset == 0xFFFFFFFFu)
    fail(ErrorKind::corrupt_input, "{}: member '{}' needs zip64, which is not supported", source, m.name);
  if (entry.start_disk != 0) fail(ErrorKind::corrupt_input, "{}: member '{}' starts on another disk", source, m.name);
  if (m.method != 0 && m.method != 8)
    fail(ErrorKind::corrupt_input, "{}: member '{}' uses compression method {} (only stored and deflate are supported)", source, m.name, m.method);
  if (m.method == 0 && m.compressed_size != m.uncompressed_size)
    fail(ErrorKind::corrupt_input, "{}: stored member '{}' has compressed size {} != size {}", source, m.name, m.compressed_size,
         m.uncompressed_size);
  if (m.uncompressed_size > limits.max_member_bytes)
    fail(ErrorKind::limit_exceeded, "{}: member '{}' is {} bytes, above the limit of {}", source, m.name, m.uncompressed_size,
         limits.max_member_bytes);
  if (m.uncompressed_size > limits.max_ratio * std::max<std::uint64_t>(m.compressed_size, 1))
    fail(ErrorKind::limit_exceeded, "{}: member '{}' claims a compression ratio above {} ({} -> {} bytes)", source, m.name, limits.max_ratio,
         m.compressed_size, m.uncompressed_size);
}

// Reads the member's local header (its name must agree with the central directory) and finds
// its data and optional data descriptor; `local` covers the bytes before the central directory.
void locate_member_data(ByteReader& local, ZipMember& m, const std::string& source) {
  const std::string field = fmt::format("member '{}': local header", m.name);
  const auto l = zip::read_local_record(local, m.local_header_offset, field);
  if (l.name != m.name)
    fail(ErrorKind::corrupt_input, "{}: member '{}': local header name does not match the central directory", source, m.name);
  // The local method, crc and sizes are not used: the central directory's are authoritative.
  m.data_offset = l.data_offset;
  local.skip(m.compressed_size, fmt::format("member '{}': data", m.name));
  if (l.flags & 0x8) m.data_descriptor_bytes = zip::read_data_descriptor(local, fmt::format("member '{}': data descriptor", m.name)).bytes;
}

}  // namespace

bool looks_like_zip(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes, "probe");
  if (reader.remaining() < 4) return false;
  const std::uint32_t sig = reader.u32("signature");
  return sig == zip::kLocalSignature || sig == zip::kEndSignature;
}

bool is_safe_member_name(const std::string& name) {
  if (name.empty() || name.size() > 1024) return false;
  if (name.front() == '/' || name.find('\\') != std::string::npos || name.find('\0') != std::string::npos) return false;
  if (name.size() >= 2 && name[1] == ':') return false;  // drive letter
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(start, end - start);
    if (part == "..") return false;
    start = end + 1;
  }
  return true;
}

ZipReader ZipReader::open(const std::filesystem::path& path, const ZipLimits& limits) {
  auto map = std::make_shared<MappedFile>(path);
  ZipReader reader = parse(map->bytes(), path.string(), limits);
  reader.map_ = std::move(map);
  return reader;
}

ZipReader ZipReader::parse(std::span<const std::uint8_t> bytes, std::string source, const ZipLimits& limits) {
  ZipReader z;
  z.source_ = std::move(source);
  z.bytes_ = bytes;
  z.limits_ = limits;
  ByteReader file(bytes, z.source_);
  const std::uint64_t size = bytes.size();
  if (size < kEndBytes) fail(ErrorKind::corrupt_input, "{}: not a zip archive ({} bytes, too short for an end-of-central-directory record)", z.source_, size);
  const auto end_record = zip::find_end_record(bytes);
  if (!end_record) fail(ErrorKind::corrupt_input, "{}: not a zip archive (no end-of-central-directory record)", z.source_);
  const std::uint64_t eocd = *end_record;
  z.eocd_offset_ = eocd;
  const auto end = zip::read_end_record(file, eocd);
  const std::uint16_t entries = end.total_entries;
  const std::uint32_t cd_size = end.directory_size, cd_offset = end.directory_offset;
  if (end.zip64_locator) fail(ErrorKind::corrupt_input, "{}: zip64 archives are not supported", z.source_);
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu)
    fail(ErrorKind::corrupt_input, "{}: zip64 archives are not supported", z.source_);
  if (end.disk != 0 || end.directory_disk != 0 || end.disk_entries != entries) fail(ErrorKind::corrupt_input, "{}: multi-disk zip archives are not supported", z.source_);
  if (entries > limits.max_members) fail(ErrorKind::limit_exceeded, "{}: {} members exceed the limit of {}", z.source_, entries, limits.max_members);
  if (std::uint64_t{cd_offset} + cd_size != eocd)
    fail(ErrorKind::corrupt_input, "{}: central directory (offset {}, {} bytes) does not end at the end record (offset {})", z.source_, cd_offset,
         cd_size, eocd);
  if (static_cast<std::uint64_t>(entries) * kCentralBytes > cd_size)
    fail(ErrorKind::corrupt_input, "{}: central directory of {} bytes cannot hold {} entries", z.source_, cd_size, entries);
  z.cd_offset_ = cd_offset;
  z.cd_size_ = cd_size;

  file.seek(cd_offset, "central directory");
  ByteReader directory = file.sub(cd_size, "central directory");
  // Local headers and member data must lie before the central directory.
  ByteReader local(bytes.first(cd_offset), z.source_);
  std::uint64_t total = 0;
  std::set<std::string> names;
  for (std::uint16_t i = 0; i < entries; ++i) {
    const CentralEntry entry = read_central_entry(directory, i);
    check_member(entry, limits, z.source_);
    ZipMember m = entry.member;
    total += m.uncompressed_size;
    if (total > limits.max_total_bytes) fail(ErrorKind::limit_exceeded, "{}: members total more than {} bytes", z.source_, limits.max_total_bytes);
    if (!names.insert(m.name).second) fail(ErrorKind::corrupt_input, "{}: member name '{}' appears twice", z.source_, m.name);
    locate_member_data(local, m, z.source_);
    z.members_.push_back(std::move(m));
  }
  if (!directory.at_end())
    fail(ErrorKind::corrupt_input, "{}: {} unexplained bytes at the end of the central directory", z.source_, directory.remaining());
  // Members must not overlap each other (a classic zip-bomb construction).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  for (const auto& m : z.members_)
    spans.emplace_back(m.local_header_offset, m.data_offset + m.compressed_size + m.data_descriptor_bytes);
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first < spans[i - 1].second) fail(ErrorKind::corrupt_input, "{}: members overlap (offset {})", z.source_, spans[i].first);
  return z;
}

const ZipMember* ZipReader::find(const std::string& name) const {
  for (const auto& m : members_)
    if (m.name == name) return &m;
  return nullptr;
}

std::span<const std::uint8_t> ZipReader::raw_data(const ZipMember& member) const {
  return bytes_.subspan(member.data_offset, member.compressed_size);
}

std::vector<std::uint8_t> ZipReader::read(const ZipMember& m) const {
  const auto raw = raw_data(m);
  std::vector<std::uint8_t> out;
  if (m.method == 0) {
    out.assign(raw.begin(), raw.end());
  } else {
    out.resize(m.uncompressed_size);
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) fail(ErrorKind::internal, "{}: zlib initialisation failed", source_);
    // zlib counts in uInt; feed in chunks so huge members cannot overflow the counters.
    std::uint64_t in_pos = 0, out_pos = 0;
    int rc = Z_OK;
    for (;;) {
      const std::uint64_t in_chunk = std::min<std::uint64_t>(raw.size() - in_pos, 1u << 30);
      const std::uint64_t out_chunk = std::min<std::uint64_t>(out.size() - out_pos, 1u << 30);
      zs.next_in = const_cast<Bytef*>(raw.data() + in_pos);
      zs.avail_in = static_cast<uInt>(in_chunk);
      zs.next_out = out.data() + out_pos;
      zs.avail_out = static_cast<uInt>(out_chunk);
      rc = inflate(&zs, Z_NO_FLUSH);
      const bool progress = zs.avail_in != in_chunk || zs.avail_out != out_chunk;
      in_pos += in_chunk - zs.avail_in;
      out_pos += out_chunk - zs.avail_out;
      if (rc != Z_OK || !progress) break;  // Z_STREAM_END, an error, or stuck (too small or truncated)
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || out_pos != out.size())
      fail(ErrorKind::corrupt_input, "{}: member '{}': corrupt deflate data or size mismatch (decoded {} of {} bytes)", source_, m.name, out_pos,
           out.size());
  }
  const std::uint32_t crc = static_cast<std::uint32_t>(crc32_z(0, out.data(), out.size()));
  if (crc != m.crc32) fail(ErrorKind::corrupt_input, "{}: member '{}': CRC-32 mismatch ({:08x} != {:08x})", source_, m.name, crc, m.crc32);
  return out;
}

void extract_all(const ZipReader& zip, const std::filesystem::path& dir) {
  for (const auto& m : zip.members())
    if (!is_safe_member_name(m.name)) fail(ErrorKind::corrupt_input, "{}: refusing to extract unsafe member name '{}'", zip.source(), m.name);
  std::filesystem::create_directories(dir);
  for (const auto& m : zip.members()) {
    const auto target = dir / m.name;
    if (m.is_directory()) {
      std::filesystem::create_directories(target);
      continue;
    }
    if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
    const auto data = zip.read(m);
    write_file_atomic(target, data);
  }
}

void extract_all(const std::filesystem::path& zip_path, const std::filesystem::path& dir) {
  extract_all(ZipReader::open(zip_path), dir);
}

}  // namespace tac::io
