#pragma once
// The 1x1 convolution kernel body, included only by pointwise_kernel_<isa>.cpp, each built for one
// instruction set:
// blocks of 16 pixels x 4 output channels stay in vector registers while the input channels
// stream past, so each input value is loaded once per 4 outputs. Plain multiply then add (no
// fused multiply-add), one rounding each, as everywhere in tac.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "tac/codec/maskgen/pointwise_kernel.hpp"

// The generic build returns 32-byte vectors from always-inlined helpers only; GCC still notes the
// ABI of such returns without AVX, which never applies here.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tac::codec::maskgen::kernels {
namespace {  // internal linkage: each instruction-set build keeps its own copy

typedef float V8 __attribute__((vector_size(32)));

// Inlined everywhere, so the vector return never crosses a call (no ABI question).
[[gnu::always_inline]] inline V8 load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void store8(float* p, V8 v) { std::memcpy(p, &v, sizeof v); }

// One tile of pixels [p0, p0 + len), len a multiple of 16: the tile's inputs (ic x len floats) stay
// in L1 while all output channels are computed from them.
inline void pointwise_tile(const float* in, int ic, const float* w, const float* bias, int oc, float* out,
                           std::size_t n, std::size_t p0, std::size_t len) {
  int o = 0;
  for (; o + 4 <= oc; o += 4) {
    for (std::size_t p = p0; p < p0 + len; p += 16) {
      V8 a[4][2] = {};
      for (int c = 0; c < ic; ++c) {
        const float* src = in + std::size_t(c) * n + p;
        const V8 x0 = load8(src), x1 = load8(src + 8);
        for (int k = 0; k < 4; ++k) {
          const float wk = w[std::size_t(o + k) * ic + c];
          a[k][0] += x0 * wk;
          a[k][1] += x1 * wk;
        }
      }
      for (int k = 0; k < 4; ++k) {
        float* dst = out + std::size_t(o + k) * n + p;
        store8(dst, a[k][0] + bias[o + k]);
        store8(dst + 8, a[k][1] + bias[o + k]);
      }
    }
  }
  for (; o < oc; ++o) {
    for (std::size_t p = p0; p < p0 + len; p += 16) {
      V8 a0 = {}, a1 = {};
      for (int c = 0; c < ic; ++c) {
        const float* src = in + std::size_t(c) * n + p;
        const float wk = w[std::size_t(o) * ic + c];
        a0 += load8(src) * wk;
        a1 += load8(src + 8) * wk;
      }
      float* dst = out + std::size_t(o) * n + p;
      store8(dst, a0 + bias[o]);
      store8(dst + 8, a1 + bias[o]);
    }
  }
}

// out[o][p] = bias[o] + sum_c w[o][c] * in[c][p]; planes of n floats, channel-major.
inline void pointwise_body(const float* in, int ic, const float* w, const float* bias, int oc, float* out, std::size_t n) {
  constexpr std::size_t kTile = 128;
  const std::size_t full = n / 16 * 16;
  for (std::size_t p = 0; p < full; p += kTile) pointwise_tile(in, ic, w, bias, oc, out, n, p, std::min(kTile, full - p));
  for (std::size_t p = full; p < n; ++p)
    for (int o = 0; o < oc; ++o) {
      float s = 0.0f;
      for (int c = 0; c < ic; ++c) s += w[std::size_t(o) * ic + c] * in[std::size_t(c) * n + p];
      out[std::size_t(o) * n + p] = s + bias[o];
    }
}

}  // namespace
}  // namespace tac::codec::maskgen::kernels
