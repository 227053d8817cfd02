#pragma once
// Adaptive probability of one binary context: two estimators with different adaptation rates,
// averaged (CABAC in VVC, DeepCABAC). Each estimator holds P(bit = 1) in 16-bit fixed point,
// p in [1, 2^16-1], and moves towards the coded bit by a power-of-two fraction:
//   bit 1: p += (2^16 - p) >> rate        bit 0: p -= p >> rate
// Neither update can leave [1, 2^16-1] once inside it. The coding probability is
// (p_fast + p_slow + 1) >> 1, also in [1, 2^16-1]. Fast rate 4 follows a change within ~16
// decisions; slow rate 7 averages over ~128 and gives the precision on stationary data.
// Optional warm-up: the n-th update (n = 1, 2, ...) uses shift min(rate, 1 + floor(log2 n)), so a
// fresh context moves like a counting estimator (1/2, 1/4, 1/4, 1/8, ...) until it reaches its
// rate; this cuts the learning cost of many rarely used contexts.
#include <algorithm>
#include <cstdint>

#include "tac/core/error.hpp"

namespace tac::entropy {

struct BitRates {
  std::uint8_t fast = 4;
  std::uint8_t slow = 7;
  bool warmup = false;
};

inline void validate(const BitRates& r) {
  if (r.fast < 1 || r.fast > 15 || r.slow < 1 || r.slow > 15)
    fail(ErrorKind::usage, "bit model: rates {} and {} must be in 1..15", r.fast, r.slow);
}

class BitModel {
 public:
  BitModel() = default;
  explicit BitModel(BitRates rates, std::uint16_t p1 = 1u << 15)
      : fast_(p1), slow_(p1), fast_rate_(rates.fast), slow_rate_(rates.slow), seen_(rates.warmup ? 0 : 255) {}

  std::uint32_t p1() const { return (std::uint32_t(fast_) + slow_ + 1) >> 1; }
  void update(int bit) {
    int fast_rate = fast_rate_, slow_rate = slow_rate_;
    if (seen_ < 255) [[unlikely]] {
      ++seen_;
      int shift = 1;
      for (int n = seen_; n > 1; n >>= 1) ++shift;
      if (shift >= slow_rate_) seen_ = 255;  // warmed up: both estimators at their own rates
      fast_rate = std::min(fast_rate, shift);
      slow_rate = std::min(slow_rate, shift);
    }
    if (bit) {
      fast_ = static_cast<std::uint16_t>(fast_ + ((65536u - fast_) >> fast_rate));
      slow_ = static_cast<std::uint16_t>(slow_ + ((65536u - slow_) >> slow_rate));
    } else {
      fast_ = static_cast<std::uint16_t>(fast_ - (fast_ >> fast_rate));
      slow_ = static_cast<std::uint16_t>(slow_ - (slow_ >> slow_rate));
    }
  }

 private:
  std::uint16_t fast_ = 1u << 15;
  std::uint16_t slow_ = 1u << 15;
  std::uint8_t fast_rate_ = 4;
  std::uint8_t slow_rate_ = 7;
  std::uint8_t seen_ = 255;  // updates so far while warming up; 255 = warm
  // Pads the model to 8 bytes (GCC 12 -O3 reports a false -Wstringop-overflow when filling
  // arrays of the 7-byte layout).
  [[maybe_unused]] std::uint8_t unused_ = 0;
};

}  // namespace tac::entropy
