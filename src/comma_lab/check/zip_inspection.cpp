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
namespace zip = tac::io::zip;

// The local header, data and data descriptor the entry points to; any problem goes into
// local_error (the rules report it) instead of stopping the inspection.
void read_local(ByteReader& file, CentralEntry& e) {
  try {
    const auto h = zip::read_local_record(file, e.local_offset, "local header");
    // The data is as long as the central directory says (the local sizes may be zero with bit 3).
    file.skip(e.compressed_size, "member data");
    if (h.flags & 0x8) e.descriptor = zip::read_data_descriptor(file, "data descriptor");
    e.data_end = file.offset();
    e.local = h;
  } catch (const tac::Error& err) {
    e.local_error = err.what();
  }
}

}  // namespace

ZipInspection inspect_zip(std::span<const std::uint8_t> b, const std::string& source, std::size_t max_entries) {
  ZipInspection z;
  z.file_size = b.size();
  if (b.size() < zip::kEndBytes) fail(ErrorKind::corrupt_input, "{}: {} bytes, too short for a zip file", source, b.size());
  const auto eocd = zip::find_end_record(b);
  if (!eocd) fail(ErrorKind::corrupt_input, "{}: no end-of-central-directory record (not a zip file, or truncated)", source);
  ByteReader file(b, source);
  const auto end = zip::read_end_record(file, *eocd);
  z.eocd_offset = end.offset;
  z.declared_entries = end.total_entries;
  z.cd_size = end.directory_size;
  z.cd_offset = end.directory_offset;
  z.comment = end.comment;
  z.multi_disk = end.disk != 0 || end.directory_disk != 0 || end.disk_entries != end.total_entries;
  z.zip64 = end.zip64_locator;
  if (z.cd_offset > z.eocd_offset || z.cd_size > z.eocd_offset - z.cd_offset)
    fail(ErrorKind::corrupt_input, "{}: central directory (offset {}, {} bytes) lies outside the file before the end record at {}",
         source, z.cd_offset, z.cd_size, z.eocd_offset);

  ByteReader cd(b.subspan(z.cd_offset, z.cd_size), source + ": central directory");
  while (!cd.at_end()) {
    if (z.entries.size() >= max_entries)
      fail(ErrorKind::limit_exceeded, "{}: more than {} central directory entries", source, max_entries);
    CentralEntry e;
    static_cast<zip::CentralRecord&>(e) = zip::read_central_record(
        cd, fmt::format("central directory entry {} at offset {}", z.entries.size(), z.cd_offset + cd.offset()));
    read_local(file, e);
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
