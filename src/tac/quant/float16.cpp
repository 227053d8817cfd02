#include "tac/quant/float16.hpp"

#include <bit>
#include <cmath>

namespace tac::quant {

std::uint16_t float_to_half(float value) {
  const auto f = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((f >> 16) & 0x8000u);
  const std::uint32_t exponent = (f >> 23) & 0xffu;
  std::uint32_t mantissa = f & 0x7fffffu;
  if (exponent == 0xff) return static_cast<std::uint16_t>(sign | 0x7c00u | (mantissa != 0 ? 0x200u : 0u));
  const int e = static_cast<int>(exponent) - 127 + 15;  // the half's biased exponent
  if (e >= 0x1f) return static_cast<std::uint16_t>(sign | 0x7c00u);
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand right; round to nearest even below.
    if (e < -10) return sign;  // below half the smallest subnormal (2^-25 rounds to 0 too: tie to even)
    mantissa |= 0x800000u;
    const int shift = 14 - e;  // 24-bit significand -> 10-bit subnormal field
    const std::uint32_t kept = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1);
    const std::uint32_t rounded = kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
    return static_cast<std::uint16_t>(sign | rounded);  // a carry into bit 10 is the smallest normal: correct
  }
  const std::uint32_t kept = mantissa >> 13;
  const std::uint32_t rest = mantissa & 0x1fffu;
  std::uint32_t bits = (static_cast<std::uint32_t>(e) << 10) | kept;
  if (rest > 0x1000u || (rest == 0x1000u && (kept & 1u))) ++bits;  // a carry may round up to inf: correct
  return static_cast<std::uint16_t>(sign | bits);
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  const std::uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Zero or subnormal: mantissa x 2^-24, exact in float.
  const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  return sign != 0 ? -magnitude : magnitude;
}

}  // namespace tac::quant
