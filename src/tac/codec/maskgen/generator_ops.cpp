#include "tac/codec/maskgen/generator_ops.hpp"

#include "tac/codec/maskgen/pointwise_kernel.hpp"

#include <algorithm>
#include <cmath>

namespace tac::codec::maskgen {

void depthwise3x3(const FeatureMap& in, std::span<const float> weights, int stride, FeatureMap& out, int out_offset) {
  const int H = in.h, W = in.w, OH = out.h, OW = out.w;
  std::vector<float> padded(std::size_t(H + 2) * (W + 2));
  const int PW = W + 2;
  for (int c = 0; c < in.c; ++c) {
    const float* src = in.ch(c);
    std::fill(padded.begin(), padded.end(), 0.0f);
    for (int y = 0; y < H; ++y) std::copy(src + std::size_t(y) * W, src + std::size_t(y + 1) * W, &padded[std::size_t(y + 1) * PW + 1]);
    const float* k = weights.data() + 9 * c;
    float* dst = out.ch(out_offset + c);
    for (int oy = 0; oy < OH; ++oy) {
      const float* r0 = &padded[std::size_t(oy * stride) * PW];
      const float* r1 = r0 + PW;
      const float* r2 = r1 + PW;
      float* o = dst + std::size_t(oy) * OW;
      if (stride == 1) {
        for (int ox = 0; ox < OW; ++ox) {
          float s = r0[ox] * k[0];
          s += r0[ox + 1] * k[1];
          s += r0[ox + 2] * k[2];
          s += r1[ox] * k[3];
          s += r1[ox + 1] * k[4];
          s += r1[ox + 2] * k[5];
          s += r2[ox] * k[6];
          s += r2[ox + 1] * k[7];
          s += r2[ox + 2] * k[8];
          o[ox] = s;
        }
      } else {
        for (int ox = 0; ox < OW; ++ox) {
          const int x = ox * stride;
          float s = r0[x] * k[0];
          s += r0[x + 1] * k[1];
          s += r0[x + 2] * k[2];
          s += r1[x] * k[3];
          s += r1[x + 1] * k[4];
          s += r1[x + 2] * k[5];
          s += r2[x] * k[6];
          s += r2[x + 1] * k[7];
          s += r2[x + 2] * k[8];
          o[ox] = s;
        }
      }
    }
  }
}

namespace {

kernels::PointwiseFn pick_pointwise() {
#if defined(TAC_X86_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return kernels::pointwise_avx2;
#endif
  return kernels::pointwise_generic;
}

}  // namespace

void pointwise(const FeatureMap& in, std::span<const float> weights, std::span<const float> bias, int oc, FeatureMap& out) {
  static const kernels::PointwiseFn kernel = pick_pointwise();
  out.resize(oc, in.h, in.w);
  kernel(in.v.data(), in.c, weights.data(), bias.data(), oc, out.v.data(), in.plane());
}

void group_norm(FeatureMap& x, int groups, std::span<const float> gamma, std::span<const float> beta) {
  const int per = x.c / groups;
  const std::size_t n = x.plane() * per;
  for (int g = 0; g < groups; ++g) {
    const float* v = x.ch(g * per);
    double sum = 0, sq = 0;
    for (std::size_t i = 0; i < n; ++i) sum += v[i];
    const double mean = sum / double(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double d = v[i] - mean;
      sq += d * d;
    }
    const float var = static_cast<float>(sq / double(n));
    const float mean_f = static_cast<float>(mean);
    const float rstd = 1.0f / std::sqrt(var + 1e-5f);
    for (int c = g * per; c < (g + 1) * per; ++c) {
      // torch: y = x * (rstd * gamma) + (beta - rstd * gamma * mean)
      const float scale = rstd * gamma[c];
      const float shift = beta[c] - scale * mean_f;
      float* p = x.ch(c);
      for (std::size_t i = 0; i < x.plane(); ++i) p[i] = p[i] * scale + shift;
    }
  }
}

float silu(float x) { return x / (1.0f + std::exp(-x)); }

void silu_inplace(std::span<float> x) {
  for (float& v : x) v = silu(v);
}

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
