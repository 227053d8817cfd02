#include "tac/image/bilinear_resize.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tac::image {

BilinearAxis bilinear_axis(int n_in, int n_out) {
  if (n_in < 1 || n_out < 1) throw std::invalid_argument("bilinear_axis: sizes must be >= 1");
  BilinearAxis axis;
  axis.i0.resize(n_out);
  axis.i1.resize(n_out);
  axis.l0.resize(n_out);
  axis.l1.resize(n_out);
  // §1.3: every step in float32 (torch 2.x area_pixel_compute_source_index<float>).
  const float scale = static_cast<float>(n_in) / static_cast<float>(n_out);
  for (int d = 0; d < n_out; ++d) {
    float src = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
    src = std::max(src, 0.0f);
    const int i0 = std::min(static_cast<int>(std::floor(src)), n_in - 1);
    const int i1 = i0 + (i0 < n_in - 1 ? 1 : 0);
    const float l1 = std::clamp(src - static_cast<float>(i0), 0.0f, 1.0f);
    axis.i0[d] = i0;
    axis.i1[d] = i1;
    axis.l1[d] = l1;
    axis.l0[d] = 1.0f - l1;
  }
  return axis;
}

namespace {

// One output row of one channel: horizontal pass on rows r0 and r1, then the vertical blend.
// at0(i) / at1(i) read column i of the upper / lower source row.
template <typename Fetch0, typename Fetch1>
void blend_row(const BilinearAxis& ax_w, float lh0, float lh1, int out_w, float* out, Fetch0&& at0,
               Fetch1&& at1) {
  for (int d = 0; d < out_w; ++d) {
    const int a = ax_w.i0[d], b = ax_w.i1[d];
    const float lw0 = ax_w.l0[d], lw1 = ax_w.l1[d];
    const float top = lw0 * at0(a) + lw1 * at0(b);
    const float bottom = lw0 * at1(a) + lw1 * at1(b);
    out[d] = lh0 * top + lh1 * bottom;
  }
}

}  // namespace

void resize_bilinear_u8_to_planar(const std::uint8_t* src, int h, int w, int channels, float* dst,
                                  int out_h, int out_w) {
  const BilinearAxis ax_h = bilinear_axis(h, out_h);
  const BilinearAxis ax_w = bilinear_axis(w, out_w);
  const std::size_t row_stride = static_cast<std::size_t>(w) * channels;
  // Deinterleave the two source rows per output row into float planes first (exact conversion).
  std::vector<float> r0(static_cast<std::size_t>(w)), r1(static_cast<std::size_t>(w));
  for (int c = 0; c < channels; ++c) {
    float* plane = dst + static_cast<std::size_t>(c) * out_h * out_w;
    for (int y = 0; y < out_h; ++y) {
      const std::uint8_t* s0 = src + ax_h.i0[y] * row_stride + c;
      const std::uint8_t* s1 = src + ax_h.i1[y] * row_stride + c;
      for (int x = 0; x < w; ++x) {
        r0[x] = static_cast<float>(s0[static_cast<std::size_t>(x) * channels]);
        r1[x] = static_cast<float>(s1[static_cast<std::size_t>(x) * channels]);
      }
      const float* p0 = r0.data();
      const float* p1 = r1.data();
      blend_row(ax_w, ax_h.l0[y], ax_h.l1[y], out_w, plane + static_cast<std::size_t>(y) * out_w,
                [p0](int i) { return p0[i]; }, [p1](int i) { return p1[i]; });
    }
  }
}

void resize_bilinear_planar(const float* src, int h, int w, int channels, float* dst, int out_h,
                            int out_w) {
  const BilinearAxis ax_h = bilinear_axis(h, out_h);
  const BilinearAxis ax_w = bilinear_axis(w, out_w);
  for (int c = 0; c < channels; ++c) {
    const float* in = src + static_cast<std::size_t>(c) * h * w;
    float* plane = dst + static_cast<std::size_t>(c) * out_h * out_w;
    for (int y = 0; y < out_h; ++y) {
      const float* p0 = in + static_cast<std::size_t>(ax_h.i0[y]) * w;
      const float* p1 = in + static_cast<std::size_t>(ax_h.i1[y]) * w;
      blend_row(ax_w, ax_h.l0[y], ax_h.l1[y], out_w, plane + static_cast<std::size_t>(y) * out_w,
                [p0](int i) { return p0[i]; }, [p1](int i) { return p1[i]; });
    }
  }
}

}  // namespace tac::image
