#pragma once
// The 32-bit binary arithmetic decoder of the QMA9 mask coder (Witten, Neal & Cleary 1987, with
// the E3 "middle half" underflow step), reading bits most-significant first and zeros past the end
// of its input, exactly as the reference decoder does. Symbols come from adaptive 16-bit counts:
// after each symbol its count grows by 8, and all counts are halved (rounding up, at least 1)
// before that when they sum to 65535 or more.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

namespace tac::codec::maskgen {

class ArithmeticDecoder {
 public:
  explicit ArithmeticDecoder(std::span<const std::uint8_t> bits) : next_(bits.data()), end_(bits.data() + bits.size()) {
    for (int i = 0; i < 32; ++i) value_ = (value_ << 1) | next_bit();
  }

  // Decodes one binary symbol whose counts are f[0] (for 0) and f[1] (for 1), then adapts f.
  int binary(std::array<std::uint16_t, 2>& f) {
    const std::uint32_t f0 = f[0], total = f0 + f[1];
    const std::uint64_t range = std::uint64_t(high_) - low_ + 1;
    // Reference: v = ((value - low + 1) * total - 1) / range, symbol 0 iff v < f0. Same test,
    // without the division.
    const int bit = (std::uint64_t(value_) - low_ + 1) * total > std::uint64_t(f0) * range;
    const std::uint32_t split = static_cast<std::uint32_t>(range * f0 / total);
    if (bit)
      low_ += split;
    else
      high_ = low_ + split - 1;
    renormalize();
    adapt(f, bit);
    return bit;
  }

  // Decodes one symbol of an N-ary alphabet with counts f, then adapts f.
  template <std::size_t N>
  int symbol(std::array<std::uint16_t, N>& f) {
    std::uint32_t total = 0;
    for (auto c : f) total += c;
    const std::uint64_t range = std::uint64_t(high_) - low_ + 1;
    const std::uint64_t v = ((std::uint64_t(value_) - low_ + 1) * total - 1) / range;
    std::uint32_t cum = 0;
    int s = 0;
    // v < total always holds (the decoder keeps low <= value <= high), so this stops in range.
    while (s + 1 < static_cast<int>(N) && v >= cum + f[s]) cum += f[s++];
    const std::uint32_t lo = low_;
    high_ = static_cast<std::uint32_t>(lo + range * (cum + f[s]) / total - 1);
    low_ = static_cast<std::uint32_t>(lo + range * cum / total);
    renormalize();
    adapt(f, s);
    return s;
  }

  // Zero bytes read beyond the end of the input so far, and input bytes not read yet.
  std::uint64_t bytes_past_end() const { return past_end_; }
  std::uint64_t bytes_unread() const { return static_cast<std::uint64_t>(end_ - next_); }

 private:
  static constexpr std::uint32_t kHalf = 0x80000000u, kQuarter = 0x40000000u, kThreeQuarters = 0xC0000000u;

  template <std::size_t N>
  static void adapt(std::array<std::uint16_t, N>& f, int s) {
    std::uint32_t total = 0;
    for (auto c : f) total += c;
    if (total >= 65535)
      for (auto& c : f) c = static_cast<std::uint16_t>(std::max<std::uint32_t>(1, (std::uint32_t(c) + 1) >> 1));
    f[s] = static_cast<std::uint16_t>(std::min<std::uint32_t>(65535, std::uint32_t(f[s]) + 8));
  }

  void renormalize() {
    for (;;) {
      if (high_ < kHalf) {
      } else if (low_ >= kHalf) {
        value_ -= kHalf, low_ -= kHalf, high_ -= kHalf;
      } else if (low_ >= kQuarter && high_ < kThreeQuarters) {
        value_ -= kQuarter, low_ -= kQuarter, high_ -= kQuarter;
      } else {
        return;
      }
      low_ <<= 1;
      high_ = (high_ << 1) | 1u;
      value_ = (value_ << 1) | next_bit();
    }
  }

  std::uint32_t next_bit() {
    if (left_ == 0) {
      if (next_ < end_) {
        byte_ = *next_++;
      } else {
        byte_ = 0;
        ++past_end_;
      }
      left_ = 8;
    }
    --left_;
    return (byte_ >> left_) & 1u;
  }

  std::uint32_t low_ = 0, high_ = 0xFFFFFFFFu, value_ = 0;
  const std::uint8_t* next_;
  const std::uint8_t* end_;
  std::uint32_t byte_ = 0;
  int left_ = 0;
  std::uint64_t past_end_ = 0;
};

}  // namespace tac::codec::maskgen
