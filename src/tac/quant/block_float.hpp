#pragma once
// Block floating point: every block of `block` consecutive values shares one power-of-two
// exponent E (stored as int8); each value is a signed mantissa of `mantissa_bits` bits
// (qmax = 2^(mantissa_bits-1) - 1, codes -qmax..qmax). Per block x:
//
//   E = the smallest integer in [-128, 127] with max|x| <= qmax * 2^E   (-128 for a block of zeros)
//   q = clamp(rint(ldexp(x, -E)), -qmax, qmax)         round half to even
//   dequantize: x' = ldexp(float(q), E)                exact in float32 (no rounding at all)
//
// A block whose max|x| exceeds qmax * 2^127 cannot be represented: quantization fails.
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

struct BlockFloatTensor {
  std::size_t block = 16;
  int mantissa_bits = 8;               // 2..16
  std::vector<std::int16_t> mantissas;  // one per value
  std::vector<std::int8_t> exponents;   // one per block (the last may be partial)
};

// Fails (usage) on block 0 or mantissa bits outside 2..16, (corrupt_input) on a non-finite value
// naming its index, (limit_exceeded) on a block too large for the exponent range.
BlockFloatTensor quantize_block_float(std::span<const float> values, std::size_t block = 16, int mantissa_bits = 8);
// Fails (corrupt_input) on a mismatched exponent count or a mantissa outside -qmax..qmax.
std::vector<float> dequantize_block_float(const BlockFloatTensor& tensor);

}  // namespace tac::quant
