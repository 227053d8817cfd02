#pragma once
// Block floating point: blocks of `block` consecutive values (the last may be short) share one
// power-of-two exponent e; each value is a signed integer mantissa of `bits` bits (2..16):
//   qmax = 2^(bits-1) - 1
//   m    = max |x| over the block; e = k - (bits - 1) where m = f * 2^k, f in [0.5, 1) (std::frexp),
//          so m / 2^e = f * 2^(bits-1) lies in [2^(bits-2), 2^(bits-1)); e = 0 when m = 0
//   q    = clamp(rne(ldexp(x, -e)), -qmax, qmax)   (ldexp is exact here: a power-of-two scaling)
//   dequantized x' = ldexp(float32(q), e)          (exact unless the result is subnormal, where
//                                                   ldexp rounds to nearest even)
// Inputs must be finite.
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

struct BlockFpSpec {
  std::size_t block = 16;
  int bits = 8;
};

struct BlockFpQuantized {
  BlockFpSpec spec;
  std::vector<std::int16_t> mantissas;
  std::vector<std::int16_t> exponents;  // per block
};

BlockFpQuantized quantize_block_fp(std::span<const float> x, const BlockFpSpec& spec);
std::vector<float> dequantize(const BlockFpQuantized& quantized);

}  // namespace tac::quant
