#pragma once
// Logistic mixing of binary predictions (as in the PAQ/lpaq family), integer-only so encoder and
// decoder agree on every machine:
//   stretch(p) = ln(p / (1 - p)) and squash(d) = 1 / (1 + e^-d), with d in 1/256 units clamped to
//   [-4095, 4095] (|logit| < 16) and p in 1/65536 units.
//   squash: linear interpolation, in steps of 128 (half a logit), of kSquash[i] =
//     round(65536 / (1 + e^-((i - 32) / 2))) clamped to [1, 65535], i = 0..64:
//     p = (kSquash[j] (128 - w) + kSquash[j + 1] w + 64) >> 7 with j = (d + 4096) >> 7, w = (d + 4096) & 127.
//   stretch: a 4096-entry table over p >> 4, the smallest d whose squash(d) >> 4 reaches it
//     (the inverse of squash, built once by integer search).
// Mixer with n inputs s_i = stretch(p_i) plus a bias input 256, weights w_i (1/65536 units):
//   d = clamp((sum w_i s_i) >> 16, -4095, 4095); p = squash(d), clamped to [1, 65535];
//   after coding bit y: e = ((y << 12) - (p >> 4)) * rate; w_i += (s_i * e) >> 14 (arithmetic shift),
//   w_i clamped to [-2^24, 2^24].
#include <algorithm>
#include <array>
#include <cstdint>

namespace tac::entropy {

inline constexpr int kLogitLimit = 4095;

inline int squash(int d) {
  static constexpr std::uint16_t kSquash[65] = {
      1,     1,     1,     1,     1,     1,     1,     1,     1,     1,     1,     2,     3,     5,     8,     13,    22,
      36,    60,    98,    162,   267,   439,   720,   1179,  1921,  3108,  4971,  7812,  11955, 17625, 24743, 32768,
      40793, 47911, 53581, 57724, 60565, 62428, 63615, 64357, 64816, 65097, 65269, 65374, 65438, 65476, 65500, 65514,
      65523, 65528, 65531, 65533, 65534, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535};
  d = std::clamp(d, -kLogitLimit, kLogitLimit) + 4096;
  const int j = d >> 7, w = d & 127;
  return std::clamp((kSquash[j] * (128 - w) + kSquash[j + 1] * w + 64) >> 7, 1, 65535);
}

inline int stretch(std::uint32_t p16) {
  static const std::array<std::int16_t, 4096> table = [] {
    std::array<std::int16_t, 4096> t{};
    int next = 0;
    for (int d = -kLogitLimit; d <= kLogitLimit && next < 4096; ++d) {
      const int v = squash(d) >> 4;
      while (next <= v && next < 4096) t[std::size_t(next++)] = static_cast<std::int16_t>(d);
    }
    while (next < 4096) t[std::size_t(next++)] = kLogitLimit;
    return t;
  }();
  return table[std::min<std::uint32_t>(p16 >> 4, 4095)];
}

// Mixes up to kMaxInputs predictions with one weight set (callers keep one set per context).
template <int kMaxInputs>
class LogisticMixer {
 public:
  LogisticMixer() = default;
  LogisticMixer(int inputs, int rate) : inputs_(inputs), rate_(rate) {
    weights_.fill(0);
    for (int i = 1; i <= inputs; ++i) weights_[std::size_t(i)] = 65536 / inputs;
  }
  // p_i in 1/65536; returns the mixed probability of a 1 in [1, 65535].
  std::uint32_t mix(const std::uint32_t* p) {
    stretched_[0] = 256;
    std::int64_t dot = std::int64_t(weights_[0]) * 256;
    for (int i = 1; i <= inputs_; ++i) {
      stretched_[std::size_t(i)] = stretch(p[i - 1]);
      dot += std::int64_t(weights_[std::size_t(i)]) * stretched_[std::size_t(i)];
    }
    p_ = squash(static_cast<int>(std::clamp<std::int64_t>(dot >> 16, -kLogitLimit, kLogitLimit)));
    return std::uint32_t(p_);
  }
  void update(int bit) {
    const int e = ((bit << 12) - (p_ >> 4)) * rate_;
    for (int i = 0; i <= inputs_; ++i) {
      const std::int64_t w = weights_[std::size_t(i)] + ((std::int64_t(stretched_[std::size_t(i)]) * e) >> 14);
      weights_[std::size_t(i)] = static_cast<std::int32_t>(std::clamp<std::int64_t>(w, -(1 << 24), 1 << 24));
    }
  }

 private:
  int inputs_ = 0, rate_ = 0, p_ = 32768;
  std::array<std::int32_t, kMaxInputs + 1> weights_{};
  std::array<int, kMaxInputs + 1> stretched_{};
};

}  // namespace tac::entropy
