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

// GroupNorm (eps 1e-5, biased variance) with its per-channel weight and bias, as y = x * scale + shift.
struct ChannelAffine {
  std::vector<float> scale, shift;
  bool empty() const { return scale.empty(); }
};

struct FeatureMap {
  int c = 0, h = 0, w = 0;
  // Floats from one channel to the next: the plane padded by a cache line, so that the channels
  // of one pixel tile do not all fall into the same cache sets (a plane is a multiple of 4 KiB).
  std::size_t stride = 0;
  MapStorage storage;
  // A GroupNorm + SiLU not yet applied to rows [active_rows, h) (none when empty): the next
  // convolution applies it row by row just ahead of reading them (activate_rows).
  ChannelAffine pending;
  int active_rows = 0;
  // Shapes the map; the values are unspecified after a change of size.
  void resize(int channels, int height, int width) {
    c = channels, h = height, w = width;
    stride = (plane() + 15) / 16 * 16 + 16;
    storage.reserve(std::size_t(c) * stride);
    pending = {};
    active_rows = 0;
  }
  std::size_t plane() const { return std::size_t(h) * w; }
  float* data() { return storage.data(); }
  const float* data() const { return storage.data(); }
  float* ch(int i) { return data() + i * stride; }
  const float* ch(int i) const { return data() + i * stride; }
  float* row(int i, int y) { return ch(i) + std::size_t(y) * w; }
  const float* row(int i, int y) const { return ch(i) + std::size_t(y) * w; }
};

// Applies x's pending GroupNorm + SiLU to its rows below `rows` not done yet (all: rows = x.h).
void activate_rows(FeatureMap& x, int rows);
inline void activate(FeatureMap& x) { activate_rows(x, x.h); }

// The weights of one depthwise-separable convolution: depthwise 3x3 (c x 9, no bias), then 1x1
// (oc x c) with bias, then the GroupNorm's weight and bias (oc each).
struct SeparableWeights {
  std::span<const float> depthwise, pointwise, bias, gamma, beta;
};

// Scratch of separable_conv: one row of depthwise outputs; the GroupNorm's per-chunk moments.
struct ConvScratch {
  std::vector<float> row, m1, m2;
};

// out = pw(dw(cat(inputs))) with zero padding 1 and the given stride, computed row by row (the
// depthwise rows of all input channels, then the 1x1 over them), activating the inputs' pending
// norms just ahead; returns the GroupNorm (2 groups) of out as an affine, its moments taken from
// each row while it is fresh in cache.
ChannelAffine separable_conv(std::span<FeatureMap* const> inputs, const SeparableWeights& wts, int stride, int oc,
                             FeatureMap& out, ConvScratch& scratch);
// 1x1 convolution with bias of an active map into packed planes (out: oc x plane floats).
void pointwise_to_planes(const FeatureMap& in, std::span<const float> weights, std::span<const float> bias, int oc,
                         float* out);
// out = silu(x + norm(r)) (out may be x; sized here).
void residual_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, FeatureMap& out);
// out = silu(x + norm(r) * (1 + g) + b), g and b per channel (out may be x).
void film_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, std::span<const float> g,
                    std::span<const float> b, FeatureMap& out);
// out = sigmoid(x) * 255 over n values.
void sigmoid255(const float* x, float* out, std::size_t n);
void silu_inplace(std::span<float> x);
// x2 bilinear upsample of an active map, align_corners false (source index (dst + 0.5) / 2 - 0.5,
// clamped at 0).
void upsample2x_bilinear(const FeatureMap& in, FeatureMap& out);

}  // namespace tac::codec::maskgen
