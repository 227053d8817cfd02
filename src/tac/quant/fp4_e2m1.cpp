#include "tac/quant/fp4_e2m1.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"
#include "tac/quant/float16.hpp"

namespace tac::quant {
namespace {

constexpr std::uint16_t kSmallestHalf = 0x0001;  // 2^-24
constexpr std::uint16_t kLargestHalf = 0x7bff;   // 65504

float block_scale(std::span<const float> x, Fp4Scale format) {
  float max_abs = 0.0f;
  for (const float v : x) max_abs = std::max(max_abs, std::fabs(v));
  if (format == Fp4Scale::f32) {
    const float scale = max_abs / 6.0f;
    return scale > 0.0f ? scale : 1.0f;
  }
  if (max_abs == 0.0f) return 0.0f;
  std::uint16_t s = float_to_half(max_abs / 6.0f);
  if ((s & 0x7fffu) == 0) s = kSmallestHalf;
  if ((s & 0x7fffu) >= 0x7c00u) s = kLargestHalf;
  return half_to_float(s);
}

// The nearest magnitude, the lower on a tie: the midpoints between neighbours decide.
std::uint8_t nearest_index(float a) {
  std::uint8_t index = 0;
  for (std::uint8_t i = 1; i < 8; ++i) {
    const float midpoint = (kE2M1Magnitudes[i - 1] + kE2M1Magnitudes[i]) * 0.5f;  // exact
    if (a > midpoint) index = i;
  }
  return index;
}

}  // namespace

Fp4Tensor quantize_fp4(std::span<const float> values, std::size_t block, Fp4Scale scale_format) {
  if (block == 0) fail(ErrorKind::usage, "fp4 quantization: block size 0");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) fail(ErrorKind::corrupt_input, "fp4 quantization: value {} is not finite ({})", i, values[i]);
  Fp4Tensor t;
  t.block = block;
  t.scale_format = scale_format;
  t.codes.resize(values.size());
  for (std::size_t start = 0; start < values.size(); start += block) {
    const auto x = values.subspan(start, std::min(block, values.size() - start));
    const float scale = block_scale(x, scale_format);
    t.scales.push_back(scale);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::uint8_t index = scale > 0.0f ? nearest_index(std::fabs(x[i]) / scale) : 0;
      t.codes[start + i] = static_cast<std::uint8_t>((x[i] < 0.0f ? 8 : 0) | index);
    }
  }
  return t;
}

std::vector<float> dequantize_fp4(const Fp4Tensor& t) {
  if (t.block == 0) fail(ErrorKind::corrupt_input, "fp4 tensor: block size 0");
  const std::size_t blocks = (t.codes.size() + t.block - 1) / t.block;
  if (t.scales.size() != blocks)
    fail(ErrorKind::corrupt_input, "fp4 tensor: {} scales for {} values in blocks of {} (expected {})", t.scales.size(),
         t.codes.size(), t.block, blocks);
  std::vector<float> out(t.codes.size());
  for (std::size_t b = 0; b < blocks; ++b) {
    const float scale = t.scales[b];
    if (!std::isfinite(scale) || std::signbit(scale))
      fail(ErrorKind::corrupt_input, "fp4 tensor: block {} has scale {}", b, scale);
    if (t.scale_format == Fp4Scale::f16 && half_to_float(float_to_half(scale)) != scale)
      fail(ErrorKind::corrupt_input, "fp4 tensor: block {} scale {} is not a binary16 value", b, scale);
    const std::size_t end = std::min(t.codes.size(), (b + 1) * t.block);
    for (std::size_t i = b * t.block; i < end; ++i) {
      const std::uint8_t code = t.codes[i];
      if (code > 15) fail(ErrorKind::corrupt_input, "fp4 tensor: code {} at {} is not 4 bits", code, i);
      const float m = kE2M1Magnitudes[code & 7u];
      out[i] = ((code & 8u) != 0 ? -m : m) * scale;
    }
  }
  return out;
}

}  // namespace tac::quant
