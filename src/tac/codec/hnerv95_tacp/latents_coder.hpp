#pragma once
// The quantized latents of an hnerv95 archive: N x D uint8 values q (row-major) with per-dimension
// f16 min and scale kept as stored. Two coders; search_latents keeps the smaller stream:
//
// Stream: u8 method, ULEB128 N, ULEB128 D, then the method's body.
// method 0, binarized: per-dimension AR(1) prediction and an adaptive binarized residual coder:
//   pred(0, d)  = mu_d
//   pred(n, d)  = clamp(mu_d + ((a_d * (q(n-1, d) - mu_d) + 2^(S-1)) >> S), 0, 255)   (int32, >> floors)
//   r(n, d)     = q(n, d) - pred(n, d)  in [-255, 255]
//   mu_d (u8) and a_d (i8) per dimension, S = kLatentShift. Each r is coded with
//   entropy::encode_signed (significance, sign, k greater-than flags, Exp-Golomb of order g) in a
//   context set chosen by dimension (when per_dimension) and by the bit length of the previous
//   residual of the same dimension, clamped to classes - 1.
//   Body: D x u16 mins, D x u16 scales (the f16 bits as stored), u8 k, u8 g, u8 fast rate,
//   u8 slow rate, u8 flags (bit 0 warm-up, bit 1 per dimension), u8 classes; D x (u8 mu, i8 a);
//   then the range-coder stream of the N x D residuals, row-major.
// method 1, parametric: AR(2) and a static discretized density per dimension
//   (latents_parametric.hpp).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/bit_model.hpp"

namespace tac::codec::hnerv95_tacp {

inline constexpr int kLatentShift = 6;
// 2^22 cells (the real archive: 16,800): bounds the parametric decoder's work on hostile sizes.
inline constexpr std::uint64_t kMaxLatentCells = std::uint64_t(1) << 22;

struct QuantizedLatents {
  std::uint32_t n = 0, d = 0;
  std::vector<std::uint16_t> mins, scales;  // f16 bits, d each
  std::vector<std::uint8_t> q;              // n x d
  bool operator==(const QuantizedLatents&) const = default;
};

struct LatentCoderSettings {
  int greater_flags = 4;
  int golomb_order = 1;
  entropy::BitRates rates{4, 7, true};
  bool per_dimension = true;
  int classes = 1;  // 1 .. 8

};

struct LatentPredictor {
  std::vector<std::uint8_t> mu;
  std::vector<std::int8_t> a;
};

// Per dimension, the (mu, a) that minimize the sum of |r| (a deterministic grid search).
LatentPredictor fit_latent_predictor(const QuantizedLatents& latents);

// Method 0 with the given settings.
std::vector<std::uint8_t> encode_latents(const QuantizedLatents& latents, const LatentPredictor& predictor,
                                         const LatentCoderSettings& settings);
// Method 1 (the parameters fitted by search_parametric_body).
std::vector<std::uint8_t> encode_latents_parametric(const QuantizedLatents& latents);
QuantizedLatents decode_latents(std::span<const std::uint8_t> stream, const std::string& source);

struct LatentSearch {
  std::vector<std::uint8_t> stream;
  std::string choice;  // the method and settings kept, in words
  std::size_t tried = 0;
};
// Every setting of a fixed grid of both methods; the smallest stream (the first on ties).
LatentSearch search_latents(const QuantizedLatents& latents);

// The raw hnerv95 latents section (u32 N, u32 D, f16 mins, f16 scales, zigzag int16 deltas in
// low/high byte planes) <-> QuantizedLatents. from_raw refuses a malformed section
// (corrupt_input naming `source`); to_raw writes the canonical deltas (q(n) - q(n-1) in -255..255,
// row 0 the value itself), whose running uint8 sums give back q.
QuantizedLatents latents_from_raw(std::span<const std::uint8_t> raw, const std::string& source);
std::vector<std::uint8_t> latents_to_raw(const QuantizedLatents& latents);

}  // namespace tac::codec::hnerv95_tacp
