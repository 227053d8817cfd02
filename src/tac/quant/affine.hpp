#pragma once
// Affine (uniform) integer quantization of a float32 tensor, per tensor or per channel.
//
// The tensor is `channels` contiguous runs of equal length (channel = outermost axis, as in a
// conv weight [out, in, kh, kw]); per-tensor quantization is channels = 1. For each channel c
// with values x (all finite), in float32 arithmetic:
//
//   symmetric,  b bits:  qmax  = 2^(b-1) - 1            (127 for int8, 7 for int4)
//                        scale = max|x| / qmax           (1 when max|x| = 0)
//                        q     = clamp(rint(x / scale), -qmax, qmax),  zero_point = 0
//   asymmetric, b bits:  lo = min(min x, 0), hi = max(max x, 0)   (0 is always exact)
//                        scale = (hi - lo) / (2^b - 1)   (1 when hi = lo)
//                        zero_point = clamp(rint(-lo / scale), 0, 2^b - 1)
//                        q     = clamp(rint(x / scale) + zero_point, 0, 2^b - 1)
//   dequantize:          x' = float(q - zero_point) * scale    (one float32 multiply)
//
// rint rounds half to even (the default rounding mode). Symmetric codes are signed (-127..127,
// -7..7); asymmetric codes unsigned (0..255, 0..15); both are held in int32 and packed by
// pack_int4 / the caller. |x - x'| <= scale / 2 up to float32 rounding of the division.
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

struct AffineSpec {
  int bits = 8;            // 8 or 4
  bool symmetric = true;
  std::size_t channels = 1;  // 1: per tensor; else per channel (must divide the element count)
};

struct AffineTensor {
  AffineSpec spec;
  std::vector<std::int32_t> codes;       // one per element
  std::vector<float> scales;             // one per channel
  std::vector<std::int32_t> zero_points;  // one per channel (0 when symmetric)
};

// Fails (usage) on bits other than 4/8, zero channels or channels not dividing the size, and
// (corrupt_input) on a NaN or infinite value, naming its index.
AffineTensor quantize_affine(std::span<const float> values, const AffineSpec& spec);
// Fails (corrupt_input) when codes, scales or zero points do not fit the spec.
std::vector<float> dequantize_affine(const AffineTensor& tensor);

// Two 4-bit codes per byte, the first in the low nibble; an odd count leaves the last high
// nibble 0. Codes are taken modulo 16 (two's complement for signed codes): unpack_int4 with
// is_signed restores -8..7.
std::vector<std::uint8_t> pack_int4(std::span<const std::int32_t> codes);
std::vector<std::int32_t> unpack_int4(std::span<const std::uint8_t> packed, std::size_t count, bool is_signed);

}  // namespace tac::quant
