#pragma once
// htscodecs (Debian libhtscodecs-dev, the CRAM 3.1 codecs), wrapped: the static rANS coder with
// 16-bit renormalization and its frequency table in the stream (rans_compress_4x16: order 0 or 1,
// 4- or 32-way interleaved, optional RLE / bit-packing / striping), and the adaptive arithmetic
// coder (arith_compress: order 0 or 1). Flags are htscodecs' own RANS_ORDER_* bits; the stream
// stores them, so the decoder needs only the bytes and the expected size.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::entropy {

// order: 0 or 1, optionally | 0x04 (X32) | 0x40 (RLE) | 0x80 (PACK).
std::vector<std::uint8_t> rans_compress(std::span<const std::uint8_t> in, int order);
std::vector<std::uint8_t> rans_decompress(std::span<const std::uint8_t> in, std::size_t size, const std::string& source);

// order: 0 or 1, optionally | 0x40 (RLE) | 0x80 (PACK).
std::vector<std::uint8_t> arith_compress(std::span<const std::uint8_t> in, int order);
std::vector<std::uint8_t> arith_decompress(std::span<const std::uint8_t> in, std::size_t size, const std::string& source);

}  // namespace tac::entropy
