#pragma once
// SegNet class map from logits: torch.argmax over the class axis (scorer_architecture.md §4):
// the first index among equal maxima, NaN counting as maximal (the first NaN wins). Torch-free.
#include <cstdint>

namespace tac::scorer {

// logits: pixels x classes, class innermost (NHWC / channels-last). out: pixels bytes.
void seg_argmax_nhwc(const float* logits, std::int64_t pixels, int classes, std::uint8_t* out);

}  // namespace tac::scorer
