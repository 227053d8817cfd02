#pragma once
// FP4 E2M1 with one scale per block of `block` consecutive values (the last block may be short).
// A code is a nibble: sign << 3 | index into kFp4Levels = {0, 0.5, 1, 1.5, 2, 3, 4, 6}.
//   scale  = m / 6 with m = max |x| over the block (scale = 1 when m = 0 or m / 6 underflows), float32; with f16 scales
//            the scale is then rounded to binary16 (round-half-even) and that value is used below
//   code   = the level nearest to |x / scale| (float32 division; the first, i.e. smallest, level on
//            ties), sign = x / scale < 0 (so a tiny negative value becomes -0, as in the reference)
//   dequantized x' = (sign ? -level : level) * scale   (one float32 multiplication)
// With f32 scales this is the reference round trip of the maskgen family
// (codec/maskgen/fp4_weights.hpp, fp4_round_trip). Inputs must be finite.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

inline constexpr std::array<float, 8> kFp4Levels = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

struct Fp4Spec {
  std::size_t block = 32;
  bool f16_scales = false;
};

struct Fp4Quantized {
  Fp4Spec spec;
  std::vector<std::uint8_t> codes;  // one nibble per value (low 4 bits)
  std::vector<float> scales;        // per block, as used (f16-representable when f16_scales)
};

// Throws usage on non-finite input, block 0, or (f16 scales) a scale beyond binary16's range.
Fp4Quantized quantize_fp4(std::span<const float> x, const Fp4Spec& spec);
std::vector<float> dequantize(const Fp4Quantized& quantized);
// Two codes per byte, the first value in the high nibble (the maskgen layout), and back.
std::vector<std::uint8_t> pack_nibbles(std::span<const std::uint8_t> codes);
std::vector<std::uint8_t> unpack_nibbles(std::span<const std::uint8_t> packed, std::size_t count);

}  // namespace tac::quant
