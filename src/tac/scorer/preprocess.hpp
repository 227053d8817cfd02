#pragma once
// The scorer's input preprocessing (scorer_architecture.md §1.3–§1.5), torch-free: each frame is
// resized once (float32-index bilinear, 874x1164 -> 384x512) and shared by both networks.
#include <cstdint>

namespace tac::scorer {

inline constexpr int kNetHeight = 384, kNetWidth = 512;
inline constexpr int kPoseHeight = kNetHeight / 2, kPoseWidth = kNetWidth / 2;
inline constexpr int kSegInputFloats = 3 * kNetHeight * kNetWidth;      // one frame, planar RGB
inline constexpr int kPoseInputFloats = 12 * kPoseHeight * kPoseWidth;  // one pair, YUV6 x 2

// One sample: SegNet input = resized RGB of the second frame (planar, 0..255, unnormalized);
// PoseNet input = YUV6 of both frames, channel t*6 + c, before PoseNet's (x - mean) / std.
// `scratch` holds kSegInputFloats floats (the resized first frame).
void preprocess_pair(const std::uint8_t* first, const std::uint8_t* second, float* seg_rgb, float* pose_yuv12,
                     float* scratch);

// Resizes one uint8 RGB frame (874x1164x3) to planar float 3x384x512.
void resize_frame(const std::uint8_t* frame, float* rgb_planar);

}  // namespace tac::scorer
