#include "tac/quant/affine.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"

namespace tac::quant {
namespace {

struct Range {
  std::int32_t lo, hi;  // the code range
};

Range code_range(const AffineSpec& s) {
  if (s.symmetric) return {-((1 << (s.bits - 1)) - 1), (1 << (s.bits - 1)) - 1};
  return {0, (1 << s.bits) - 1};
}

void check_spec(const AffineSpec& s, std::size_t size) {
  if (s.bits != 8 && s.bits != 4) fail(ErrorKind::usage, "affine quantization: {} bits (4 or 8 supported)", s.bits);
  if (s.channels == 0) fail(ErrorKind::usage, "affine quantization: zero channels");
  if (size % s.channels != 0)
    fail(ErrorKind::usage, "affine quantization: {} values do not split into {} equal channels", size, s.channels);
}

std::int32_t clamp_code(float v, Range r) {
  // v is finite and |v| is bounded by the scale choice up to rounding; clamp in float first so
  // the conversion cannot overflow.
  const float c = std::clamp(v, static_cast<float>(r.lo), static_cast<float>(r.hi));
  return static_cast<std::int32_t>(c);
}

}  // namespace

AffineTensor quantize_affine(std::span<const float> values, const AffineSpec& spec) {
  check_spec(spec, values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) fail(ErrorKind::corrupt_input, "affine quantization: value {} is not finite ({})", i, values[i]);
  const Range r = code_range(spec);
  AffineTensor t;
  t.spec = spec;
  t.codes.resize(values.size());
  t.scales.resize(spec.channels);
  t.zero_points.assign(spec.channels, 0);
  const std::size_t run = spec.channels == 0 ? 0 : values.size() / spec.channels;
  for (std::size_t c = 0; c < spec.channels; ++c) {
    const auto x = values.subspan(c * run, run);
    float scale = 1.0f;
    std::int32_t zero_point = 0;
    if (spec.symmetric) {
      float max_abs = 0.0f;
      for (const float v : x) max_abs = std::max(max_abs, std::fabs(v));
      if (max_abs > 0.0f) scale = max_abs / static_cast<float>(r.hi);
    } else {
      float lo = 0.0f, hi = 0.0f;
      for (const float v : x) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      if (hi > lo) scale = (hi - lo) / static_cast<float>(r.hi);
      zero_point = clamp_code(std::nearbyint(-lo / scale), r);
    }
    // A range of subnormals can make the scale 0 (max / qmax underflows): keep 1 then, every
    // code rounds to the zero point and the dequantized values are exact zeros.
    if (!(scale > 0.0f) || !std::isfinite(scale)) scale = 1.0f;
    t.scales[c] = scale;
    t.zero_points[c] = zero_point;
    for (std::size_t i = 0; i < run; ++i) {
      const float shifted = std::nearbyint(x[i] / scale) + static_cast<float>(zero_point);
      t.codes[c * run + i] = clamp_code(shifted, r);
    }
  }
  return t;
}

std::vector<float> dequantize_affine(const AffineTensor& t) {
  check_spec(t.spec, t.codes.size());
  if (t.scales.size() != t.spec.channels || t.zero_points.size() != t.spec.channels)
    fail(ErrorKind::corrupt_input, "affine tensor: {} scales and {} zero points for {} channels", t.scales.size(),
         t.zero_points.size(), t.spec.channels);
  const Range r = code_range(t.spec);
  std::vector<float> out(t.codes.size());
  const std::size_t run = t.codes.size() / t.spec.channels;
  for (std::size_t c = 0; c < t.spec.channels; ++c) {
    const float scale = t.scales[c];
    const std::int32_t zp = t.zero_points[c];
    if (!std::isfinite(scale) || zp < r.lo || zp > r.hi || (t.spec.symmetric && zp != 0))
      fail(ErrorKind::corrupt_input, "affine tensor: channel {} has scale {} and zero point {}", c, scale, zp);
    for (std::size_t i = c * run; i < (c + 1) * run; ++i) {
      const std::int32_t q = t.codes[i];
      if (q < r.lo || q > r.hi) fail(ErrorKind::corrupt_input, "affine tensor: code {} at {} is outside {}..{}", q, i, r.lo, r.hi);
      out[i] = static_cast<float>(q - zp) * scale;
    }
  }
  return out;
}

std::vector<std::uint8_t> pack_int4(std::span<const std::int32_t> codes) {
  std::vector<std::uint8_t> out((codes.size() + 1) / 2, 0);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto nibble = static_cast<std::uint8_t>(static_cast<std::uint32_t>(codes[i]) & 0xfu);
    out[i / 2] = static_cast<std::uint8_t>(out[i / 2] | (i % 2 == 0 ? nibble : nibble << 4));
  }
  return out;
}

std::vector<std::int32_t> unpack_int4(std::span<const std::uint8_t> packed, std::size_t count, bool is_signed) {
  if (packed.size() != (count + 1) / 2)
    fail(ErrorKind::corrupt_input, "int4 codes: {} bytes for {} codes (expected {})", packed.size(), count, (count + 1) / 2);
  std::vector<std::int32_t> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::int32_t nibble = (i % 2 == 0 ? packed[i / 2] : packed[i / 2] >> 4) & 0xf;
    out[i] = is_signed && nibble >= 8 ? nibble - 16 : nibble;
  }
  return out;
}

}  // namespace tac::quant
