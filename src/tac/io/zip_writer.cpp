#include "tac/io/zip_writer.hpp"

#include <zlib.h>

#include <limits>
#include <set>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace tac::io {
namespace {

constexpr std::uint16_t kDosTime = 0;              // 00:00:00
constexpr std::uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
constexpr std::uint16_t kVersionNeeded = 10;       // 1.0: stored members
constexpr std::uint16_t kVersionMadeBy = (3 << 8) | 30;  // Unix, spec 3.0
constexpr std::uint32_t kUnixMode0644 = 0100644u << 16;

void put16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put16(out, value & 0xFFFFu);
  put16(out, value >> 16);
}

void check_name(const std::string& name, std::set<std::string>& seen) {
  if (name.empty() || name.size() > 1024) fail(ErrorKind::usage, "zip: member name '{}' is empty or too long", name);
  if (name.front() == '/' || name.find('\\') != std::string::npos) fail(ErrorKind::usage, "zip: member name '{}' is not a relative path", name);
  for (const unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) fail(ErrorKind::usage, "zip: member name '{}' holds a control character", name);
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto end = std::min(name.find('/', start), name.size());
    const auto part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") fail(ErrorKind::usage, "zip: member name '{}' has an empty, '.' or '..' component", name);
    start = end + 1;
  }
  if (!seen.insert(name).second) fail(ErrorKind::usage, "zip: duplicate member name '{}'", name);
}

std::uint32_t crc32_of(std::span<const std::uint8_t> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t offset = 0;
  while (offset < bytes.size()) {  // zlib takes uInt lengths
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes.size() - offset, 1u << 30));
    crc = crc32(crc, bytes.data() + offset, chunk);
    offset += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

// Raw deflate (zlib level 9): deterministic for a given zlib build.
std::vector<std::uint8_t> deflate_raw(std::span<const std::uint8_t> bytes) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail(ErrorKind::internal, "zip: deflateInit2 failed");
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(bytes.size())));
  z.next_in = const_cast<Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  const auto produced = z.total_out;
  deflateEnd(&z);
  if (status != Z_STREAM_END) fail(ErrorKind::internal, "zip: deflate failed ({})", status);
  out.resize(produced);
  return out;
}

}  // namespace

std::vector<std::uint8_t> zip_store(std::span<const ZipEntry> members, ZipMethod method) {
  constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max();
  if (members.size() > 0xFFFF) fail(ErrorKind::limit_exceeded, "zip: {} members exceed the 65,535 of the classic format", members.size());
  std::set<std::string> seen;
  std::uint64_t total = 22;
  for (const auto& m : members) {
    check_name(m.name, seen);
    if (m.bytes.size() >= kMax32) fail(ErrorKind::limit_exceeded, "zip: member '{}' ({} bytes) needs zip64, which tac does not write", m.name, m.bytes.size());
    total += 30 + 46 + 2 * m.name.size() + m.bytes.size();
  }
  if (total >= kMax32) fail(ErrorKind::limit_exceeded, "zip: archive of {} bytes needs zip64, which tac does not write", total);

  std::vector<std::uint8_t> out;
  out.reserve(static_cast<std::size_t>(total));
  std::vector<std::uint8_t> central;
  for (const auto& m : members) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto crc = crc32_of(m.bytes);
    const auto size = static_cast<std::uint32_t>(m.bytes.size());
    // Deflate only when it saves bytes (a video stream's repeated headers often do).
    std::vector<std::uint8_t> packed;
    if (method == ZipMethod::BestOf && !m.bytes.empty()) packed = deflate_raw(m.bytes);
    const bool deflated = !packed.empty() && packed.size() < m.bytes.size();
    const std::span<const std::uint8_t> data = deflated ? std::span<const std::uint8_t>(packed) : m.bytes;
    const auto stored_size = static_cast<std::uint32_t>(data.size());
    const std::uint16_t method_id = deflated ? 8 : 0;
    const std::uint16_t needed = deflated ? 20 : kVersionNeeded;
    const auto name_length = static_cast<std::uint32_t>(m.name.size());
    // Local file header (APPNOTE 4.3.7).
    put32(out, 0x04034b50);
    put16(out, needed);
    put16(out, 0);  // flags
    put16(out, method_id);
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, crc);
    put32(out, stored_size);
    put32(out, size);
    put16(out, name_length);
    put16(out, 0);  // extra field length
    out.insert(out.end(), m.name.begin(), m.name.end());
    out.insert(out.end(), data.begin(), data.end());
    // Central directory entry (APPNOTE 4.3.12).
    put32(central, 0x02014b50);
    put16(central, kVersionMadeBy);
    put16(central, needed);
    put16(central, 0);
    put16(central, method_id);
    put16(central, kDosTime);
    put16(central, kDosDate);
    put32(central, crc);
    put32(central, stored_size);
    put32(central, size);
    put16(central, name_length);
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk number
    put16(central, 0);  // internal attributes
    put32(central, kUnixMode0644);
    put32(central, offset);
    central.insert(central.end(), m.name.begin(), m.name.end());
  }
  const auto central_offset = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  // End of central directory (APPNOTE 4.3.16).
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(members.size()));
  put16(out, static_cast<std::uint32_t>(members.size()));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, central_offset);
  put16(out, 0);  // comment length
  return out;
}

void write_zip(const std::filesystem::path& path, std::span<const ZipEntry> members, ZipMethod method) {
  write_file_atomic(path, zip_store(members, method));
}

}  // namespace tac::io
