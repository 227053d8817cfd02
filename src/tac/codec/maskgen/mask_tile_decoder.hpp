#pragma once
// The mask coder of the maskgen family (QMA9, `decode_payload_adaptive9bin` of the reference's
// range_mask_codec.cpp): one tile of t frames of h x w class labels (0..4), scanned frame by frame,
// row by row. Each label is coded by a cascade of adaptive binary flags "equals neighbour N?" over
// the neighbours up, left, previous frame, up-left, up-right, previous-down, previous-right, up-2,
// left-2 (in that order; class 5 stands for "outside"), then, if no flag hits, by an adaptive
// 5-ary class symbol. All models are selected by the nine neighbours' labels and driven by a
// 32-bit binary arithmetic decoder (Witten-Neal-Cleary renormalisation, 16-bit counts).
#include <cstdint>
#include <span>
#include <string>

namespace tac::codec::maskgen {

inline constexpr int kMaskClasses = 5;

struct TileDecodeStats {
  std::uint64_t contexts = 0;        // distinct neighbour contexts seen
  std::uint64_t bytes_past_end = 0;  // zero bytes the decoder read beyond the coded bytes
  std::uint64_t bytes_unread = 0;    // coded bytes the decoder never reached
};

// Decodes one tile's coded bits into `out` (t * h * w labels, frame-major, then rows). Fails as
// corrupt input (naming `source`) when the bits decode to a label outside 0..4, or when the decoder
// does not end where a complete stream ends: within its 32-bit look-ahead past the last coded byte
// (a truncated or damaged stream runs further, or stops short).
TileDecodeStats decode_mask_tile(std::span<const std::uint8_t> coded, int t, int h, int w, std::span<std::uint8_t> out,
                                 const std::string& source);

}  // namespace tac::codec::maskgen
