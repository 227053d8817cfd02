#pragma once
// ULEB128 writer: 7 bits per byte, least significant group first, high bit = more follows.
// The reader is tac::ByteReader::uleb128 (checked: at most 10 bytes, no overflow past 64 bits).
#include <cstdint>
#include <vector>

namespace tac::transform {

inline void append_uleb128(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

inline std::size_t uleb128_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace tac::transform
