#include "comma_lab/check/zip_inspection.hpp"

#include <zlib.h>

#include <array>

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"

namespace comma_lab::check {
using tac::ByteReader;
using tac::ErrorKind;
using tac::fail;

namespace {
constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50, kDescriptorSig = 0x08074b50;
constexpr std::size_t kEndFixed = 22, kMaxComment = 0xFFFF;

std::uint32_t sig_at(std::span<const std::uint8_t> b, std::uint64_t at) {
  if (at + 4 > b.size()) return 0;
  return std::uint32_t(b[at]) | (std::uint32_t(b[at + 1]) << 8) | (std::uint32_t(b[at + 2]) << 16) |
         (std::uint32_t(b[at + 3]) << 24);
}

// The end record: the last signature whose comment length reaches exactly to the end of the file.
std::uint64_t find_end_record(std::span<const std::uint8_t> b, const std::string& source) {
  if (b.size() < kEndFixed) fail(ErrorKind::corrupt_input, "{}: {} bytes, too short for a zip file", source, b.size());
  const std::uint64_t lowest = b.size() > kEndFixed + kMaxComment ? b.size() - kEndFixed - kMaxComment : 0;
  for (std::uint64_t at = b.size() - kEndFixed + 1; at-- > lowest;) {
    if (sig_at(b, at) != kEndSig) continue;
    const std::uint64_t comment = std::uint64_t(b[at + 20]) | (std::uint64_t(b[at + 21]) << 8);
    if (at + kEndFixed + comment == b.size()) return at;
  }
  fail(ErrorKind::corrupt_input, "{}: no end-of-central-directory record (not a zip file, or truncated)", source);
}

void read_local(std::span<const std::uint8_t> b, const std::string& source, CentralEntry& e) {
  ByteReader r(b, source);
  try {
    r.seek(e.local_offset, "local header offset");
    if (r.u32("local header signature") != kLocalSig) {
      e.local_error = "no local header signature at its offset";
      return;
    }
    LocalHeader h;
    r.skip(2, "local version");
    h.flags = r.u16("local flags");
    h.method = r.u16("local method");
    r.skip(4, "local time and date");
    h.crc32 = r.u32("local CRC-32");
    h.compressed_size = r.u32("local compressed size");
    h.uncompressed_size = r.u32("local uncompressed size");
    const std::uint16_t name_len = r.u16("local name length");
    const std::uint16_t extra_len = r.u16("local extra length");
    h.name = std::string(r.text(name_len, "local name"));
    r.skip(extra_len, "local extra field");
    h.data_offset = r.offset();
    // The data is as long as the central directory says (the local sizes may be zero with bit 3).
    r.skip(e.compressed_size, "member data");
    if (h.flags & 0x8) {
      DataDescriptor d;
      const bool signed_descriptor = r.remaining() >= 4 && sig_at(b, r.offset()) == kDescriptorSig;
      if (signed_descriptor) r.skip(4, "data descriptor signature");
      d.crc32 = r.u32("data descriptor CRC-32");
      d.compressed_size = r.u32("data descriptor compressed size");
      d.uncompressed_size = r.u32("data descriptor uncompressed size");
      d.bytes = signed_descriptor ? 16 : 12;
      e.descriptor = d;
    }
    e.data_end = r.offset();
    e.local = std::move(h);
  } catch (const tac::Error& err) {
    e.local_error = err.what();
  }
}

}  // namespace

ZipInspection inspect_zip(std::span<const std::uint8_t> b, const std::string& source, std::size_t max_entries) {
  ZipInspection z;
  z.file_size = b.size();
  z.eocd_offset = find_end_record(b, source);
  ByteReader end(b, source);
  end.seek(z.eocd_offset + 4, "end record");
  const std::uint16_t disk = end.u16("disk number");
  const std::uint16_t cd_disk = end.u16("central directory disk");
  const std::uint16_t disk_entries = end.u16("entries on this disk");
  z.declared_entries = end.u16("total entries");
  z.cd_size = end.u32("central directory size");
  z.cd_offset = end.u32("central directory offset");
  z.comment = std::string(end.text(end.u16("comment length"), "comment"));
  z.multi_disk = disk != 0 || cd_disk != 0 || disk_entries != z.declared_entries;
  z.zip64 = z.eocd_offset >= 20 && sig_at(b, z.eocd_offset - 20) == kZip64LocatorSig;
  if (z.cd_offset > z.eocd_offset || z.cd_size > z.eocd_offset - z.cd_offset)
    fail(ErrorKind::corrupt_input, "{}: central directory (offset {}, {} bytes) lies outside the file before the end record at {}",
         source, z.cd_offset, z.cd_size, z.eocd_offset);

  ByteReader cd(b.subspan(z.cd_offset, z.cd_size), source + ": central directory");
  while (!cd.at_end()) {
    if (z.entries.size() >= max_entries)
      fail(ErrorKind::limit_exceeded, "{}: more than {} central directory entries", source, max_entries);
    CentralEntry e;
    const std::size_t at = cd.offset();
    if (cd.u32("entry signature") != kCentralSig)
      fail(ErrorKind::corrupt_input, "{}: central directory entry {} at offset {} has no signature", source,
           z.entries.size(), z.cd_offset + at);
    e.version_made_by = cd.u16("version made by");
    cd.skip(2, "version needed");
    e.flags = cd.u16("flags");
    e.method = cd.u16("method");
    cd.skip(4, "time and date");
    e.crc32 = cd.u32("CRC-32");
    e.compressed_size = cd.u32("compressed size");
    e.uncompressed_size = cd.u32("uncompressed size");
    const std::uint16_t name_len = cd.u16("name length");
    const std::uint16_t extra_len = cd.u16("extra length");
    const std::uint16_t comment_len = cd.u16("comment length");
    cd.skip(4, "disk start and internal attributes");
    e.external_attributes = cd.u32("external attributes");
    e.local_offset = cd.u32("local header offset");
    e.name = std::string(cd.text(name_len, "name"));
    cd.skip(std::uint64_t(extra_len) + comment_len, "extra field and comment");
    read_local(b, source, e);
    z.entries.push_back(std::move(e));
  }
  return z;
}

MemberData read_member_data(std::span<const std::uint8_t> zip_bytes, const CentralEntry& entry, std::uint64_t max_output) {
  MemberData out;
  if (!entry.local) {
    out.error = "local header unreadable";
    return out;
  }
  const std::uint64_t begin = entry.local->data_offset;
  if (begin > zip_bytes.size() || entry.compressed_size > zip_bytes.size() - begin) {
    out.error = "data runs past the end of the file";
    return out;
  }
  const auto data = zip_bytes.subspan(begin, entry.compressed_size);
  uLong crc = ::crc32(0L, Z_NULL, 0);
  if (entry.method == 0) {
    const auto n = std::min<std::uint64_t>(data.size(), max_output + 1);
    for (std::uint64_t done = 0; done < n;) {  // zlib takes uInt lengths
      const auto chunk = static_cast<uInt>(std::min<std::uint64_t>(n - done, 1u << 30));
      crc = ::crc32(crc, data.data() + done, chunk);
      done += chunk;
    }
    out.uncompressed_size = n;
    out.past_limit = data.size() > max_output;
    out.crc32 = static_cast<std::uint32_t>(crc);
    return out;
  }
  if (entry.method != 8) {
    out.error = "unsupported compression method";
    return out;
  }
  z_stream zs{};
  if (::inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    out.error = "zlib inflateInit2 failed";
    return out;
  }
  std::array<std::uint8_t, 1 << 16> buf;
  std::uint64_t consumed = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.avail_in == 0) {
      const auto chunk = static_cast<uInt>(std::min<std::uint64_t>(data.size() - consumed, 1u << 30));
      zs.next_in = const_cast<Bytef*>(data.data() + consumed);
      zs.avail_in = chunk;
      consumed += chunk;
    }
    zs.next_out = buf.data();
    zs.avail_out = buf.size();
    rc = ::inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = buf.size() - zs.avail_out;
    crc = ::crc32(crc, buf.data(), static_cast<uInt>(produced));
    out.uncompressed_size += produced;
    if (out.uncompressed_size > max_output) {
      out.past_limit = true;
      break;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == data.size()) {
      out.error = "deflate stream is truncated";
      break;
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      out.error = zs.msg ? std::string("deflate stream is corrupt: ") + zs.msg : "deflate stream is corrupt";
      break;
    }
  }
  ::inflateEnd(&zs);
  out.crc32 = static_cast<std::uint32_t>(crc);
  return out;
}

}  // namespace comma_lab::check
