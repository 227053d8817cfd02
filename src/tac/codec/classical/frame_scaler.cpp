#include "tac/codec/classical/frame_scaler.hpp"

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <utility>

#include "tac/core/error.hpp"

namespace tac::codec::classical {
namespace {

const std::vector<std::pair<std::string, int>>& filters() {
  static const std::vector<std::pair<std::string, int>> table{
      {"lanczos", SWS_LANCZOS}, {"bicubic", SWS_BICUBIC}, {"bilinear", SWS_BILINEAR}, {"area", SWS_AREA},
      {"spline", SWS_SPLINE},   {"gauss", SWS_GAUSS},     {"sinc", SWS_SINC},         {"point", SWS_POINT}};
  return table;
}

}  // namespace

std::pair<int, int> scaled_size(int width, int height, double scale) {
  if (!(scale > 0.0) || scale > 1.0) fail(ErrorKind::usage, "scale {} is out of range: it must be > 0 and <= 1", scale);
  // FFmpeg evaluates trunc(iw*s/2)*2 in double.
  const int w = static_cast<int>(std::trunc(width * scale / 2.0)) * 2;
  const int h = static_cast<int>(std::trunc(height * scale / 2.0)) * 2;
  if (w < 2 || h < 2) fail(ErrorKind::usage, "scale {} shrinks {}x{} to {}x{}: too small to encode", scale, width, height, w, h);
  return {w, h};
}

std::string swscale_filter_names() {
  std::string names;
  for (const auto& [name, flag] : filters()) names += (names.empty() ? "" : ", ") + name;
  return names;
}

int swscale_flags(const std::string& filter) {
  for (const auto& [name, flag] : filters()) {
    if (name == filter) return flag;
  }
  fail(ErrorKind::usage, "unknown resampling filter '{}' (choose one of: {})", filter, swscale_filter_names());
}

struct FrameScaler::State {
  SwsContext* context = nullptr;
  int width = 0, height = 0, src_height = 0;
  std::vector<std::uint8_t> y, u, v;
  ~State() { sws_freeContext(context); }
};

FrameScaler::FrameScaler(int src_width, int src_height, int dst_width, int dst_height, const std::string& filter,
                         bool full_range)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.width = dst_width;
  s.height = dst_height;
  s.src_height = src_height;
  // Configured the way FFmpeg's scale filter configures it (vf_scale.c): flags, sizes, formats
  // and ranges as options on a context, default filter parameters.
  s.context = sws_alloc_context();
  if (!s.context) fail(ErrorKind::internal, "swscale: out of memory");
  const int range = full_range ? 1 : 0;
  av_opt_set_int(s.context, "sws_flags", swscale_flags(filter), 0);
  av_opt_set_int(s.context, "srcw", src_width, 0);
  av_opt_set_int(s.context, "srch", src_height, 0);
  av_opt_set_int(s.context, "src_format", AV_PIX_FMT_YUV420P, 0);
  av_opt_set_int(s.context, "dstw", dst_width, 0);
  av_opt_set_int(s.context, "dsth", dst_height, 0);
  av_opt_set_int(s.context, "dst_format", AV_PIX_FMT_YUV420P, 0);
  av_opt_set_int(s.context, "src_range", range, 0);
  av_opt_set_int(s.context, "dst_range", range, 0);
  if (sws_init_context(s.context, nullptr, nullptr) < 0) {
    fail(ErrorKind::internal, "swscale: cannot scale {}x{} to {}x{} with {}", src_width, src_height, dst_width, dst_height, filter);
  }
  s.y.resize(static_cast<std::size_t>(dst_width) * dst_height);
  s.u.resize(static_cast<std::size_t>(dst_width / 2) * (dst_height / 2));
  s.v.resize(s.u.size());
}

FrameScaler::~FrameScaler() = default;

io::Yuv420View FrameScaler::scale(const io::Yuv420View& src) {
  auto& s = *state_;
  const std::uint8_t* const src_planes[3] = {src.y, src.u, src.v};
  const int src_strides[3] = {src.y_stride, src.u_stride, src.v_stride};
  std::uint8_t* const dst_planes[3] = {s.y.data(), s.u.data(), s.v.data()};
  const int dst_strides[3] = {s.width, s.width / 2, s.width / 2};
  const int rows = sws_scale(s.context, src_planes, src_strides, 0, s.src_height, dst_planes, dst_strides);
  if (rows != s.height) fail(ErrorKind::internal, "swscale: produced {} rows, expected {}", rows, s.height);
  return {s.y.data(), s.u.data(), s.v.data(), s.width, s.width / 2, s.width / 2};
}

}  // namespace tac::codec::classical
