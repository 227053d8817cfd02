#include "tac/container/packet.hpp"

#include <zlib.h>

#include <set>

#include "tac/transform/uleb128.hpp"

namespace tac::container {
namespace {

constexpr std::uint8_t kMagic[4] = {'T', 'A', 'C', 'P'};

std::uint32_t crc32_of(ByteSpan entry, ByteSpan payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large payloads in pieces.
  auto feed = [&](ByteSpan s) {
    while (!s.empty()) {
      const std::size_t n = std::min<std::size_t>(s.size(), 1u << 30);
      crc = crc32(crc, s.data(), static_cast<uInt>(n));
      s = s.subspan(n);
    }
  };
  feed(entry);
  feed(payload);
  return static_cast<std::uint32_t>(crc);
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxSectionName) return false;
  for (const char c : name)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

}  // namespace

bool looks_like_packet(ByteSpan bytes) { return bytes.size() >= 4 && std::equal(kMagic, kMagic + 4, bytes.begin()); }

Bytes write_packet(const std::vector<SectionInput>& sections) {
  if (sections.empty() || sections.size() > kMaxSections)
    fail(ErrorKind::usage, "packet: {} sections (1 .. {} allowed)", sections.size(), kMaxSections);
  std::set<std::string> names;
  Bytes out(kMagic, kMagic + 4);
  out.push_back(kPacketVersion);
  transform::append_uleb128(out, sections.size());
  std::vector<Bytes> payloads;
  for (const auto& s : sections) {
    if (!valid_name(s.name)) fail(ErrorKind::usage, "packet: section name '{}' is not 1..64 printable ASCII", s.name);
    if (!names.insert(s.name).second) fail(ErrorKind::usage, "packet: section name '{}' repeats", s.name);
    const Bytes transformed = transform::apply_forward(s.transforms, s.data);
    EncodedSection enc = encode_with(s.codec, transformed);
    if (enc.params.size() > kMaxCodecParams) fail(ErrorKind::internal, "packet: codec parameters too long");
    // Built by appending one byte at a time: GCC 12 -O3 reports a false -Warray-bounds on
    // vector::insert of a string range right after a single push_back.
    Bytes entry;
    entry.reserve(16 + s.name.size() + enc.params.size());
    entry.push_back(static_cast<std::uint8_t>(s.name.size()));
    for (const char c : s.name) entry.push_back(static_cast<std::uint8_t>(c));
    entry.push_back(static_cast<std::uint8_t>(s.codec.tag));
    transform::append_uleb128(entry, enc.params.size());
    entry.insert(entry.end(), enc.params.begin(), enc.params.end());
    transform::append_steps(entry, s.transforms);
    transform::append_uleb128(entry, s.data.size());
    transform::append_uleb128(entry, enc.payload.size());
    const std::uint32_t crc = crc32_of(entry, enc.payload);
    out.insert(out.end(), entry.begin(), entry.end());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
    payloads.push_back(std::move(enc.payload));
  }
  for (const auto& p : payloads) out.insert(out.end(), p.begin(), p.end());
  return out;
}

PacketTable read_packet_table(ByteSpan packet, const std::string& source, std::uint64_t max_decoded_bytes,
                              bool check_crc) {
  ByteReader r(packet, source);
  if (!looks_like_packet(packet)) fail(ErrorKind::corrupt_input, "{}: not a tac packet (no TACP magic)", source);
  r.skip(4, "magic");
  PacketTable table;
  table.version = r.u8("version");
  if (table.version != kPacketVersion)
    fail(ErrorKind::corrupt_input, "{}: packet version {} is not supported (this tac reads version {})", source,
         table.version, kPacketVersion);
  const std::uint64_t count = r.uleb128("section count");
  if (count == 0 || count > kMaxSections)
    fail(ErrorKind::corrupt_input, "{}: {} sections (1 .. {} allowed)", source, count, kMaxSections);
  std::set<std::string> names;
  std::uint64_t decoded_total = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    SectionEntry e;
    e.entry_offset = r.offset();
    const std::uint8_t name_size = r.u8("section name length");
    e.name = std::string(r.text(name_size, "section name"));
    if (!valid_name(e.name))
      fail(ErrorKind::corrupt_input, "{}: section {} has an invalid name (1..64 printable ASCII)", source, i);
    const std::string where = fmt::format("{}: section '{}'", source, e.name);
    if (!names.insert(e.name).second) fail(ErrorKind::corrupt_input, "{}: name repeats", where);
    const std::uint8_t tag = r.u8("codec tag");
    if (!known_codec(tag)) fail(ErrorKind::corrupt_input, "{}: unknown codec tag {}", where, tag);
    e.codec = static_cast<CodecTag>(tag);
    const std::uint64_t params_size = r.uleb128("codec parameter length");
    if (params_size > kMaxCodecParams)
      fail(ErrorKind::corrupt_input, "{}: {} codec parameter bytes (at most {})", where, params_size, kMaxCodecParams);
    const auto params = r.take(params_size, "codec parameters");
    e.params.assign(params.begin(), params.end());
    ByteReader steps(r.bytes().subspan(r.offset()), where);
    e.transforms = transform::read_steps(steps);
    r.skip(steps.offset(), "transforms");
    e.decoded_size = r.uleb128("decoded size");
    e.stored_size = r.uleb128("stored size");
    if (e.decoded_size > max_decoded_bytes || decoded_total + e.decoded_size > max_decoded_bytes)
      fail(ErrorKind::limit_exceeded, "{}: declared size {} exceeds the limit of {} bytes", where, e.decoded_size,
           max_decoded_bytes);
    decoded_total += e.decoded_size;
    e.entry_size = r.offset() - e.entry_offset;
    e.crc32 = r.u32("crc32");
    table.sections.push_back(std::move(e));
  }
  table.table_bytes = r.offset();
  for (auto& e : table.sections) {
    const std::string where = fmt::format("{}: section '{}'", source, e.name);
    if (e.stored_size > r.remaining())
      fail(ErrorKind::corrupt_input, "{}: payload of {} bytes runs past the end of the packet ({} left)", where,
           e.stored_size, r.remaining());
    e.payload_offset = r.offset();
    const auto payload = r.take(e.stored_size, "payload");
    const std::uint32_t crc = crc32_of(packet.subspan(e.entry_offset, e.entry_size), payload);
    if (check_crc && crc != e.crc32)
      fail(ErrorKind::corrupt_input, "{}: CRC32 mismatch (stored {:08x}, computed {:08x}): the section is damaged",
           where, e.crc32, crc);
  }
  if (!r.at_end()) fail(ErrorKind::corrupt_input, "{}: {} bytes after the last section", source, r.remaining());
  return table;
}

std::vector<DecodedSection> read_packet(ByteSpan packet, const std::string& source, std::uint64_t max_decoded_bytes,
                                        bool check_crc) {
  const PacketTable table = read_packet_table(packet, source, max_decoded_bytes, check_crc);
  std::vector<DecodedSection> out;
  for (const auto& e : table.sections) {
    const std::string where = fmt::format("{}: section '{}'", source, e.name);
    const auto payload = packet.subspan(e.payload_offset, e.stored_size);
    Bytes decoded = decode_with(e.codec, e.params, payload, e.decoded_size, where);
    // Transforms keep the size; their parameters were checked by read_steps.
    out.push_back({e.name, transform::apply_inverse(e.transforms, decoded)});
  }
  return out;
}

}  // namespace tac::container
