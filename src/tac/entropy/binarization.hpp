#pragma once
// Integers as binary decisions for the adaptive binary coder (CABAC/DeepCABAC residual coding):
//   significance  v != 0                          one context
//   sign          v < 0                           one context (skipped for unsigned values)
//   greater-than  |v| > 1, |v| > 2, ... |v| > k   one context per flag, stops at the first 0
//   remainder     |v| - 1 - k as Exp-Golomb of order g: a unary prefix (one context per prefix
//                 position, or bypass bits) and prefix + g bypass suffix bits
// Context hooks: an IntegerContexts set per (channel, order-1 class); the stream helpers pick
// the set from the channel index (values split into runs of channel_length) and the magnitude of
// the previous value in the same channel, clamped to order1_classes - 1.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/bit_model.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::entropy {

inline constexpr int kMaxGreaterFlags = 16;
inline constexpr int kMaxGolombPrefix = 40;  // positions with their own context (then shared)
inline constexpr std::size_t kMaxStreamValues = std::size_t(1) << 28;  // decode_signed_stream's cap

struct IntegerBinarization {
  int greater_flags = 2;            // k: 0 .. kMaxGreaterFlags
  int golomb_order = 0;             // g: 0 .. 16
  bool adaptive_golomb_prefix = true;
  BitRates rates;
};

struct IntegerContexts {
  explicit IntegerContexts(BitRates rates);
  BitModel significance;
  BitModel sign;
  std::array<BitModel, kMaxGreaterFlags> greater;
  std::array<BitModel, kMaxGolombPrefix> golomb_prefix;
};

// Throws ErrorKind::usage naming the bad field.
void validate(const IntegerBinarization& b);

void encode_signed(RangeEncoder& e, IntegerContexts& c, const IntegerBinarization& b, std::int32_t v);
std::int32_t decode_signed(RangeDecoder& d, IntegerContexts& c, const IntegerBinarization& b);
void encode_unsigned(RangeEncoder& e, IntegerContexts& c, const IntegerBinarization& b, std::uint32_t v);
std::uint32_t decode_unsigned(RangeDecoder& d, IntegerContexts& c, const IntegerBinarization& b);

struct IntegerStreamConfig {
  IntegerBinarization binarization;
  std::uint64_t channel_length = 0;  // values per channel (per-channel contexts); 0 = one channel
  int order1_classes = 1;            // 1 = order-0; n > 1: context by min(|previous|, n - 1)
};
void validate(const IntegerStreamConfig& config);

std::vector<std::uint8_t> encode_signed_stream(std::span<const std::int32_t> values, const IntegerStreamConfig& config);
// `count` values; `source` names the stream in errors.
std::vector<std::int32_t> decode_signed_stream(std::span<const std::uint8_t> bytes, std::size_t count,
                                               const IntegerStreamConfig& config, const std::string& source);

}  // namespace tac::entropy
