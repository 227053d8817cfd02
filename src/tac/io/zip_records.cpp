#include "tac/io/zip_records.hpp"

#include <utility>

#include "tac/core/error.hpp"

namespace tac::io::zip {
namespace {

// The run both headers share (§4.4.4 to §4.4.11): flags, method, time, date, CRC-32, sizes;
// returns the name and extra field lengths that follow it.
std::pair<std::uint16_t, std::uint16_t> read_member_fields(UncheckedBlock& r, MemberFields& f) {
  f.flags = r.u16();
  f.method = r.u16();
  r.take(4);  // time, date
  f.crc32 = r.u32();
  f.compressed_size = r.u32();
  f.uncompressed_size = r.u32();
  const std::uint16_t name_len = r.u16();
  return {name_len, r.u16()};
}

}  // namespace

std::optional<std::uint64_t> find_end_record(std::span<const std::uint8_t> file) {
  if (file.size() < kEndBytes) return std::nullopt;
  ByteReader r(file, "zip");
  const std::uint64_t size = file.size();
  const std::uint64_t lowest = size >= kEndBytes + 0xFFFF ? size - kEndBytes - 0xFFFF : 0;
  for (std::uint64_t at = size - kEndBytes + 1; at-- > lowest;) {
    r.seek(at, "end record");
    auto record = r.block(kEndBytes, "end record");
    if (record.u32() != kEndSignature) continue;
    record.take(16);  // disk numbers, entry counts, directory size and offset
    if (at + kEndBytes + record.u16() == size) return at;
  }
  return std::nullopt;
}

EndRecord read_end_record(ByteReader& file, std::uint64_t offset) {
  EndRecord e;
  e.offset = offset;
  file.seek(offset, "end record");
  auto r = file.block(kEndBytes, "end record");
  if (r.u32() != kEndSignature) fail(ErrorKind::corrupt_input, "{}: no end record at offset {}", file.source(), offset);
  e.disk = r.u16();
  e.directory_disk = r.u16();
  e.disk_entries = r.u16();
  e.total_entries = r.u16();
  e.directory_size = r.u32();
  e.directory_offset = r.u32();
  e.comment = file.text(r.u16(), "end record comment");
  if (offset >= kZip64LocatorBytes) {
    file.seek(offset - kZip64LocatorBytes, "zip64 locator");
    e.zip64_locator = file.u32("zip64 locator") == kZip64LocatorSignature;
  }
  return e;
}

CentralRecord read_central_record(ByteReader& directory, const std::string& what) {
  auto r = directory.block(kCentralBytes, what);
  if (r.u32() != kCentralSignature) fail(ErrorKind::corrupt_input, "{}: {} has a bad signature", directory.source(), what);
  CentralRecord c;
  c.version_made_by = r.u16();
  r.take(2);  // version needed
  const auto [name_len, extra_len] = read_member_fields(r, c);
  const std::uint16_t comment_len = r.u16();
  c.start_disk = r.u16();
  r.take(2);  // internal attributes
  c.external_attributes = r.u32();
  c.local_offset = r.u32();
  c.record_bytes = kCentralBytes + name_len + extra_len + comment_len;
  c.name = directory.text(name_len, what);
  directory.skip(std::uint64_t{extra_len} + comment_len, what);
  return c;
}

LocalRecord read_local_record(ByteReader& file, std::uint64_t offset, const std::string& what) {
  file.seek(offset, what);
  auto r = file.block(kLocalBytes, what);
  if (r.u32() != kLocalSignature)
    fail(ErrorKind::corrupt_input, "{}: {}: no local header signature at offset {}", file.source(), what, offset);
  LocalRecord l;
  r.take(2);  // version needed
  const auto [name_len, extra_len] = read_member_fields(r, l);
  l.name = file.text(name_len, what);
  file.skip(extra_len, what);
  l.data_offset = file.offset();
  return l;
}

DataDescriptor read_data_descriptor(ByteReader& file, const std::string& what) {
  DataDescriptor d;
  ByteReader peek = file;
  const bool signed_descriptor = file.remaining() >= 4 && peek.u32(what) == kDescriptorSignature;
  d.bytes = signed_descriptor ? 16 : 12;
  auto r = file.block(d.bytes, what);
  if (signed_descriptor) r.take(4);
  d.crc32 = r.u32();
  d.compressed_size = r.u32();
  d.uncompressed_size = r.u32();
  return d;
}

}  // namespace tac::io::zip
