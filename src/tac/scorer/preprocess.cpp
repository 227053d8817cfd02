#include "tac/scorer/preprocess.hpp"

#include "tac/core/contest.hpp"
#include "tac/image/bilinear_resize.hpp"
#include "tac/image/rgb_to_yuv6.hpp"

namespace tac::scorer {

void resize_frame(const std::uint8_t* frame, float* rgb_planar) {
  image::resize_bilinear_u8_to_planar(frame, contest::kFrameHeight, contest::kFrameWidth, contest::kChannels,
                                      rgb_planar, kNetHeight, kNetWidth);
}

void preprocess_pair(const std::uint8_t* first, const std::uint8_t* second, float* seg_rgb, float* pose_yuv12,
                     float* scratch) {
  constexpr int kYuv6Floats = kPoseInputFloats / 2;
  resize_frame(first, scratch);
  image::rgb_to_yuv6(scratch, kNetHeight, kNetWidth, pose_yuv12);
  resize_frame(second, seg_rgb);
  image::rgb_to_yuv6(seg_rgb, kNetHeight, kNetWidth, pose_yuv12 + kYuv6Floats);
}

}  // namespace tac::scorer
