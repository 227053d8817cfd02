#pragma once
// hnerv95_tacp: the tensors of an hnerv95 archive (same int8 weights, same quantized latents, same
// meta bytes) in a tac packet (container/packet.hpp) of three sections, in this order:
//   header   header_section.hpp: the JSON meta and the tensor names, dims and f32 scales, under the
//            smallest lossless profile (container/lossless_profiles.hpp)
//   weights  (codec raw) weights_coder.hpp stream: every tensor's zigzag int8 values
//   latents  (codec raw) latents_coder.hpp stream: f16 min/scale and the predicted latents
// Decoding rebuilds the three raw hnerv95 sections (hnerv95_archive.hpp RawSections) and parses
// them with the hnerv95 reader, so the dequantized tensors are those of the original archive by
// construction. The member is named after the video stem ("0" for 0.mkv).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/codec/codec.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"

namespace tac::codec::hnerv95_tacp {

inline constexpr int kSections = 3;
inline constexpr const char* kSectionNames[kSections] = {"header", "weights", "latents"};

struct SectionReport {
  std::string name;
  std::string before_name;         // the hnerv95 section it replaces (header: meta)
  std::uint64_t before_bytes = 0;  // in the hnerv95 member (u32 length + brotli)
  std::uint64_t after_bytes = 0;   // in the packet: table entry + payload
  std::uint64_t decoded_bytes = 0;
  std::string choice;              // the coder and settings the search kept
  std::size_t candidates = 0;      // settings tried
};

struct RepackResult {
  std::vector<std::uint8_t> member;  // the packet
  std::vector<SectionReport> sections;
  std::uint64_t packet_header_bytes = 0;  // magic, version, count
};

// Re-codes an hnerv95 member (e.g. qhnerv_ft_best's 0.bin); throws corrupt_input when it is not one.
RepackResult repack(std::span<const std::uint8_t> hnerv95_member, const std::string& source);

// The raw hnerv95 sections back from a packet; every damage is corrupt_input naming the section.
// check_crc = false exists only so the fuzz target can reach the section decoders behind the CRC.
hnerv95::RawSections unpack_raw_sections(std::span<const std::uint8_t> packet, const std::string& source,
                                         bool check_crc = true);
hnerv95::Archive parse_member(std::span<const std::uint8_t> packet, const std::string& source);

// Cheap: a tac packet whose table holds exactly the three sections above. Never throws.
bool looks_like_member(std::span<const std::uint8_t> bytes);
std::vector<Section> describe_member(std::span<const std::uint8_t> packet, const std::string& source);

}  // namespace tac::codec::hnerv95_tacp
