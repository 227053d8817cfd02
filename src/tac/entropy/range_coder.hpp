#pragma once
// One range coder for binary decisions (adaptive contexts, bypass bits) and multi-symbol
// frequencies, in one byte stream. Exact arithmetic (the LZMA range coder's carry scheme):
//
//   Encoder state: low (uint64, < 2^33 between steps), range (uint32), cache (uint8, the last
//   byte not yet written because a carry may still reach it), pending (count of bytes held back:
//   cache plus the 0xFF bytes after it). Start: low 0, range 2^32-1, cache 0, pending 1.
//   Binary decision with P(bit = 1) = p / 2^16, p in [1, 2^16-1]:
//       bound = (range >> 16) * p;   bit 1: range = bound;   bit 0: low += bound, range -= bound.
//   Bypass bit: bound = range >> 1, same rule.
//   Multi-symbol with cumulative frequency cum, frequency f, total T <= 2^16:
//       r = range / T;   low += r * cum;   range = r * f   (the remainder range - r*T is unused).
//   Renormalization after every step: while range < 2^24 { range <<= 8; shift_low(); }.
//   shift_low: if low < 0xFF000000 or low >= 2^32 (a carry), write cache + carry, then
//   pending-1 bytes of 0xFF + carry (0xFF or 0x00), cache = bits 24..31 of low, pending = 0;
//   then pending += 1 and low = (low & 0x00FFFFFF) << 8.
//   Finish: five shift_low calls. The first byte written is always 0 and is dropped, so a stream
//   costs (number of renormalization shifts) + 4 bytes.
//   Decoder: code = first 4 bytes big-endian (code < range or the stream is corrupt), range
//   2^32-1; decisions mirror the encoder (bit 1 iff code < bound; else code -= bound); renormalize
//   with code = (code << 8) | next byte. A valid stream is never read past its end, so a read past
//   the end is corrupt input, as is a multi-symbol value code / r >= T.
// range >= 2^24 after renormalization keeps (range >> 16) >= 256, so both sides of every binary
// split are non-empty for any p in [1, 2^16-1], and r >= 256 for any T <= 2^16.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/core/error.hpp"
#include "tac/entropy/bit_model.hpp"

namespace tac::entropy {

inline constexpr std::uint32_t kRangeTop = 1u << 24;
inline constexpr std::uint32_t kMaxFrequencyTotal = 1u << 16;

class RangeEncoder {
 public:
  RangeEncoder() { out_.reserve(1024); }

  void encode_bit_probability(std::uint32_t p1, int bit) {
    const std::uint32_t bound = (range_ >> 16) * p1;
    if (bit) {
      range_ = bound;
    } else {
      low_ += bound;
      range_ -= bound;
    }
    normalize();
  }
  void encode_bit(BitModel& model, int bit) {
    encode_bit_probability(model.p1(), bit);
    model.update(bit);
  }
  // The low `count` bits of `value`, most significant first, each with probability 1/2.
  void encode_bypass(std::uint32_t value, int count) {
    for (int i = count - 1; i >= 0; --i) {
      range_ >>= 1;
      if ((value >> i) & 1) low_ += range_;
      normalize();
    }
  }
  void encode_frequency(std::uint32_t cum, std::uint32_t freq, std::uint32_t total) {
    const std::uint32_t r = range_ / total;
    low_ += std::uint64_t(r) * cum;
    range_ = r * freq;
    normalize();
  }
  // Flushes and returns the stream; the encoder is spent afterwards.
  std::vector<std::uint8_t> finish() {
    for (int i = 0; i < 5; ++i) shift_low();
    out_.erase(out_.begin());  // always 0 (see the header comment)
    return std::move(out_);
  }

 private:
  void normalize() {
    while (range_ < kRangeTop) {
      range_ <<= 8;
      shift_low();
    }
  }
  void shift_low() {
    if (static_cast<std::uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      const std::uint8_t carry = static_cast<std::uint8_t>(low_ >> 32);
      std::uint8_t byte = cache_;
      do {
        out_.push_back(static_cast<std::uint8_t>(byte + carry));
        byte = 0xFF;
      } while (--pending_ != 0);
      cache_ = static_cast<std::uint8_t>(low_ >> 24);
    }
    ++pending_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  std::uint64_t low_ = 0;
  std::uint32_t range_ = 0xFFFFFFFFu;
  std::uint8_t cache_ = 0;
  std::uint64_t pending_ = 1;
  std::vector<std::uint8_t> out_;
};

class RangeDecoder {
 public:
  // `source` names the stream in errors.
  RangeDecoder(std::span<const std::uint8_t> bytes, std::string source)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()), source_(std::move(source)) {
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next_byte();
    if (code_ == 0xFFFFFFFFu) fail(ErrorKind::corrupt_input, "{}: range coder stream starts out of range", source_);
  }

  int decode_bit_probability(std::uint32_t p1) {
    const std::uint32_t bound = (range_ >> 16) * p1;
    int bit;
    if (code_ < bound) {
      range_ = bound;
      bit = 1;
    } else {
      code_ -= bound;
      range_ -= bound;
      bit = 0;
    }
    normalize();
    return bit;
  }
  int decode_bit(BitModel& model) {
    const int bit = decode_bit_probability(model.p1());
    model.update(bit);
    return bit;
  }
  std::uint32_t decode_bypass(int count) {
    std::uint32_t value = 0;
    for (int i = 0; i < count; ++i) {
      range_ >>= 1;
      const std::uint32_t bit = code_ >= range_ ? 1u : 0u;
      if (bit) code_ -= range_;
      // An odd range loses its last unit when halved: only a corrupt stream lands there.
      if (code_ >= range_) fail(ErrorKind::corrupt_input, "{}: range coder bypass bit out of range", source_);
      value = (value << 1) | bit;
      normalize();
    }
    return value;
  }
  // Returns the value in [0, total) that locates the next symbol; the caller maps it to a
  // symbol (cum <= value < cum + freq) and then calls consume_frequency.
  std::uint32_t decode_frequency_value(std::uint32_t total) {
    r_ = range_ / total;
    const std::uint32_t value = code_ / r_;
    if (value >= total)
      fail(ErrorKind::corrupt_input, "{}: range coder value outside the frequency table", source_);
    return value;
  }
  void consume_frequency(std::uint32_t cum, std::uint32_t freq) {
    code_ -= r_ * cum;
    range_ = r_ * freq;
    normalize();
  }
  // Bytes not read (a valid stream ends with none).
  std::size_t unread() const { return static_cast<std::size_t>(end_ - p_); }
  const std::string& source() const { return source_; }

 private:
  std::uint32_t next_byte() {
    if (p_ == end_) fail(ErrorKind::corrupt_input, "{}: range coder stream is truncated", source_);
    return *p_++;
  }
  void normalize() {
    while (range_ < kRangeTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | next_byte();
    }
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::string source_;
  std::uint32_t code_ = 0;
  std::uint32_t range_ = 0xFFFFFFFFu;
  std::uint32_t r_ = 1;
};

}  // namespace tac::entropy
