#include "tac/codec/maskgen/frame_output.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr int kOutH = contest::kFrameHeight, kOutW = contest::kFrameWidth;

std::uint8_t to_byte(float v) {
  // clamp(0, 255) then round half to even, as torch's .round(): adding and removing 2^23 rounds a
  // float in [0, 2^23) to an integer in the default rounding mode (nearest, ties to even), without
  // a call to nearbyint (not inlined on baseline x86-64).
  constexpr float kShift = 8388608.0f;
  const float clamped = std::min(255.0f, std::max(0.0f, v));
  return static_cast<std::uint8_t>((clamped + kShift) - kShift);
}

// One axis of a bilinear resize: source indices and weights per output position.
struct Axis {
  std::vector<int> i0, i1;
  std::vector<float> w0, w1;
  Axis(int in, int out) : i0(out), i1(out), w0(out), w1(out) {
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    for (int d = 0; d < out; ++d) {
      const float real = std::max(scale * (static_cast<float>(d) + 0.5f) - 0.5f, 0.0f);
      const int i = std::min(static_cast<int>(std::floor(real)), in - 1);
      const float l1 = std::min(std::max(real - static_cast<float>(i), 0.0f), 1.0f);
      i0[d] = i;
      i1[d] = i + (i < in - 1 ? 1 : 0);
      w1[d] = l1;
      w0[d] = 1.0f - l1;
    }
  }
};

// torch grid_sample's location for one axis: unnormalize (align_corners false), reflect about
// -0.5 and size - 0.5, clip to [0, size - 1].
float sample_location(float g, int size) {
  const float x = (g + 1.0f) * (static_cast<float>(size) / 2.0f) - 0.5f;
  const float twice_span = static_cast<float>(size) * 2.0f;
  const float abs_in = std::fabs(x - (-0.5f));
  const float flips = std::trunc(abs_in / twice_span);
  const float extra = abs_in - flips * twice_span;
  const float r = std::min(extra, twice_span - extra) + (-0.5f);
  return std::min(static_cast<float>(size - 1), std::max(0.0f, r));
}

}  // namespace

void upsample_to_frame(std::span<const float> planes, std::span<std::uint8_t> rgb) {
  if (planes.size() != 3 * kMaskPixels || rgb.size() != contest::kFrameBytes)
    fail(ErrorKind::internal, "maskgen upsample: {} planes / {} bytes do not fit", planes.size(), rgb.size());
  static const Axis ys(kMaskH, kOutH), xs(kMaskW, kOutW);
  // Source rows interpolated along x, kept while consecutive output rows reuse them.
  std::vector<float> cache[2] = {std::vector<float>(kOutW), std::vector<float>(kOutW)};
  for (int c = 0; c < 3; ++c) {
    const float* src = planes.data() + c * kMaskPixels;
    int cached[2] = {-1, -1};
    const auto along_x = [&](int row, int keep) -> const float* {
      for (int k = 0; k < 2; ++k)
        if (cached[k] == row) return cache[k].data();
      const int k = cached[0] == keep ? 1 : 0;
      const float* a = src + std::size_t(row) * kMaskW;
      float* t = cache[k].data();
      for (int x = 0; x < kOutW; ++x) t[x] = a[xs.i0[x]] * xs.w0[x] + a[xs.i1[x]] * xs.w1[x];
      cached[k] = row;
      return t;
    };
    for (int y = 0; y < kOutH; ++y) {
      // torch's separable loop: (row y0 along x) * wy0 + (row y1 along x) * wy1
      const float* top = along_x(ys.i0[y], ys.i1[y]);
      const float* bottom = along_x(ys.i1[y], ys.i0[y]);
      const float wy0 = ys.w0[y], wy1 = ys.w1[y];
      std::uint8_t* o = rgb.data() + std::size_t(y) * kOutW * 3 + c;
      for (int x = 0; x < kOutW; ++x) o[std::size_t(x) * 3] = to_byte(top[x] * wy0 + bottom[x] * wy1);
    }
  }
}

void warp_frame(const Warp& warp, std::span<std::uint8_t> rgb) {
  if (!warp.active()) return;
  if (rgb.size() != contest::kFrameBytes) fail(ErrorKind::internal, "maskgen warp: frame of {} bytes", rgb.size());
  // The reference: shift in output pixels = q / 10 x (out / model size), in double, then float32;
  // the grid moves by shift x (2 / size) in float32.
  const float shift_x = static_cast<float>(double(warp.qx) / 10.0 * (double(kOutW) / double(kMaskW)));
  const float shift_y = static_cast<float>(double(warp.qy) / 10.0 * (double(kOutH) / double(kMaskH)));
  const float step_x = static_cast<float>(2.0 / kOutW), step_y = static_cast<float>(2.0 / kOutH);
  const float dx = shift_x * step_x, dy = shift_y * step_y;
  const std::vector<std::uint8_t> src(rgb.begin(), rgb.end());
  std::vector<int> x_w(kOutW);
  std::vector<float> xw(kOutW);
  for (int x = 0; x < kOutW; ++x) {
    const float gx = ((static_cast<float>(x) + 0.5f) * step_x - 1.0f) - dx;
    const float lx = sample_location(gx, kOutW);
    x_w[x] = static_cast<int>(std::floor(lx));
    xw[x] = lx - std::floor(lx);
  }
  for (int y = 0; y < kOutH; ++y) {
    const float gy = ((static_cast<float>(y) + 0.5f) * step_y - 1.0f) - dy;
    const float ly = sample_location(gy, kOutH);
    const int y_n = static_cast<int>(std::floor(ly));
    const float n = ly - std::floor(ly), s = 1.0f - n;
    const bool s_in = y_n + 1 < kOutH;
    for (int x = 0; x < kOutW; ++x) {
      const float w = xw[x], e = 1.0f - w;
      const float nw = s * e, ne = s * w, sw = n * e, se = n * w;
      const bool e_in = x_w[x] + 1 < kOutW;
      for (int c = 0; c < 3; ++c) {
        const auto at = [&](int yy, int xx) { return static_cast<float>(src[(std::size_t(yy) * kOutW + xx) * 3 + c]); };
        const float nw_v = at(y_n, x_w[x]);
        const float ne_v = e_in ? at(y_n, x_w[x] + 1) : 0.0f;
        const float sw_v = s_in ? at(y_n + 1, x_w[x]) : 0.0f;
        const float se_v = (e_in && s_in) ? at(y_n + 1, x_w[x] + 1) : 0.0f;
        const float v = nw_v * nw + ne_v * ne + sw_v * sw + se_v * se;
        rgb[(std::size_t(y) * kOutW + x) * 3 + c] = to_byte(v);
      }
    }
  }
}

}  // namespace tac::codec::maskgen
