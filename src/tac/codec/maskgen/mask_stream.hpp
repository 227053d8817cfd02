#pragma once
// The mask record of the maskgen family: `u32 n_chunks` (22), then per chunk `u32 size` + bytes.
// A chunk is `QMA9`, u32 t, u32 h, u32 w, u32 coded_bytes, then the coded bits of one tile (see
// mask_tile_decoder.hpp). The masks (600 x 384 x 512 labels) are coded transposed, as
// (t, x, y) = 600 x 512 x 384, cut into 4 bands of 128 x-columns; band i is split along y into
// 3, 8, 8, 3 equal tiles; chunks run band by band. Each tile was flipped before coding by a fixed
// transform (reversing time, x and/or y), undone here.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::codec::maskgen {

inline constexpr int kPairs = 600;    // one mask and one pose per pair of frames
inline constexpr int kMaskH = 384;
inline constexpr int kMaskW = 512;
inline constexpr std::size_t kMaskPixels = std::size_t{kMaskH} * kMaskW;

struct MaskChunk {
  std::uint64_t offset = 0;  // of the chunk's u32 size, within the mask record
  int band = 0, part = 0;    // x band (0..3) and y part within it
  int t = 0, h = 0, w = 0;   // tile shape as coded
  std::span<const std::uint8_t> coded;
  std::uint64_t stored_bytes() const { return 4 + 20 + coded.size(); }
};

// Parses the chunk table, checking the count, every length and every tile header against the fixed
// geometry (corrupt_input naming `source` and the chunk otherwise).
std::vector<MaskChunk> parse_mask_chunks(std::span<const std::uint8_t> record, const std::string& source);

// All masks, pair-major then rows: labels 0..4 (kPairs * kMaskPixels bytes).
struct MaskDecodeStats {
  double seconds = 0;
  std::uint64_t contexts = 0;  // summed over tiles
};
std::vector<std::uint8_t> decode_masks(std::span<const std::uint8_t> record, const std::string& source, int threads,
                                       MaskDecodeStats* stats = nullptr);

}  // namespace tac::codec::maskgen
