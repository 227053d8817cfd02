#include "tac/quant/block_fp.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"

namespace tac::quant {

BlockFpQuantized quantize_block_fp(std::span<const float> x, const BlockFpSpec& spec) {
  if (spec.block == 0) fail(ErrorKind::usage, "quantize_block_fp: block size 0");
  if (spec.bits < 2 || spec.bits > 16) fail(ErrorKind::usage, "quantize_block_fp: {} bits (2..16)", spec.bits);
  for (const float v : x)
    if (!std::isfinite(v)) fail(ErrorKind::usage, "quantize_block_fp: non-finite input value");
  const std::int32_t qmax = (1 << (spec.bits - 1)) - 1;
  BlockFpQuantized out;
  out.spec = spec;
  out.mantissas.resize(x.size());
  for (std::size_t start = 0; start < x.size(); start += spec.block) {
    const auto block = x.subspan(start, std::min(spec.block, x.size() - start));
    float m = 0.0f;
    for (const float v : block) m = std::max(m, std::fabs(v));
    int k = 0;
    if (m > 0.0f) (void)std::frexp(m, &k);
    const int e = m > 0.0f ? k - (spec.bits - 1) : 0;
    for (std::size_t i = 0; i < block.size(); ++i) {
      const float scaled = std::ldexp(block[i], -e);
      out.mantissas[start + i] =
          static_cast<std::int16_t>(std::clamp(static_cast<std::int32_t>(std::nearbyint(scaled)), -qmax, qmax));
    }
    out.exponents.push_back(static_cast<std::int16_t>(e));
  }
  return out;
}

std::vector<float> dequantize(const BlockFpQuantized& in) {
  std::vector<float> out(in.mantissas.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = std::ldexp(static_cast<float>(in.mantissas[i]), in.exponents[i / in.spec.block]);
  return out;
}

}  // namespace tac::quant
