#pragma once
// Shared by the maskgen tests: the payload member `p` of the PR 97 archive fixture.
#include <filesystem>
#include <string>
#include <vector>

#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/io/zip_reader.hpp"

namespace tac::test {

inline constexpr const char* kMaskgenDir = "replay/vibe_coder_final_boss/";

inline std::vector<std::uint8_t> maskgen_payload_bytes(const std::filesystem::path& zip) {
  const auto reader = tac::io::ZipReader::open(zip);
  const auto* member = reader.find("p");
  if (!member) throw std::runtime_error(zip.string() + ": no member p");
  return reader.read(*member);
}

// Appends v as `bytes` little-endian bytes (building synthetic records).
inline void put_le(std::vector<std::uint8_t>& b, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// One record of the payload, copied out.
inline std::vector<std::uint8_t> maskgen_record(const std::vector<std::uint8_t>& payload,
                                                tac::codec::maskgen::RecordId id) {
  const auto p = tac::codec::maskgen::split_payload(payload, "p");
  const auto r = p[id].bytes;
  return {r.begin(), r.end()};
}

// The decoded masks, decoded once per test binary (a few seconds).
inline const std::vector<std::uint8_t>& maskgen_decoded_masks(const std::filesystem::path& zip,
                                                              tac::codec::maskgen::MaskDecodeStats* stats = nullptr) {
  static const std::vector<std::uint8_t> masks = [&] {
    namespace mg = tac::codec::maskgen;
    return mg::decode_masks(maskgen_record(maskgen_payload_bytes(zip), mg::RecordId::mask), "p", 0, stats);
  }();
  return masks;
}

}  // namespace tac::test
