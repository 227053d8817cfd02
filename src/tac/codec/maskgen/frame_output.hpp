#pragma once
// From generator output to contest frames: the bilinear resize of 3 x 384 x 512 planes to
// 874 x 1164 (align_corners false, torch >= 2 float32 source indices), clamp to 0..255, round half
// to even, interleave to RGB bytes; and the sidecar's warp of a pair's first frame: a translation
// by (qx / 10 x 1164 / 512, qy / 10 x 874 / 384) pixels with bilinear sampling, reflection padding,
// align_corners false (torch's grid_sample CPU kernel arithmetic), then clamp and round.
#include <cstdint>
#include <span>

#include "tac/codec/maskgen/sidecar.hpp"

namespace tac::codec::maskgen {

// planes: 3 x kMaskH x kMaskW floats; rgb: kFrameHeight x kFrameWidth x 3 bytes.
void upsample_to_frame(std::span<const float> planes, std::span<std::uint8_t> rgb);
// Warps one RGB frame in place (a no-op for an inactive warp).
void warp_frame(const Warp& warp, std::span<std::uint8_t> rgb);

}  // namespace tac::codec::maskgen
