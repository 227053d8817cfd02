#include "tac/quant/fp4.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"
#include "tac/quant/half.hpp"

namespace tac::quant {

Fp4Quantized quantize_fp4(std::span<const float> x, const Fp4Spec& spec) {
  if (spec.block == 0) fail(ErrorKind::usage, "quantize_fp4: block size 0");
  for (const float v : x)
    if (!std::isfinite(v)) fail(ErrorKind::usage, "quantize_fp4: non-finite input value");
  Fp4Quantized out;
  out.spec = spec;
  out.codes.resize(x.size());
  for (std::size_t start = 0; start < x.size(); start += spec.block) {
    const auto block = x.subspan(start, std::min(spec.block, x.size() - start));
    float m = 0.0f;
    for (const float v : block) m = std::max(m, std::fabs(v));
    float scale = m > 0.0f ? m / 6.0f : 1.0f;
    if (spec.f16_scales) {
      const std::uint16_t h = float_to_half(scale);
      if ((h & 0x7C00u) == 0x7C00u) fail(ErrorKind::usage, "quantize_fp4: block scale {} exceeds binary16", scale);
      scale = half_to_float(h);
    }
    if (!(scale > 0.0f)) scale = 1.0f;  // underflow (to 0 in f16 or f32): codes then round to 0
    for (std::size_t i = 0; i < block.size(); ++i) {
      const float norm = block[i] / scale;
      const float magnitude = std::fabs(norm);
      std::uint8_t best = 0;
      float best_distance = std::fabs(magnitude - kFp4Levels[0]);
      for (std::uint8_t l = 1; l < 8; ++l) {
        const float d = std::fabs(magnitude - kFp4Levels[l]);
        if (d < best_distance) best = l, best_distance = d;
      }
      out.codes[start + i] = static_cast<std::uint8_t>((norm < 0.0f ? 8 : 0) | best);  // -0 kept, as the reference
    }
    out.scales.push_back(scale);
  }
  return out;
}

std::vector<float> dequantize(const Fp4Quantized& in) {
  std::vector<float> out(in.codes.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint8_t c = in.codes[i];
    const float level = kFp4Levels[c & 7];
    out[i] = ((c & 8) ? -level : level) * in.scales[i / in.spec.block];
  }
  return out;
}

std::vector<std::uint8_t> pack_nibbles(std::span<const std::uint8_t> codes) {
  std::vector<std::uint8_t> out((codes.size() + 1) / 2, 0);
  for (std::size_t i = 0; i < codes.size(); ++i)
    out[i / 2] |= static_cast<std::uint8_t>((codes[i] & 15) << (i % 2 ? 0 : 4));
  return out;
}

std::vector<std::uint8_t> unpack_nibbles(std::span<const std::uint8_t> packed, std::size_t count) {
  if (packed.size() * 2 < count) fail(ErrorKind::corrupt_input, "unpack_nibbles: {} bytes hold fewer than {} nibbles", packed.size(), count);
  std::vector<std::uint8_t> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = (packed[i / 2] >> (i % 2 ? 0 : 4)) & 15;
  return out;
}

}  // namespace tac::quant
