#pragma once
// The tac packet: a small versioned, self-describing container of named sections.
//
//   magic        "TACP" (4 bytes)
//   version      u8 = 1
//   count        ULEB128, 1 .. 256 sections
//   table        per section:
//                  name       u8 length (1 .. 64) + bytes (printable ASCII, 0x21 .. 0x7E, unique)
//                  codec      u8 tag (section_codec.hpp) + ULEB128 params length (<= 64) + params
//                  transforms transform chain (transform_chain.hpp), undone after decoding
//                  decoded    ULEB128 size after decoding and inverse transforms
//                  stored     ULEB128 payload size
//                  crc32      u32, zlib crc32 over this entry's bytes from `name` to `stored`
//                             followed by the payload
//   payloads     concatenated in table order; they end exactly at the end of the packet
//
// Every damage is refused with an error naming the packet and the section: bad magic, unknown
// version, unknown codec or transform, sizes over the caller's limit, lengths past the end,
// trailing bytes, CRC mismatch, a payload that does not decode to its declared size.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/container/section_codec.hpp"
#include "tac/transform/transform_chain.hpp"

namespace tac::container {

inline constexpr std::uint8_t kPacketVersion = 1;
inline constexpr std::size_t kMaxSections = 256;
inline constexpr std::size_t kMaxSectionName = 64;
inline constexpr std::size_t kMaxCodecParams = 64;

struct SectionInput {
  std::string name;
  CodecSpec codec;
  std::vector<transform::TransformStep> transforms;
  ByteSpan data;
};

// Throws usage on a bad name, duplicate names or too many sections.
Bytes write_packet(const std::vector<SectionInput>& sections);

// One table entry as parsed (payload not yet checked or decoded).
struct SectionEntry {
  std::string name;
  CodecTag codec;
  Bytes params;
  std::vector<transform::TransformStep> transforms;
  std::uint64_t decoded_size = 0;
  std::uint64_t stored_size = 0;
  std::uint32_t crc32 = 0;
  std::uint64_t entry_offset = 0, entry_size = 0;  // the table entry, in the packet
  std::uint64_t payload_offset = 0;
};

struct PacketTable {
  std::uint8_t version = 0;
  std::uint64_t table_bytes = 0;  // magic, version, count and entries
  std::vector<SectionEntry> sections;
};

// Parses and checks the table (structure, limits, lengths, CRCs); `max_decoded_bytes` caps the
// sum of declared decoded sizes (limit_exceeded past it). check_crc = false exists only so the
// fuzz target can reach the decoders behind the CRC.
PacketTable read_packet_table(ByteSpan packet, const std::string& source, std::uint64_t max_decoded_bytes,
                              bool check_crc = true);

struct DecodedSection {
  std::string name;
  Bytes data;
};
std::vector<DecodedSection> read_packet(ByteSpan packet, const std::string& source,
                                        std::uint64_t max_decoded_bytes = std::uint64_t(1) << 30,
                                        bool check_crc = true);

bool looks_like_packet(ByteSpan bytes);

}  // namespace tac::container
