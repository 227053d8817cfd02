#pragma once
// FP4 E2M1 with block scales (as in the MX / NVFP4 formats): every block of `block` consecutive
// values shares one IEEE binary16 scale; each value is a 4-bit code sign << 3 | index into the
// E2M1 magnitudes {0, 0.5, 1, 1.5, 2, 3, 4, 6}. In float32 arithmetic, per block x:
//
//   scale = f16(max|x| / 6)         rounded to nearest even half; a block of zeros keeps 0; a
//                                   nonzero block whose scale would round to 0 takes the smallest
//                                   subnormal half, one past 65504 takes 65504
//   a     = |x| / float(scale)      (0 when the scale is 0)
//   index = the nearest magnitude to a, the lower one on a tie (a > 6 gives 6)
//   code  = index == 0 ? 0 : (signbit(x) << 3 | index)
//   dequantize: x' = (code & 8 ? -m[index] : m[index]) * float(scale)
//
// The dequantized product is exact in float32 (m has two significant bits, the scale eleven),
// so any implementation of this formula gives the same bits. Codes pack two per byte, the first
// in the low nibble (pack_int4).
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

inline constexpr float kE2M1Magnitudes[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

struct Fp4Tensor {
  std::size_t block = 32;
  std::vector<std::uint8_t> codes;    // one 4-bit code per value (0..15)
  std::vector<std::uint16_t> scales;  // binary16 bits, one per block (the last may be partial)
};

// Fails (usage) on block 0, (corrupt_input) on a NaN or infinite value naming its index.
Fp4Tensor quantize_fp4(std::span<const float> values, std::size_t block = 32);
// Fails (corrupt_input) when the scale count does not match, a code exceeds 15 or a scale is
// negative, infinite or NaN.
std::vector<float> dequantize_fp4(const Fp4Tensor& tensor);

}  // namespace tac::quant
