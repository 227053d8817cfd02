#include "tac/codec/maskgen/mask_tile_decoder.hpp"

#include <algorithm>
#include <vector>

#include "tac/codec/maskgen/arithmetic_decoder.hpp"
#include "tac/codec/maskgen/mask_context_table.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

// A frame with a border of kOutside labels (2 rows above, 1 below, 2 columns left, 1 right), so
// every neighbour read is in bounds without a branch.
class PaddedFrame {
 public:
  PaddedFrame(int h, int w) : stride_(w + 3), cells_(std::size_t(h + 3) * (w + 3), kOutside) {}
  std::uint8_t* row(int y) { return cells_.data() + std::size_t(y + 2) * stride_ + 2; }
  int stride() const { return stride_; }

 private:
  int stride_;
  std::vector<std::uint8_t> cells_;
};

// Bytes the decoder may read past the end of a complete stream: its 32-bit look-ahead.
constexpr std::uint64_t kLookaheadBytes = 4;

// The scan: frame by frame, row by row, the flag cascade then the fallback class symbol.
void decode_labels(ArithmeticDecoder& dec, ContextTable& table, int t, int h, int w, std::uint8_t* o) {
  PaddedFrame a(h, w), b(h, w);
  PaddedFrame* prev = &a;  // all kOutside before the first frame
  PaddedFrame* cur = &b;
  const int s = cur->stride();
  std::array<std::uint8_t, kCascade> n;
  for (int f = 0; f < t; ++f) {
    for (int y = 0; y < h; ++y) {
      std::uint8_t* c = cur->row(y);
      const std::uint8_t* p = prev->row(y);
      for (int x = 0; x < w; ++x) {
        n = {c[x - s], c[x - 1], p[x], c[x - s - 1], c[x - s + 1], p[x + s], p[x + 1], c[x - 2 * s], c[x - 2]};
        ContextModels& m = table.at(context_key(n), n);
        int k = 0;
        while (k < kCascade && !dec.binary(m.flag[k])) ++k;
        const std::uint8_t label = k < kCascade ? n[k] : static_cast<std::uint8_t>(dec.symbol(m.label));
        c[x] = label;
        *o++ = label;
      }
    }
    std::swap(prev, cur);
  }
}

}  // namespace

TileDecodeStats decode_mask_tile(std::span<const std::uint8_t> coded, int t, int h, int w, std::span<std::uint8_t> out,
                                 const std::string& source) {
  if (t <= 0 || h <= 0 || w <= 0 || out.size() != std::size_t(t) * h * w)
    fail(ErrorKind::internal, "{}: tile buffer of {} bytes does not fit {}x{}x{}", source, out.size(), t, h, w);
  ArithmeticDecoder dec(coded);
  ContextTable table;
  try {
    decode_labels(dec, table, t, h, w, out.data());
  } catch (const Error& e) {
    fail(e.kind(), "{}: {}", source, e.what());  // name the tile
  }
  // A flag can only pick an outside neighbour if the bits are damaged (its count starts at 1 in 60001).
  if (std::any_of(out.begin(), out.end(), [](std::uint8_t v) { return v >= kMaskClasses; }))
    fail(ErrorKind::corrupt_input, "{}: the coded mask bits are damaged (they decode a label outside 0..4)", source);
  if (dec.bytes_past_end() > kLookaheadBytes)
    fail(ErrorKind::corrupt_input, "{}: the coded mask bits end early (the decoder needed {} bytes past the {} present)",
         source, dec.bytes_past_end(), coded.size());
  if (dec.bytes_unread() > 0)
    fail(ErrorKind::corrupt_input, "{}: the coded mask bits are damaged (decoding ended {} bytes before their end)",
         source, dec.bytes_unread());
  return {table.size(), dec.bytes_past_end(), dec.bytes_unread()};
}

}  // namespace tac::codec::maskgen
