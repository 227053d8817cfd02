#pragma once
// The coders a packet section can name, by a one-byte tag, with the parameters its decoder needs
// (stored in the section entry). Encoder-only choices (brotli quality, xz preset, ...) are not
// stored: any setting decodes with the same decoder.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/core/byte_reader.hpp"
#include "tac/entropy/bit_model.hpp"
#include "tac/entropy/generic_codecs.hpp"

namespace tac::container {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

enum class CodecTag : std::uint8_t {
  raw = 0,             // stored as is
  brotli = 1,
  zstd = 2,
  xz = 3,
  lzma1 = 4,           // params: lc, lp, pb (u8 each), dictionary size (ULEB128)
  rans = 5,            // htscodecs rANS 4x16 (order flags in-stream)
  arith = 6,           // htscodecs adaptive arithmetic (order flags in-stream)
  adaptive_bytes = 7,  // tac range coder, multi-symbol: params order (u8), increment, limit, prior (ULEB128)
  binary_bytes = 8,    // tac range coder, binary tree: params order, fast rate, slow rate, warm-up (u8 each)
  huffman_bytes = 9,   // tac static canonical Huffman, order 0 (table in the payload; no params)
};
// Tags are stored in packets: append new ones, never renumber.

// One coder with its settings (the union of what every tag needs; each tag reads its fields).
struct CodecSpec {
  CodecTag tag = CodecTag::raw;
  entropy::BrotliSettings brotli;
  entropy::ZstdSettings zstd;
  entropy::XzSettings xz;
  entropy::LzmaSettings lzma;
  int hts_order = 0;  // rans / arith flags
  int order = 0;      // adaptive_bytes / binary_bytes: 0 or 1
  std::uint32_t increment = 24, limit = 1u << 16, prior = 1;
  entropy::BitRates rates;
};

struct EncodedSection {
  Bytes params;   // what the decoder needs, stored in the section entry
  Bytes payload;
};

const char* codec_name(CodecTag tag);
bool known_codec(std::uint8_t tag);
EncodedSection encode_with(const CodecSpec& spec, ByteSpan data);
// `params` as written by encode_with; `source` names the section in errors.
Bytes decode_with(CodecTag tag, ByteSpan params, ByteSpan payload, std::size_t size, const std::string& source);

}  // namespace tac::container
