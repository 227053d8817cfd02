#include "tac/codec/maskgen/generator_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tac/codec/maskgen/generator_kernels.hpp"

namespace tac::codec::maskgen {

namespace kernels {

const GeneratorKernels& generator_kernels() {
  static const GeneratorKernels chosen = [] {
#if defined(TAC_X86_KERNELS)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return generator_kernels_avx2();
#endif
    return generator_kernels_generic();
  }();
  return chosen;
}

}  // namespace kernels

float* MapStorage::reserve(std::size_t floats) {
  if (floats <= capacity_) return data();
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  const std::size_t bytes = (floats * sizeof(float) + kHuge - 1) / kHuge * kHuge;
  data_.reset();
  capacity_ = 0;
  void* p = std::aligned_alloc(kHuge, bytes);
  if (!p) throw std::bad_alloc();
#if defined(__linux__)
  ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure changes nothing but speed
#endif
  data_.reset(static_cast<float*>(p));
  capacity_ = bytes / sizeof(float);
  return data();
}

void MapStorage::Free::operator()(float* p) const { std::free(p); }

namespace {
const kernels::GeneratorKernels& K() { return kernels::generator_kernels(); }
}  // namespace

void depthwise3x3(const FeatureMap& in, std::span<const float> weights, int stride, FeatureMap& out, int out_offset) {
  for (int c = 0; c < in.c; ++c)
    K().depthwise3x3(in.ch(c), in.h, in.w, weights.data() + 9 * c, stride, out.ch(out_offset + c), out.h, out.w);
}

void pointwise(const FeatureMap& in, std::span<const float> weights, std::span<const float> bias, int oc, FeatureMap& out) {
  out.resize(oc, in.h, in.w);
  K().pointwise(in.data(), in.c, weights.data(), bias.data(), oc, out.data(), in.plane(), in.stride);
}

ChannelAffine group_norm_affine(const FeatureMap& x, int groups, std::span<const float> gamma, std::span<const float> beta) {
  const int per = x.c / groups;
  const double n = double(x.plane()) * per;
  ChannelAffine a{std::vector<float>(x.c), std::vector<float>(x.c)};
  for (int g = 0; g < groups; ++g) {
    double sum = 0, sq = 0;
    for (int c = g * per; c < (g + 1) * per; ++c) {
      double s, q;
      K().moments(x.ch(c), x.plane(), &s, &q);
      sum += s, sq += q;
    }
    const double mean = sum / n;
    const float var = static_cast<float>(std::max(0.0, sq / n - mean * mean));
    const float mean_f = static_cast<float>(mean);
    const float rstd = 1.0f / std::sqrt(var + 1e-5f);
    for (int c = g * per; c < (g + 1) * per; ++c) {
      // torch: y = x * (rstd * gamma) + (beta - rstd * gamma * mean)
      a.scale[c] = rstd * gamma[c];
      a.shift[c] = beta[c] - a.scale[c] * mean_f;
    }
  }
  return a;
}

void norm_silu(FeatureMap& x, const ChannelAffine& norm) {
  for (int c = 0; c < x.c; ++c) K().affine_silu(x.ch(c), x.plane(), norm.scale[c], norm.shift[c]);
}

void residual_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, FeatureMap& out) {
  if (&out != &x) out.resize(x.c, x.h, x.w);
  for (int c = 0; c < x.c; ++c) K().residual_silu(x.ch(c), r.ch(c), out.ch(c), x.plane(), norm.scale[c], norm.shift[c]);
}

void film_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, std::span<const float> g,
                    std::span<const float> b, FeatureMap& out) {
  out.resize(x.c, x.h, x.w);
  for (int c = 0; c < x.c; ++c)
    K().film_silu(x.ch(c), r.ch(c), out.ch(c), x.plane(), norm.scale[c], norm.shift[c], 1.0f + g[c], b[c]);
}

void sigmoid255(const FeatureMap& x, float* out) {
  for (int c = 0; c < x.c; ++c) K().sigmoid255(x.ch(c), out + c * x.plane(), x.plane());
}

float silu(float x) {
  silu_inplace(std::span(&x, 1));
  return x;
}

void silu_inplace(std::span<float> x) { K().affine_silu(x.data(), x.size(), 1.0f, 0.0f); }

void upsample2x_bilinear(const FeatureMap& in, FeatureMap& out) {
  out.resize(in.c, 2 * in.h, 2 * in.w);
  const auto source = [](int dst, int size, int& i0, int& i1, float& l1) {
    const float s = std::max(0.0f, 0.5f * (static_cast<float>(dst) + 0.5f) - 0.5f);
    i0 = std::min(static_cast<int>(s), size - 1);
    i1 = std::min(i0 + 1, size - 1);
    l1 = s - static_cast<float>(i0);
  };
  std::vector<int> x0(out.w), x1(out.w);
  std::vector<float> lx(out.w);
  for (int x = 0; x < out.w; ++x) source(x, in.w, x0[x], x1[x], lx[x]);
  for (int c = 0; c < in.c; ++c) {
    const float* src = in.ch(c);
    float* dst = out.ch(c);
    for (int y = 0; y < out.h; ++y) {
      int y0, y1;
      float ly;
      source(y, in.h, y0, y1, ly);
      const float hy = 1.0f - ly;
      const float* a = src + std::size_t(y0) * in.w;
      const float* b = src + std::size_t(y1) * in.w;
      float* o = dst + std::size_t(y) * out.w;
      for (int x = 0; x < out.w; ++x) {
        const float hx = 1.0f - lx[x];
        o[x] = hy * (hx * a[x0[x]] + lx[x] * a[x1[x]]) + ly * (hx * b[x0[x]] + lx[x] * b[x1[x]]);
      }
    }
  }
}

}  // namespace tac::codec::maskgen
