#pragma once
// FP4 E2M1 with block scales (as in the MX / NVFP4 formats): every block of `block` consecutive
// values shares one scale; each value is a 4-bit code sign << 3 | index into the E2M1 magnitudes
// {0, 0.5, 1, 1.5, 2, 3, 4, 6}. In float32 arithmetic, per block x with m = max|x|:
//
//   scale (f16, stored as binary16) = f16(m / 6), rounded to nearest even; a block of zeros
//               keeps 0; a nonzero block whose scale would round to 0 takes the smallest
//               subnormal half, one past 65504 takes 65504
//   scale (f32) = m / 6, or 1 when that is 0 (a block of zeros): exactly the maskgen family's
//               reference round trip (codec/maskgen/fp4_weights.hpp, fp4_round_trip; tested)
//   a     = |x| / scale                (0 when the scale is 0)
//   index = the nearest magnitude to a, the lower one on a tie (a > 6 gives 6)
//   code  = (x < 0) << 3 | index       (a small negative value becomes -0, as in the reference)
//   dequantize: x' = (code & 8 ? -m[index] : m[index]) * scale    (one float32 multiply; exact
//               with f16 scales: m has two significant bits, the scale eleven)
//
// Codes pack two per byte, the first in the low nibble (pack_int4 in affine.hpp).
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

inline constexpr float kE2M1Magnitudes[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

enum class Fp4Scale { f16, f32 };

struct Fp4Tensor {
  std::size_t block = 32;
  Fp4Scale scale_format = Fp4Scale::f16;
  std::vector<std::uint8_t> codes;  // one 4-bit code per value (0..15)
  std::vector<float> scales;        // one per block (the last may be partial), as used
};

// Fails (usage) on block 0, (corrupt_input) on a NaN or infinite value naming its index.
Fp4Tensor quantize_fp4(std::span<const float> values, std::size_t block = 32, Fp4Scale scale_format = Fp4Scale::f16);
// Fails (corrupt_input) when the scale count does not match, a code exceeds 15, a scale is
// negative, infinite or NaN, or an f16 tensor's scale is not a binary16 value.
std::vector<float> dequantize_fp4(const Fp4Tensor& tensor);

}  // namespace tac::quant
