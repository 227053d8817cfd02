#pragma once
// PoseNet's input planes (scorer_architecture.md §1.4): rgb_to_yuv6 of one resized frame. Torch-free.
#include <cstddef>

namespace tac::image {

// rgb: planar float32 3 x h x w (R, G, B; values ~0..255), h and w even.
// out: 6 planes of (h/2) x (w/2): y00, y10 (odd row), y01 (odd column), y11, U_sub, V_sub,
// float32 with one rounding per operation in the upstream order (no FMA).
void rgb_to_yuv6(const float* rgb, int h, int w, float* out);

}  // namespace tac::image
