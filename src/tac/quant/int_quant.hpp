#pragma once
// Integer quantization of float32 tensors, per tensor or per channel (channel c = values
// [c * L, (c + 1) * L) of a tensor of C x L values, i.e. dimension 0 of a row-major tensor), with
// b = 8 or 4 bits, symmetric or asymmetric. All arithmetic is float32 (no fma), rounding is
// round-half-to-even (std::nearbyint in the default mode), and:
//   symmetric:  qmax = 2^(b-1) - 1 (127, 7), q in [-qmax, qmax]
//               scale = m / qmax with m = max |x| over the channel (scale = 1 when m = 0)
//               q = clamp(rne(x / scale), -qmax, qmax)
//               dequantized x' = float32(q) * scale
//   asymmetric: qmax = 2^b - 1 (255, 15), q in [0, qmax]
//               lo = min(min x, 0), hi = max(max x, 0)  (zero is always representable exactly)
//               scale = (hi - lo) / qmax (scale = 1 when hi = lo = 0)
//               zero_point = clamp(rne(-lo / scale), 0, qmax)
//               q = clamp(rne(x / scale) + zero_point, 0, qmax)
//               dequantized x' = float32(q - zero_point) * scale
// (PyTorch's per-tensor/per-channel affine formulas, with float32 scales.) Inputs must be finite
// (and hi - lo finite); a scale that underflows to 0 is replaced by 1.
#include <cstdint>
#include <span>
#include <vector>

namespace tac::quant {

struct IntQuantSpec {
  int bits = 8;           // 8 or 4
  bool symmetric = true;
  bool per_channel = false;
};

struct IntQuantized {
  IntQuantSpec spec;
  std::size_t channels = 1, channel_length = 0;
  std::vector<std::int16_t> q;         // channels x channel_length codes
  std::vector<float> scales;           // per channel (one for per_tensor)
  std::vector<std::int32_t> zero_points;  // per channel; 0 for symmetric
};

// `channels` splits x (per_channel); ignored for per-tensor. Throws usage on non-finite values,
// bits other than 4/8, or channels that do not divide the size.
IntQuantized quantize_int(std::span<const float> x, const IntQuantSpec& spec, std::size_t channels = 1);
std::vector<float> dequantize(const IntQuantized& quantized);

}  // namespace tac::quant
