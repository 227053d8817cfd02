#include "tac/quant/int_quant.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"

namespace tac::quant {
namespace {

std::int32_t rne(float v) { return static_cast<std::int32_t>(std::nearbyint(v)); }

// One channel: its scale and zero point, then its codes.
void quantize_channel(std::span<const float> x, const IntQuantSpec& spec, float& scale, std::int32_t& zero_point,
                      std::int16_t* q) {
  if (spec.symmetric) {
    const std::int32_t qmax = (1 << (spec.bits - 1)) - 1;
    float m = 0.0f;
    for (const float v : x) m = std::max(m, std::fabs(v));
    scale = m > 0.0f ? m / static_cast<float>(qmax) : 1.0f;
    if (!(scale > 0.0f)) scale = 1.0f;  // m / qmax underflowed (m subnormal)
    zero_point = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      q[i] = static_cast<std::int16_t>(std::clamp(rne(x[i] / scale), -qmax, qmax));
    return;
  }
  const std::int32_t qmax = (1 << spec.bits) - 1;
  float lo = 0.0f, hi = 0.0f;
  for (const float v : x) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  scale = hi > lo ? (hi - lo) / static_cast<float>(qmax) : 1.0f;
  if (!std::isfinite(scale)) fail(ErrorKind::usage, "quantize_int: value range {} .. {} overflows float32", lo, hi);
  if (!(scale > 0.0f)) scale = 1.0f;  // underflow
  zero_point = std::clamp(rne(-lo / scale), 0, qmax);
  for (std::size_t i = 0; i < x.size(); ++i)
    q[i] = static_cast<std::int16_t>(std::clamp(rne(x[i] / scale) + zero_point, 0, qmax));
}

}  // namespace

IntQuantized quantize_int(std::span<const float> x, const IntQuantSpec& spec, std::size_t channels) {
  if (spec.bits != 8 && spec.bits != 4) fail(ErrorKind::usage, "quantize_int: {} bits (4 or 8)", spec.bits);
  if (!spec.per_channel) channels = 1;
  if (channels == 0 || x.size() % channels != 0)
    fail(ErrorKind::usage, "quantize_int: {} values do not split into {} channels", x.size(), channels);
  for (const float v : x)
    if (!std::isfinite(v)) fail(ErrorKind::usage, "quantize_int: non-finite input value");
  IntQuantized out;
  out.spec = spec;
  out.channels = channels;
  out.channel_length = x.size() / channels;
  out.q.resize(x.size());
  out.scales.resize(channels);
  out.zero_points.resize(channels);
  for (std::size_t c = 0; c < channels; ++c)
    quantize_channel(x.subspan(c * out.channel_length, out.channel_length), spec, out.scales[c], out.zero_points[c],
                     out.q.data() + c * out.channel_length);
  return out;
}

std::vector<float> dequantize(const IntQuantized& in) {
  std::vector<float> out(in.q.size());
  for (std::size_t c = 0; c < in.channels; ++c)
    for (std::size_t i = c * in.channel_length; i < (c + 1) * in.channel_length; ++i)
      out[i] = static_cast<float>(std::int32_t(in.q[i]) - in.zero_points[c]) * in.scales[c];
  return out;
}

}  // namespace tac::quant
