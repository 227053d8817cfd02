#include "tac/image/rgb_to_yuv6.hpp"

#include <algorithm>
#include <vector>

namespace tac::image {

namespace {
inline float clamp255(float v) { return std::min(std::max(v, 0.0f), 255.0f); }
}  // namespace

void rgb_to_yuv6(const float* rgb, int h, int w, float* out) {
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  const float* R = rgb;
  const float* G = rgb + plane;
  const float* B = rgb + 2 * plane;
  // Full-resolution Y, U, V first (clamped before subsampling, §1.4 / §5.3.3).
  std::vector<float> Y(plane), U(plane), V(plane);
  const float kr = 0.299f, kg = 0.587f, kb = 0.114f, du = 1.772f, dv = 1.402f;
  for (std::size_t i = 0; i < plane; ++i) {
    const float y = clamp255((R[i] * kr + G[i] * kg) + B[i] * kb);
    Y[i] = y;
    U[i] = clamp255((B[i] - y) / du + 128.0f);
    V[i] = clamp255((R[i] - y) / dv + 128.0f);
  }
  const int h2 = h / 2, w2 = w / 2;
  const std::size_t sub = static_cast<std::size_t>(h2) * w2;
  float* y00 = out;
  float* y10 = out + sub;
  float* y01 = out + 2 * sub;
  float* y11 = out + 3 * sub;
  float* us = out + 4 * sub;
  float* vs = out + 5 * sub;
  for (int i = 0; i < h2; ++i) {
    const std::size_t r0 = static_cast<std::size_t>(2 * i) * w;
    const std::size_t r1 = r0 + static_cast<std::size_t>(w);
    for (int j = 0; j < w2; ++j) {
      const std::size_t o = static_cast<std::size_t>(i) * w2 + j;
      const std::size_t a = r0 + 2 * j, b = r1 + 2 * j;  // (2i,2j) and (2i+1,2j)
      y00[o] = Y[a];
      y10[o] = Y[b];
      y01[o] = Y[a + 1];
      y11[o] = Y[b + 1];
      us[o] = (((U[a] + U[b]) + U[a + 1]) + U[b + 1]) * 0.25f;
      vs[o] = (((V[a] + V[b]) + V[a + 1]) + V[b + 1]) * 0.25f;
    }
  }
}

}  // namespace tac::image
