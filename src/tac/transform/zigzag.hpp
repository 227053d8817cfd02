#pragma once
// Signed <-> unsigned maps that put small magnitudes on small codes (all exact bijections):
//   zigzag          0, -1, 1, -2, 2, ... -> 0, 1, 2, 3, 4, ...   u = (v << 1) ^ (v >> (bits-1))
//   negated zigzag  0, 1, -1, 2, -2, ... -> 0, 1, 2, 3, 4, ...   zigzag(-v), so positives first
//   two's complement                                             u = v mod 2^bits
//   offset          v + k mod 2^bits (k = 2^(bits-1) maps the signed range onto 0 .. 2^bits - 1 in order)
#include <cstdint>

namespace tac::transform {

constexpr std::uint32_t zigzag32(std::int32_t v) {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}
constexpr std::int32_t unzigzag32(std::uint32_t u) {
  return static_cast<std::int32_t>((u >> 1) ^ (0u - (u & 1)));
}
constexpr std::uint8_t zigzag8(std::int8_t v) {
  return static_cast<std::uint8_t>((static_cast<std::uint8_t>(v) << 1) ^ static_cast<std::uint8_t>(v >> 7));
}
constexpr std::int8_t unzigzag8(std::uint8_t u) {
  return static_cast<std::int8_t>(static_cast<std::uint8_t>((u >> 1) ^ (0u - (u & 1u))));
}
// -v wraps for the most negative value, which makes the map a bijection on the whole range.
constexpr std::uint32_t negated_zigzag32(std::int32_t v) { return zigzag32(static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(v))); }
constexpr std::int32_t unnegated_zigzag32(std::uint32_t u) {
  return static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(unzigzag32(u)));
}
constexpr std::uint8_t negated_zigzag8(std::int8_t v) {
  return zigzag8(static_cast<std::int8_t>(static_cast<std::uint8_t>(0u - static_cast<std::uint8_t>(v))));
}
constexpr std::int8_t unnegated_zigzag8(std::uint8_t u) {
  return static_cast<std::int8_t>(static_cast<std::uint8_t>(0u - static_cast<std::uint8_t>(unzigzag8(u))));
}
constexpr std::uint8_t twos_complement8(std::int8_t v) { return static_cast<std::uint8_t>(v); }
constexpr std::int8_t from_twos_complement8(std::uint8_t u) { return static_cast<std::int8_t>(u); }
constexpr std::uint8_t offset8(std::uint8_t v, std::uint8_t k) { return static_cast<std::uint8_t>(v + k); }
constexpr std::uint8_t unoffset8(std::uint8_t u, std::uint8_t k) { return static_cast<std::uint8_t>(u - k); }

}  // namespace tac::transform
