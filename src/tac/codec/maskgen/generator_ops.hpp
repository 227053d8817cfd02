#pragma once
// The layers of the maskgen generator on planar float32 feature maps (channel-major, one image),
// torch-free, over the run-time chosen kernels (generator_kernels.hpp). GroupNorm is split in two:
// its statistics become a per-channel affine, which the block's element-wise end applies together
// with the residual / FiLM sum and the SiLU in one pass.
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace tac::codec::maskgen {

// Float storage for feature maps: 2 MiB aligned and advised as huge pages where the system
// allows, so that walking 56 channel planes at once does not miss the TLB on every plane; grows,
// never shrinks; not value-initialized.
class MapStorage {
 public:
  float* reserve(std::size_t floats);  // keeps the contents only when no growth is needed
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> data_;
  std::size_t capacity_ = 0;
};

struct FeatureMap {
  int c = 0, h = 0, w = 0;
  // Floats from one channel to the next: the plane padded by a cache line, so that the channels
  // of one pixel tile do not all fall into the same cache sets (a plane is a multiple of 4 KiB).
  std::size_t stride = 0;
  MapStorage storage;
  // Shapes the map; the values are unspecified after a change of size.
  void resize(int channels, int height, int width) {
    c = channels, h = height, w = width;
    stride = (plane() + 15) / 16 * 16 + 16;
    storage.reserve(std::size_t(c) * stride);
  }
  std::size_t plane() const { return std::size_t(h) * w; }
  float* data() { return storage.data(); }
  const float* data() const { return storage.data(); }
  float* ch(int i) { return data() + i * stride; }
  const float* ch(int i) const { return data() + i * stride; }
};

// GroupNorm (eps 1e-5, biased variance) with its per-channel weight and bias, as y = x * scale + shift.
struct ChannelAffine {
  std::vector<float> scale, shift;
};

// Depthwise 3x3 convolution, zero padding 1, stride 1 or 2, no bias: weights c x 9.
// Writes channels [0, in.c) of `out` (already sized) starting at channel `out_offset`.
void depthwise3x3(const FeatureMap& in, std::span<const float> weights, int stride, FeatureMap& out, int out_offset = 0);
// 1x1 convolution with bias: weights oc x in.c, out gets oc channels.
void pointwise(const FeatureMap& in, std::span<const float> weights, std::span<const float> bias, int oc, FeatureMap& out);
// The GroupNorm of x as a per-channel affine (statistics in double).
ChannelAffine group_norm_affine(const FeatureMap& x, int groups, std::span<const float> gamma, std::span<const float> beta);
// x = silu(norm(x)), in place.
void norm_silu(FeatureMap& x, const ChannelAffine& norm);
// out = silu(x + norm(r)) (out may be x; sized here).
void residual_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, FeatureMap& out);
// out = silu(x + norm(r) * (1 + g) + b), g and b per channel (out sized here, not x).
void film_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, std::span<const float> g,
                    std::span<const float> b, FeatureMap& out);
// out (plane-sized per channel, packed) = sigmoid(x) * 255.
void sigmoid255(const FeatureMap& x, float* out);
float silu(float x);
void silu_inplace(std::span<float> x);
// x2 bilinear upsample, align_corners false (source index (dst + 0.5) / 2 - 0.5, clamped at 0).
void upsample2x_bilinear(const FeatureMap& in, FeatureMap& out);

}  // namespace tac::codec::maskgen
