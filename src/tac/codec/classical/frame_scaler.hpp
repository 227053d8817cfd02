#pragma once
// Downscaling of 8-bit 4:2:0 frames with libswscale (the resampler behind FFmpeg's `scale`
// filter), so `tac compress --scale 0.45` matches `-vf scale=trunc(iw*0.45/2)*2:...:flags=lanczos`.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tac/io/video_encoder.hpp"

namespace tac::codec::classical {

// Even output size for a scale factor, as FFmpeg's trunc(iw*s/2)*2 expression computes it.
// Throws tac::Error unless 0 < scale <= 1 and the result is at least 2x2.
std::pair<int, int> scaled_size(int width, int height, double scale);

// libswscale filter names accepted by --filter (lanczos, bicubic, bilinear, area, spline, gauss,
// sinc, point); throws tac::Error listing them for anything else.
int swscale_flags(const std::string& filter);
std::string swscale_filter_names();

class FrameScaler {
 public:
  FrameScaler(int src_width, int src_height, int dst_width, int dst_height, const std::string& filter, bool full_range);
  ~FrameScaler();
  FrameScaler(const FrameScaler&) = delete;
  FrameScaler& operator=(const FrameScaler&) = delete;
  // Scales `src`; the result stays valid until the next call.
  io::Yuv420View scale(const io::Yuv420View& src);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tac::codec::classical
