#include "tac/codec/maskgen/generator_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tac/codec/maskgen/generator_kernels.hpp"
#include "tac/core/error.hpp"

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

void activate_rows(FeatureMap& x, int rows) {
  rows = std::min(rows, x.h);
  if (x.pending.empty() || rows <= x.active_rows) return;
  for (int c = 0; c < x.c; ++c)
    K().affine_silu(x.row(c, x.active_rows), std::size_t(rows - x.active_rows) * x.w, x.pending.scale[c], x.pending.shift[c]);
  x.active_rows = rows;
  if (rows == x.h) x.pending = {};
}

namespace {

constexpr int kGroups = 2;

// torch's GroupNorm (2 groups) as y = x * (rstd * gamma) + (beta - rstd * gamma * mean), from
// the per-chunk moments of each group's planes in memory order (m1, m2: 8 floats per chunk, the
// groups one after the other).
ChannelAffine group_norm_affine(const ConvScratch& s, std::size_t chunks_per_group, std::span<const float> gamma,
                                std::span<const float> beta) {
  const int channels = static_cast<int>(gamma.size()), per = channels / kGroups;
  ChannelAffine a{std::vector<float>(channels), std::vector<float>(channels)};
  for (int g = 0; g < kGroups; ++g) {
    float mean, var;
    const std::size_t at = std::size_t(g) * chunks_per_group * 8;
    K().merge_moments(s.m1.data() + at, s.m2.data() + at, chunks_per_group, &mean, &var);
    const float rstd = 1.0f / std::sqrt(std::max(var, 0.0f) + 1e-5f);
    for (int c = g * per; c < (g + 1) * per; ++c) {
      a.scale[c] = rstd * gamma[c];
      a.shift[c] = beta[c] - a.scale[c] * mean;
    }
  }
  return a;
}

}  // namespace

ChannelAffine separable_conv(std::span<FeatureMap* const> inputs, const SeparableWeights& wts, int stride, int oc,
                             FeatureMap& out, ConvScratch& scratch) {
  const FeatureMap& first = *inputs[0];
  const int h = first.h, w = first.w, oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
  int ic = 0;
  for (const FeatureMap* in : inputs) ic += in->c;
  out.resize(oc, oh, ow);
  // One row of every input channel's depthwise output, channels a padded row apart.
  const std::size_t row_stride = (std::size_t(ow) + 15) / 16 * 16 + 16;
  auto& row = scratch.row;
  row.resize(std::size_t(ic) * row_stride);
  // GroupNorm moments: Welford chunks of each output row as soon as it is written.
  constexpr std::size_t kChunk = kernels::kMomentChunk;
  if (ow % kChunk != 0) fail(ErrorKind::internal, "maskgen GroupNorm: rows of {} values are not whole chunks", ow);
  const int per = oc / kGroups;
  const std::size_t row_chunks = std::size_t(ow) / kChunk, plane_chunks = row_chunks * oh;
  scratch.m1.resize(plane_chunks * oc * 8);
  scratch.m2.resize(plane_chunks * oc * 8);
  for (int oy = 0; oy < oh; ++oy) {
    const int y = oy * stride;
    int c0 = 0;
    for (FeatureMap* in : inputs) {
      activate_rows(*in, y + 2);
      for (int c = 0; c < in->c; ++c) {
        const float* rows[3] = {y > 0 ? in->row(c, y - 1) : nullptr, in->row(c, y), y + 1 < h ? in->row(c, y + 1) : nullptr};
        K().depthwise_row(rows, w, wts.depthwise.data() + 9 * (c0 + c), stride, row.data() + std::size_t(c0 + c) * row_stride, ow);
      }
      c0 += in->c;
    }
    K().pointwise(row.data(), ic, row_stride, wts.pointwise.data(), wts.bias.data(), oc, out.row(0, oy), out.stride, std::size_t(ow));
    for (int o = 0; o < oc; ++o) {
      // group o / per, channel o % per within it: the group's chunks run channel by channel
      const std::size_t chunk = std::size_t(o / per) * per * plane_chunks + std::size_t(o % per) * plane_chunks +
                                std::size_t(oy) * row_chunks;
      K().chunk_moments(out.row(o, oy), row_chunks, scratch.m1.data() + 8 * chunk, scratch.m2.data() + 8 * chunk);
    }
  }
  for (FeatureMap* in : inputs) activate(*in);
  return group_norm_affine(scratch, plane_chunks * per, wts.gamma, wts.beta);
}

void pointwise_to_planes(const FeatureMap& in, std::span<const float> weights, std::span<const float> bias, int oc, float* out) {
  K().pointwise(in.data(), in.c, in.stride, weights.data(), bias.data(), oc, out, in.plane(), in.plane());
}

void residual_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, FeatureMap& out) {
  if (&out != &x) out.resize(x.c, x.h, x.w);
  for (int c = 0; c < x.c; ++c) K().residual_silu(x.ch(c), r.ch(c), out.ch(c), x.plane(), norm.scale[c], norm.shift[c]);
}

void film_norm_silu(const FeatureMap& x, const FeatureMap& r, const ChannelAffine& norm, std::span<const float> g,
                    std::span<const float> b, FeatureMap& out) {
  if (&out != &x) out.resize(x.c, x.h, x.w);
  for (int c = 0; c < x.c; ++c)
    K().film_silu(x.ch(c), r.ch(c), out.ch(c), x.plane(), norm.scale[c], norm.shift[c], 1.0f + g[c], b[c]);
}

void sigmoid255(const float* x, float* out, std::size_t n) { K().sigmoid255(x, out, n); }

void silu_inplace(std::span<float> x) { K().affine_silu(x.data(), x.size(), 1.0f, 0.0f); }

void upsample2x_bilinear(const FeatureMap& in, FeatureMap& out) {
  out.resize(in.c, 2 * in.h, 2 * in.w);
  for (int y = 0; y < out.h; ++y) {
    const float s = std::max(0.0f, 0.5f * (static_cast<float>(y) + 0.5f) - 0.5f);
    const int y0 = std::min(static_cast<int>(s), in.h - 1), y1 = std::min(y0 + 1, in.h - 1);
    const float ly = s - static_cast<float>(y0), hy = 1.0f - ly;
    for (int c = 0; c < in.c; ++c) K().upsample2x_row(in.row(c, y0), in.row(c, y1), in.w, hy, ly, out.row(c, y));
  }
}

}  // namespace tac::codec::maskgen
