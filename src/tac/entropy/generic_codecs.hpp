#pragma once
// General-purpose back ends, wrapped (never re-implemented): brotli, zstd (with dictionaries), xz
// and raw LZMA1. Every decoder is told the exact decoded size (the caller stores it) and fails
// as corrupt input if the stream is damaged, decodes to another size or leaves trailing bytes;
// sizes past limits.hpp fail as limit_exceeded. `source` names the stream in errors.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::entropy {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

struct BrotliSettings {
  int quality = 11;  // 0 .. 11
  int window = 24;   // lgwin 10 .. 24
};
Bytes brotli_compress(ByteSpan in, const BrotliSettings& settings);
Bytes brotli_decompress(ByteSpan in, std::size_t size, const std::string& source);

struct ZstdSettings {
  int level = 19;       // 1 .. 22
  int window_log = 0;   // 0 = the level's default, else 10 .. kMaxZstdWindowLog
  bool long_distance = false;
};
// `dictionary` may be empty; the decoder must be given the same one.
Bytes zstd_compress(ByteSpan in, const ZstdSettings& settings, ByteSpan dictionary = {});
Bytes zstd_decompress(ByteSpan in, std::size_t size, const std::string& source, ByteSpan dictionary = {});
// A dictionary trained on samples (ZDICT_trainFromBuffer); fails as usage if zstd cannot train one.
Bytes zstd_train_dictionary(const std::vector<Bytes>& samples, std::size_t capacity);

// .xz container (xz -N / -Ne), no integrity check inside (the packet container has its CRC).
struct XzSettings {
  int preset = 9;  // 0 .. 9
  bool extreme = true;
};
Bytes xz_compress(ByteSpan in, const XzSettings& settings);
Bytes xz_decompress(ByteSpan in, std::size_t size, const std::string& source);

// Raw LZMA1 without an end marker (LZMA_FILTER_LZMA1EXT; the size is stored by the caller).
// lc + lp <= 4, pb <= 4; the dictionary is clamped to the input size (>= 4 KiB) when encoding.
struct LzmaSettings {
  int preset = 9;
  bool extreme = true;
  int lc = 3, lp = 0, pb = 2;
  std::uint32_t dictionary = 1u << 26;
};
// The settings the decoder needs (lc, lp, pb and the dictionary size actually used) are
// returned in `used`.
Bytes lzma1_compress(ByteSpan in, const LzmaSettings& settings, LzmaSettings* used = nullptr);
Bytes lzma1_decompress(ByteSpan in, std::size_t size, const LzmaSettings& settings, const std::string& source);

}  // namespace tac::entropy
