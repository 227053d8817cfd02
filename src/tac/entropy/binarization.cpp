#include "tac/entropy/binarization.hpp"

#include <algorithm>
#include <cstdlib>

namespace tac::entropy {

IntegerContexts::IntegerContexts(BitRates rates) : significance(rates), sign(rates) {
  for (auto& m : greater) m = BitModel(rates);
  for (auto& m : golomb_prefix) m = BitModel(rates);
}

void validate(const IntegerBinarization& b) {
  if (b.greater_flags < 0 || b.greater_flags > kMaxGreaterFlags)
    fail(ErrorKind::usage, "binarization: greater_flags {} is not in 0..{}", b.greater_flags, kMaxGreaterFlags);
  if (b.golomb_order < 0 || b.golomb_order > 16)
    fail(ErrorKind::usage, "binarization: golomb_order {} is not in 0..16", b.golomb_order);
  validate(b.rates);
}

void validate(const IntegerStreamConfig& c) {
  validate(c.binarization);
  if (c.order1_classes < 1 || c.order1_classes > 64)
    fail(ErrorKind::usage, "integer stream: order1_classes {} is not in 1..64", c.order1_classes);
}

namespace {

// Exp-Golomb of order g: while m >= 2^g { 1; m -= 2^g; g++ } 0; then g bits of m.
void encode_golomb(RangeEncoder& e, IntegerContexts& c, const IntegerBinarization& b, std::uint64_t m) {
  int g = b.golomb_order;
  int position = 0;
  auto prefix_bit = [&](int bit) {
    if (b.adaptive_golomb_prefix)
      e.encode_bit(c.golomb_prefix[std::min(position, kMaxGolombPrefix - 1)], bit);
    else
      e.encode_bypass(static_cast<std::uint32_t>(bit), 1);
    ++position;
  };
  while (m >= (std::uint64_t(1) << g)) {
    prefix_bit(1);
    m -= std::uint64_t(1) << g;
    ++g;
  }
  prefix_bit(0);
  if (g > 16) {
    e.encode_bypass(static_cast<std::uint32_t>(m >> 16), g - 16);
    e.encode_bypass(static_cast<std::uint32_t>(m & 0xFFFF), 16);
  } else {
    e.encode_bypass(static_cast<std::uint32_t>(m), g);
  }
}

std::uint64_t decode_golomb(RangeDecoder& d, IntegerContexts& c, const IntegerBinarization& b) {
  int g = b.golomb_order;
  std::uint64_t m = 0;
  for (int position = 0;; ++position) {
    const int bit = b.adaptive_golomb_prefix ? d.decode_bit(c.golomb_prefix[std::min(position, kMaxGolombPrefix - 1)])
                                             : static_cast<int>(d.decode_bypass(1));
    if (!bit) break;
    // Values fit 32 bits: a prefix that runs past 33 - order positions is corrupt.
    if (g >= 33) fail(ErrorKind::corrupt_input, "{}: Exp-Golomb prefix too long", d.source());
    m += std::uint64_t(1) << g;
    ++g;
  }
  if (g > 16) {
    const std::uint64_t high = d.decode_bypass(g - 16);
    m += (high << 16) | d.decode_bypass(16);
  } else {
    m += d.decode_bypass(g);
  }
  return m;
}

// |v| - 1 after significance, with the greater-than flags and the Exp-Golomb remainder.
void encode_magnitude(RangeEncoder& e, IntegerContexts& c, const IntegerBinarization& b, std::uint64_t m) {
  for (int i = 0; i < b.greater_flags; ++i) {
    const int more = m > std::uint64_t(i) ? 1 : 0;
    e.encode_bit(c.greater[i], more);
    if (!more) return;
  }
  encode_golomb(e, c, b, m - std::uint64_t(b.greater_flags));
}

std::uint64_t decode_magnitude(RangeDecoder& d, IntegerContexts& c, const IntegerBinarization& b) {
  for (int i = 0; i < b.greater_flags; ++i)
    if (!d.decode_bit(c.greater[i])) return std::uint64_t(i);
  return std::uint64_t(b.greater_flags) + decode_golomb(d, c, b);
}

}  // namespace

void encode_unsigned(RangeEncoder& e, IntegerContexts& c, const IntegerBinarization& b, std::uint32_t v) {
  e.encode_bit(c.significance, v != 0);
  if (v != 0) encode_magnitude(e, c, b, std::uint64_t(v) - 1);
}

std::uint32_t decode_unsigned(RangeDecoder& d, IntegerContexts& c, const IntegerBinarization& b) {
  if (!d.decode_bit(c.significance)) return 0;
  const std::uint64_t m = decode_magnitude(d, c, b);
  if (m > 0xFFFFFFFEull) fail(ErrorKind::corrupt_input, "{}: integer exceeds 32 bits", d.source());
  return static_cast<std::uint32_t>(m + 1);
}

void encode_signed(RangeEncoder& e, IntegerContexts& c, const IntegerBinarization& b, std::int32_t v) {
  e.encode_bit(c.significance, v != 0);
  if (v == 0) return;
  e.encode_bit(c.sign, v < 0);
  const std::uint64_t magnitude = v < 0 ? std::uint64_t(-std::int64_t(v)) : std::uint64_t(v);
  encode_magnitude(e, c, b, magnitude - 1);
}

std::int32_t decode_signed(RangeDecoder& d, IntegerContexts& c, const IntegerBinarization& b) {
  if (!d.decode_bit(c.significance)) return 0;
  const bool negative = d.decode_bit(c.sign);
  const std::uint64_t magnitude = decode_magnitude(d, c, b) + 1;
  // int32 holds -2^31 .. 2^31 - 1.
  if (magnitude > (negative ? 0x80000000ull : 0x7FFFFFFFull))
    fail(ErrorKind::corrupt_input, "{}: integer exceeds 32 bits", d.source());
  return negative ? static_cast<std::int32_t>(-std::int64_t(magnitude)) : static_cast<std::int32_t>(magnitude);
}

namespace {

// Context sets for a stream: channel-major, order1_classes per channel.
struct StreamContexts {
  StreamContexts(std::size_t count, const IntegerStreamConfig& c) : config(c) {
    validate(c);
    const std::size_t channels =
        c.channel_length == 0 ? 1 : std::max<std::size_t>(1, (count + c.channel_length - 1) / c.channel_length);
    sets.assign(channels * std::size_t(c.order1_classes), IntegerContexts(c.binarization.rates));
  }
  IntegerContexts& select(std::size_t index, std::int32_t previous) {
    const std::size_t channel = config.channel_length == 0 ? 0 : index / config.channel_length;
    const std::uint64_t magnitude = previous < 0 ? std::uint64_t(-std::int64_t(previous)) : std::uint64_t(previous);
    const std::size_t cls = std::min<std::uint64_t>(magnitude, std::uint64_t(config.order1_classes - 1));
    return sets[channel * std::size_t(config.order1_classes) + cls];
  }
  bool channel_start(std::size_t index) const {
    return config.channel_length != 0 && index % config.channel_length == 0;
  }
  const IntegerStreamConfig& config;
  std::vector<IntegerContexts> sets;
};

}  // namespace

std::vector<std::uint8_t> encode_signed_stream(std::span<const std::int32_t> values, const IntegerStreamConfig& config) {
  StreamContexts contexts(values.size(), config);
  RangeEncoder e;
  std::int32_t previous = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (contexts.channel_start(i)) previous = 0;
    encode_signed(e, contexts.select(i, previous), config.binarization, values[i]);
    previous = values[i];
  }
  return e.finish();
}

std::vector<std::int32_t> decode_signed_stream(std::span<const std::uint8_t> bytes, std::size_t count,
                                               const IntegerStreamConfig& config, const std::string& source) {
  if (count > kMaxStreamValues)
    fail(ErrorKind::limit_exceeded, "{}: {} values exceed the limit of {}", source, count, kMaxStreamValues);
  StreamContexts contexts(count, config);
  RangeDecoder d(bytes, source);
  std::vector<std::int32_t> out(count);
  std::int32_t previous = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (contexts.channel_start(i)) previous = 0;
    out[i] = decode_signed(d, contexts.select(i, previous), config.binarization);
    previous = out[i];
  }
  return out;
}

}  // namespace tac::entropy
