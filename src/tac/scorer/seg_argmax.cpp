#include "tac/scorer/seg_argmax.hpp"

#include <cmath>

namespace tac::scorer {

void seg_argmax_nhwc(const float* logits, std::int64_t pixels, int classes, std::uint8_t* out) {
  for (std::int64_t p = 0; p < pixels; ++p) {
    const float* v = logits + p * classes;
    float best = v[0];
    int index = 0;
    for (int c = 1; c < classes && !std::isnan(best); ++c) {
      if (v[c] > best || std::isnan(v[c])) {
        best = v[c];
        index = c;
      }
    }
    out[p] = static_cast<std::uint8_t>(index);
  }
}

}  // namespace tac::scorer
