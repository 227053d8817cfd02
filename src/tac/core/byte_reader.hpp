#pragma once
// One checked reader for outside bytes (zip, safetensors, archive sections, packets): every read
// is bounds-checked by default and a short read fails as corrupt input naming the source, the
// field and the offset (FFmpeg's GetByteContext). Unchecked reads exist only behind an explicit
// check: `auto block = reader.block(n, "field")` checks n bytes once and hands back an
// UncheckedBlock whose reads are free of checks (for hot loops over a known-size record).
// Little-endian unless the name says _be.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "tac/core/error.hpp"

namespace tac {

// n bytes already known to be present: reads without checks, in order.
class UncheckedBlock {
 public:
  explicit UncheckedBlock(std::span<const std::uint8_t> bytes) : b_(bytes) {}
  std::uint8_t u8() { return b_[pos_++]; }
  std::uint16_t u16() {
    const std::uint16_t v = static_cast<std::uint16_t>(b_[pos_] | (b_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    const std::uint32_t v = std::uint32_t(b_[pos_]) | (std::uint32_t(b_[pos_ + 1]) << 8) |
                            (std::uint32_t(b_[pos_ + 2]) << 16) | (std::uint32_t(b_[pos_ + 3]) << 24);
    pos_ += 4;
    return v;
  }
  std::uint64_t u64() {
    const std::uint64_t lo = u32();
    return lo | (std::uint64_t(u32()) << 32);
  }
  float f32() {
    const std::uint32_t bits = u32();
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    auto s = b_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::size_t pos() const { return pos_; }
  std::size_t size() const { return b_.size(); }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
};

class ByteReader {
 public:
  // `source` names the bytes in errors, e.g. "archive.zip: member 0.bin".
  ByteReader(std::span<const std::uint8_t> bytes, std::string source)
      : b_(bytes), source_(std::move(source)) {}

  std::size_t size() const { return b_.size(); }
  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return b_.size() - pos_; }
  bool at_end() const { return pos_ == b_.size(); }
  const std::string& source() const { return source_; }
  std::span<const std::uint8_t> bytes() const { return b_; }

  // Fails as corrupt input unless n more bytes are present.
  void need(std::uint64_t n, std::string_view field) const {
    if (n > remaining())
      fail(ErrorKind::corrupt_input, "{}: {} needs {} bytes but only {} remain (offset {})", source_, field, n,
           remaining(), pos_);
  }
  // The checked door to unchecked reads: n bytes, checked once, consumed from this reader.
  UncheckedBlock block(std::uint64_t n, std::string_view field) { return UncheckedBlock(take(n, field)); }

  std::uint8_t u8(std::string_view field) { return block(1, field).u8(); }
  std::uint16_t u16(std::string_view field) { return block(2, field).u16(); }
  std::uint32_t u32(std::string_view field) { return block(4, field).u32(); }
  std::uint64_t u64(std::string_view field) { return block(8, field).u64(); }
  float f32(std::string_view field) { return block(4, field).f32(); }
  std::uint32_t u32_be(std::string_view field) {
    auto s = take(4, field);
    return (std::uint32_t(s[0]) << 24) | (std::uint32_t(s[1]) << 16) | (std::uint32_t(s[2]) << 8) | s[3];
  }
  // ULEB128 (at most 10 bytes; values past 64 bits are corrupt).
  std::uint64_t uleb128(std::string_view field) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t byte = u8(field);
      if (shift == 63 && (byte & 0x7E) != 0)
        fail(ErrorKind::corrupt_input, "{}: {} overflows 64 bits (offset {})", source_, field, pos_ - 1);
      v |= std::uint64_t(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    fail(ErrorKind::corrupt_input, "{}: {} is longer than 10 bytes (offset {})", source_, field, pos_);
  }

  std::span<const std::uint8_t> take(std::uint64_t n, std::string_view field) {
    need(n, field);
    auto s = b_.subspan(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  std::string_view text(std::uint64_t n, std::string_view field) {
    auto s = take(n, field);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }
  void skip(std::uint64_t n, std::string_view field) { take(n, field); }
  // Moves to an absolute offset (<= size).
  void seek(std::uint64_t offset, std::string_view field) {
    if (offset > b_.size())
      fail(ErrorKind::corrupt_input, "{}: {} points to offset {} past the end ({} bytes)", source_, field, offset,
           b_.size());
    pos_ = static_cast<std::size_t>(offset);
  }
  // A reader over the next n bytes (consumed here), naming `field` in its errors.
  ByteReader sub(std::uint64_t n, std::string_view field) {
    const std::size_t at = pos_;
    auto s = take(n, field);
    return ByteReader(s, fmt::format("{}: {} (at offset {})", source_, field, at));
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
  std::string source_;
};

}  // namespace tac
