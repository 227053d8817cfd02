#pragma once
// The layers of the maskgen generator on planar float32 feature maps (channel-major, one image),
// torch-free. Arithmetic follows torch's float32 formulas; sums run in a different order (and
// GroupNorm statistics in double), so results agree with the reference to float32 rounding.
#include <cstddef>
#include <span>
#include <vector>

namespace tac::codec::maskgen {

struct FeatureMap {
  int c = 0, h = 0, w = 0;
  std::vector<float> v;
  void resize(int channels, int height, int width) {
    c = channels, h = height, w = width;
    v.resize(std::size_t(c) * h * w);
  }
  std::size_t plane() const { return std::size_t(h) * w; }
  float* ch(int i) { return v.data() + i * plane(); }
  const float* ch(int i) const { return v.data() + i * plane(); }
};

// Depthwise 3x3 convolution, zero padding 1, stride 1 or 2, no bias: weights c x 9.
// Writes channels [0, in.c) of `out` starting at channel `out_offset`.
void depthwise3x3(const FeatureMap& in, std::span<const float> weights, int stride, FeatureMap& out, int out_offset = 0);
// 1x1 convolution with bias: weights oc x in.c, out gets oc channels.
void pointwise(const FeatureMap& in, std::span<const float> weights, std::span<const float> bias, int oc, FeatureMap& out);
// GroupNorm (eps 1e-5, biased variance) with per-channel affine, in place.
void group_norm(FeatureMap& x, int groups, std::span<const float> gamma, std::span<const float> beta);
float silu(float x);
void silu_inplace(std::span<float> x);
// x2 bilinear upsample, align_corners false (source index (dst + 0.5) / 2 - 0.5, clamped at 0).
void upsample2x_bilinear(const FeatureMap& in, FeatureMap& out);

}  // namespace tac::codec::maskgen
