#pragma once
// Static canonical Huffman coder for whole byte buffers, order 0, with its code-length table in
// the stream. The decoded size n is not stored: the caller (container, profile) stores it and
// passes it back, as for the other byte coders.
//
// Code lengths: optimal length-limited codes by package-merge (huffman_code_lengths.hpp) with
// every length <= 12. The limit is 12, not 15, so that the decoder is one lookup in a 2^12-entry
// table (8 KiB, in L1) per symbol. It costs little on byte data: a symbol of probability below
// 2^-12 pays at most a few bits more, and the package-merge lengths stay optimal under the limit.
// Codes: canonical (huffman_code_lengths.hpp: equal lengths consecutive in symbol order, shorter
// lengths first).
//
// Stream = table, then payload. An empty input (n = 0) is the empty stream.
//
// Table: 4-bit nibbles, the high nibble of each byte first, giving the lengths of symbols 0..255
// in order; reading stops as soon as all 256 are known:
//     1..12      the next symbol's code length;
//     0          one absent symbol (length 0);
//     14, a, b   a run of 16 * a + b + 1 absent symbols (1..256);
//     15         every remaining symbol is absent;
//     13         refused (a length above 12).
// When the table ends on a high nibble, the low nibble of that byte is 0 (refused otherwise).
// The encoder writes 15 for a run of absent symbols that reaches symbol 255, nibbles 0 for a
// shorter run of 1..3, and 14, a, b for a longer one. Examples: all 256 symbols present = 128
// bytes; symbols 0..63 present = 65 nibbles = 33 bytes; one symbol present = at most 3 bytes.
// Checks: at least one symbol is present, a run never passes symbol 255, and
//   one present symbol: its length is 1, and the payload is empty (the output is n copies of it:
//     a 0-bit code is not decodable, so this case is explicit and costs no payload at all);
//   two or more: the lengths meet Kraft with equality, sum of 2^(12 - length) = 2^12. Both
//     over-subscribed (not a prefix code) and incomplete tables are refused, so every 12-bit
//     window of a valid payload decodes to a symbol.
//
// Payload: the n codes in order, each code most significant bit first, packed from the most
// significant bit of each byte (MSB-first), the last byte padded with 0 bits. Its length is
// exactly ceil(sum of the n code lengths / 8) bytes: a missing byte is truncation, an extra one
// or a nonzero pad bit is corrupt input (trailing garbage).
//
// Decoder: a 4096-entry table indexed by the next 12 payload bits gives (symbol, length). The
// hot loop keeps a 64-bit MSB-first bit buffer refilled with one unaligned big-endian 8-byte
// load to >= 56 valid bits, then decodes 4 symbols (<= 48 bits) without checks, while 8 bytes
// remain; the last bytes are decoded from a zero-padded copy, and a code that ends past the real
// end is truncation. Before allocating, a declared n above kMaxDecodedBytes is limit_exceeded and
// an n the payload cannot hold (n * shortest length > payload bits) is corrupt input.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/huffman_code_lengths.hpp"

namespace tac::entropy {

inline constexpr int kHuffmanMaxLength = 12;

std::vector<std::uint8_t> encode_bytes_huffman(std::span<const std::uint8_t> bytes);
// `source` names the stream in errors (corrupt_input, limit_exceeded).
std::vector<std::uint8_t> decode_bytes_huffman(std::span<const std::uint8_t> stream, std::size_t size,
                                               const std::string& source);

// The code lengths the encoder uses for these bytes (length <= kHuffmanMaxLength).
HuffmanLengths huffman_lengths_for(std::span<const std::uint8_t> bytes);

}  // namespace tac::entropy
