#include "tac/quant/block_float.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tac/core/error.hpp"

namespace tac::quant {
namespace {

void check_shape(std::size_t block, int mantissa_bits, ErrorKind kind) {
  if (block == 0) fail(kind, "block floating point: block size 0");
  if (mantissa_bits < 2 || mantissa_bits > 16) fail(kind, "block floating point: {} mantissa bits (2..16)", mantissa_bits);
}

std::int32_t qmax_of(int mantissa_bits) { return (1 << (mantissa_bits - 1)) - 1; }

// The smallest E in [-128, 127] with max_abs <= qmax * 2^E (compared exactly through ldexp,
// which only scales by a power of two).
int shared_exponent(float max_abs, std::int32_t qmax, std::size_t block_index) {
  if (max_abs == 0.0f) return -128;
  int e = 0;
  std::frexp(max_abs / static_cast<float>(qmax), &e);  // a first guess within one of the answer
  e = std::clamp(e, -128, 127);
  const auto fits = [&](int candidate) {
    return static_cast<double>(max_abs) <= std::ldexp(static_cast<double>(qmax), candidate);
  };
  while (e < 127 && !fits(e)) ++e;
  while (e > -128 && fits(e - 1)) --e;
  if (!fits(e))
    fail(ErrorKind::limit_exceeded, "block floating point: block {} (max |x| {}) exceeds the exponent range", block_index, max_abs);
  return e;
}

}  // namespace

BlockFloatTensor quantize_block_float(std::span<const float> values, std::size_t block, int mantissa_bits) {
  check_shape(block, mantissa_bits, ErrorKind::usage);
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      fail(ErrorKind::corrupt_input, "block floating point: value {} is not finite ({})", i, values[i]);
  const std::int32_t qmax = qmax_of(mantissa_bits);
  BlockFloatTensor t;
  t.block = block;
  t.mantissa_bits = mantissa_bits;
  t.mantissas.resize(values.size());
  for (std::size_t start = 0; start < values.size(); start += block) {
    const auto x = values.subspan(start, std::min(block, values.size() - start));
    float max_abs = 0.0f;
    for (const float v : x) max_abs = std::max(max_abs, std::fabs(v));
    const int e = shared_exponent(max_abs, qmax, start / block);
    t.exponents.push_back(static_cast<std::int8_t>(e));
    for (std::size_t i = 0; i < x.size(); ++i) {
      // In double: ldexp(x, -E) is exact there for every float x and E in range, so the only
      // rounding is rint's (float could lose bits when E > 0 pushes x into subnormals).
      const double scaled = std::nearbyint(std::ldexp(static_cast<double>(x[i]), -e));
      t.mantissas[start + i] = static_cast<std::int16_t>(std::clamp<double>(scaled, -qmax, qmax));
    }
  }
  return t;
}

std::vector<float> dequantize_block_float(const BlockFloatTensor& t) {
  check_shape(t.block, t.mantissa_bits, ErrorKind::corrupt_input);
  const std::size_t blocks = (t.mantissas.size() + t.block - 1) / t.block;
  if (t.exponents.size() != blocks)
    fail(ErrorKind::corrupt_input, "block floating point: {} exponents for {} values in blocks of {} (expected {})",
         t.exponents.size(), t.mantissas.size(), t.block, blocks);
  const std::int32_t qmax = qmax_of(t.mantissa_bits);
  std::vector<float> out(t.mantissas.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int32_t q = t.mantissas[i];
    if (q < -qmax || q > qmax) fail(ErrorKind::corrupt_input, "block floating point: mantissa {} at {} is outside +-{}", q, i, qmax);
    const double value = std::ldexp(static_cast<double>(q), t.exponents[i / t.block]);
    // Exact in float32 whenever it fits: a hostile mantissa/exponent pair may not.
    if (std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max()))
      fail(ErrorKind::corrupt_input, "block floating point: value {} ({} x 2^{}) overflows float32", i, q, t.exponents[i / t.block]);
    out[i] = static_cast<float>(value);
  }
  return out;
}

}  // namespace tac::quant
