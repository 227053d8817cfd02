#pragma once
// What a lossless repack of a maskgen payload (PR 97) saves. The pose and model records (brotli)
// and the sidecar (xz) are inflated to their raw bytes with the existing readers, checked with
// their parsers, then re-coded with tac's lossless toolkit (container/lossless_profiles.hpp):
// the whole raw record with the "best" profile, and every split layout of
// maskgen_repack_streams.hpp with "best" per stream, all in one TACP packet (container/packet.hpp)
// whose section names identify the layout. The smallest packet is kept, or the original record
// when no packet is smaller. The mask record is already context-coded: it stays as it is.
// This measures the saving; it writes no new archive format.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/codec/maskgen/maskgen_payload.hpp"

namespace tac::codec::maskgen {

inline constexpr const char* kWholeLayout = "whole";

struct RepackCandidate {
  std::string layout;                 // "whole" or a StreamLayout name
  std::vector<std::string> streams;   // section names ("data" for the whole record)
  std::vector<std::string> profiles;  // the winning lossless profile per stream
  std::vector<std::size_t> raw_bytes, coded_bytes;  // per stream: before, and its payload in the packet
  std::size_t bytes = 0;              // the packet
};

struct RecordRepack {
  RecordId id = RecordId::pose;
  std::size_t original_bytes = 0;  // the record as stored (brotli / xz)
  std::size_t raw_bytes = 0;       // after inflating it
  std::vector<RepackCandidate> candidates;
  std::size_t best = 0;            // index into candidates: the smallest packet
  std::vector<std::uint8_t> packet;  // the smallest packet (unpack_record gives the raw bytes back)
  bool keeps_original() const { return packet.size() >= original_bytes; }
  std::size_t repacked_bytes() const { return keeps_original() ? original_bytes : packet.size(); }
};

// The raw bytes of a pose, model or sidecar record (its decompressor, with the readers' caps).
std::vector<std::uint8_t> inflate_record(RecordId id, std::span<const std::uint8_t> record, const std::string& source);
// Fails (corrupt_input) when the record does not inflate or parse; usage for the mask record.
RecordRepack repack_record(RecordId id, std::span<const std::uint8_t> record, const std::string& source);
// The raw record bytes from a packet of repack_record. Damage is refused as corrupt_input naming
// `source` (CRC, sizes, an unknown list of sections, streams that do not rebuild the record).
std::vector<std::uint8_t> unpack_record(RecordId id, std::span<const std::uint8_t> packet, const std::string& source);

struct PayloadRepack {
  std::size_t mask_bytes = 0;  // kept as coded
  std::array<RecordRepack, 3> records;  // pose, model, sidecar
  std::size_t original_bytes() const;   // the four records as stored (without their u32 lengths)
  std::size_t repacked_bytes() const;
  std::int64_t saved_bytes() const { return std::int64_t(original_bytes()) - std::int64_t(repacked_bytes()); }
  // The contest's rate term: 25 x bytes / the original video's size.
  double score_saving() const;
};

PayloadRepack repack_payload(std::span<const std::uint8_t> payload, const std::string& source);

}  // namespace tac::codec::maskgen
