#pragma once
// The payload framing of the maskgen family (submission vibe_coder_final_boss, PR 97): the single
// zip member `p` is four records, each `u32 length` (little-endian) then that many bytes, in the
// order mask, pose, model, sidecar, and nothing after them.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tac::codec::maskgen {

enum class RecordId { mask = 0, pose = 1, model = 2, sidecar = 3 };
inline constexpr int kRecordCount = 4;
inline constexpr std::array<std::string_view, kRecordCount> kRecordNames = {"mask", "pose", "model", "sidecar"};

struct Record {
  std::uint64_t offset = 0;              // of the u32 length, within the member
  std::span<const std::uint8_t> bytes;   // the record's payload (after the length)
};

struct Payload {
  std::array<Record, kRecordCount> records;
  const Record& operator[](RecordId id) const { return records[static_cast<int>(id)]; }
};

// Splits the member's bytes into its four records. Fails (corrupt_input, naming `source` and the
// record) on a short length field, a length past the end, or bytes after the sidecar.
Payload split_payload(std::span<const std::uint8_t> bytes, const std::string& source);

}  // namespace tac::codec::maskgen
