#include "tac/io/zip_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace tac::io {
namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndLocatorSig = 0x07064b50;
constexpr std::uint32_t kDescriptorSig = 0x08074b50;
constexpr std::size_t kEndBytes = 22;
constexpr std::size_t kCentralBytes = 46;
constexpr std::size_t kLocalBytes = 30;

std::uint16_t u16(std::span<const std::uint8_t> b, std::uint64_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
std::uint32_t u32(std::span<const std::uint8_t> b, std::uint64_t at) {
  return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
         (static_cast<std::uint32_t>(b[at + 2]) << 16) | (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes (no overflow).
bool fits(std::uint64_t size, std::uint64_t offset, std::uint64_t length) {
  return offset <= size && length <= size - offset;
}

}  // namespace

bool looks_like_zip(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4) return false;
  const std::uint32_t sig = u32(bytes, 0);
  return sig == kLocalSig || sig == kEndSig;
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
  const std::uint64_t size = bytes.size();
  if (size < kEndBytes) fail(ErrorKind::corrupt_input, "{}: not a zip archive ({} bytes, too short for an end-of-central-directory record)", z.source_, size);

  // The EOCD record sits in the last 22 + up to 65535 (comment) bytes; take the last one whose
  // comment length reaches exactly to the end of the file.
  std::uint64_t eocd = UINT64_MAX;
  const std::uint64_t lowest = size >= kEndBytes + 0xFFFF ? size - kEndBytes - 0xFFFF : 0;
  for (std::uint64_t at = size - kEndBytes + 1; at-- > lowest;) {
    if (u32(bytes, at) == kEndSig && at + kEndBytes + u16(bytes, at + 20) == size) {
      eocd = at;
      break;
    }
  }
  if (eocd == UINT64_MAX) fail(ErrorKind::corrupt_input, "{}: not a zip archive (no end-of-central-directory record)", z.source_);
  z.eocd_offset_ = eocd;
  const std::uint16_t disk = u16(bytes, eocd + 4), cd_disk = u16(bytes, eocd + 6);
  const std::uint16_t entries_disk = u16(bytes, eocd + 8), entries = u16(bytes, eocd + 10);
  const std::uint32_t cd_size = u32(bytes, eocd + 12), cd_offset = u32(bytes, eocd + 16);
  if (eocd >= 20 && u32(bytes, eocd - 20) == kZip64EndLocatorSig)
    fail(ErrorKind::corrupt_input, "{}: zip64 archives are not supported", z.source_);
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu)
    fail(ErrorKind::corrupt_input, "{}: zip64 archives are not supported", z.source_);
  if (disk != 0 || cd_disk != 0 || entries_disk != entries) fail(ErrorKind::corrupt_input, "{}: multi-disk zip archives are not supported", z.source_);
  if (entries > limits.max_members) fail(ErrorKind::limit_exceeded, "{}: {} members exceed the limit of {}", z.source_, entries, limits.max_members);
  if (!fits(eocd, cd_offset, cd_size) || cd_offset + cd_size != eocd)
    fail(ErrorKind::corrupt_input, "{}: central directory (offset {}, {} bytes) does not end at the end record (offset {})", z.source_, cd_offset,
         cd_size, eocd);
  if (static_cast<std::uint64_t>(entries) * kCentralBytes > cd_size)
    fail(ErrorKind::corrupt_input, "{}: central directory of {} bytes cannot hold {} entries", z.source_, cd_size, entries);
  z.cd_offset_ = cd_offset;
  z.cd_size_ = cd_size;

  std::uint64_t at = cd_offset;
  const std::uint64_t cd_end = cd_offset + cd_size;
  std::uint64_t total = 0;
  std::set<std::string> names;
  for (std::uint16_t i = 0; i < entries; ++i) {
    if (!fits(cd_end, at, kCentralBytes) || u32(bytes, at) != kCentralSig)
      fail(ErrorKind::corrupt_input, "{}: central directory entry {} is truncated or has a bad signature", z.source_, i);
    ZipMember m;
    const std::uint16_t flags = u16(bytes, at + 8);
    m.method = u16(bytes, at + 10);
    m.crc32 = u32(bytes, at + 16);
    m.compressed_size = u32(bytes, at + 20);
    m.uncompressed_size = u32(bytes, at + 24);
    const std::uint16_t name_len = u16(bytes, at + 28), extra_len = u16(bytes, at + 30), comment_len = u16(bytes, at + 32);
    const std::uint16_t start_disk = u16(bytes, at + 34);
    m.local_header_offset = u32(bytes, at + 42);
    m.central_entry_bytes = kCentralBytes + name_len + extra_len + comment_len;
    if (!fits(cd_end, at, m.central_entry_bytes)) fail(ErrorKind::corrupt_input, "{}: central directory entry {} overruns the directory", z.source_, i);
    m.name.assign(reinterpret_cast<const char*>(bytes.data() + at + kCentralBytes), name_len);
    at += m.central_entry_bytes;

    if (flags & 0x1) fail(ErrorKind::corrupt_input, "{}: member '{}' is encrypted", z.source_, m.name);
    if (m.compressed_size == 0xFFFFFFFFu || m.uncompressed_size == 0xFFFFFFFFu || m.local_header_offset == 0xFFFFFFFFu)
      fail(ErrorKind::corrupt_input, "{}: member '{}' needs zip64, which is not supported", z.source_, m.name);
    if (start_disk != 0) fail(ErrorKind::corrupt_input, "{}: member '{}' starts on another disk", z.source_, m.name);
    if (m.method != 0 && m.method != 8)
      fail(ErrorKind::corrupt_input, "{}: member '{}' uses compression method {} (only stored and deflate are supported)", z.source_, m.name, m.method);
    if (m.method == 0 && m.compressed_size != m.uncompressed_size)
      fail(ErrorKind::corrupt_input, "{}: stored member '{}' has compressed size {} != size {}", z.source_, m.name, m.compressed_size,
           m.uncompressed_size);
    if (m.uncompressed_size > limits.max_member_bytes)
      fail(ErrorKind::limit_exceeded, "{}: member '{}' is {} bytes, above the limit of {}", z.source_, m.name, m.uncompressed_size,
           limits.max_member_bytes);
    if (m.uncompressed_size > limits.max_ratio * std::max<std::uint64_t>(m.compressed_size, 1))
      fail(ErrorKind::limit_exceeded, "{}: member '{}' claims a compression ratio above {} ({} -> {} bytes)", z.source_, m.name, limits.max_ratio,
           m.compressed_size, m.uncompressed_size);
    total += m.uncompressed_size;
    if (total > limits.max_total_bytes) fail(ErrorKind::limit_exceeded, "{}: members total more than {} bytes", z.source_, limits.max_total_bytes);
    if (!names.insert(m.name).second) fail(ErrorKind::corrupt_input, "{}: member name '{}' appears twice", z.source_, m.name);

    // Local header: must lie before the central directory; its name must agree.
    const std::uint64_t lh = m.local_header_offset;
    if (!fits(cd_offset, lh, kLocalBytes) || u32(bytes, lh) != kLocalSig)
      fail(ErrorKind::corrupt_input, "{}: member '{}': local header at offset {} is missing or truncated", z.source_, m.name, lh);
    const std::uint16_t lname = u16(bytes, lh + 26), lextra = u16(bytes, lh + 28);
    m.data_offset = lh + kLocalBytes + lname + lextra;
    if (!fits(cd_offset, lh + kLocalBytes, std::uint64_t{lname} + lextra) ||
        std::memcmp(bytes.data() + lh + kLocalBytes, m.name.data(), std::min<std::size_t>(lname, m.name.size())) != 0 ||
        lname != m.name.size())
      fail(ErrorKind::corrupt_input, "{}: member '{}': local header name does not match the central directory", z.source_, m.name);
    if (!fits(cd_offset, m.data_offset, m.compressed_size))
      fail(ErrorKind::corrupt_input, "{}: member '{}': {} bytes of data at offset {} run past the central directory", z.source_, m.name,
           m.compressed_size, m.data_offset);
    if (u16(bytes, lh + 6) & 0x8) {  // data descriptor follows the data: optional signature, crc, sizes
      const std::uint64_t after = m.data_offset + m.compressed_size;
      m.data_descriptor_bytes = (fits(cd_offset, after, 4) && u32(bytes, after) == kDescriptorSig) ? 16 : 12;
      if (!fits(cd_offset, after, m.data_descriptor_bytes))
        fail(ErrorKind::corrupt_input, "{}: member '{}': data descriptor runs past the central directory", z.source_, m.name);
    }
    z.members_.push_back(std::move(m));
  }
  if (at != cd_end) fail(ErrorKind::corrupt_input, "{}: {} unexplained bytes at the end of the central directory", z.source_, cd_end - at);
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
