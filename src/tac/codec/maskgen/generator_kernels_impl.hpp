// The maskgen generator kernels (generator_kernels.hpp) over a vector lane V (N floats: load,
// store, set1, add, mul, div, fma, exp) and the one-float lane S for tails. Included once per
// instruction-set translation unit, inside its region and an anonymous namespace (each build keeps
// its own copy). No include guard on purpose.

// One multiply-add of the convolutions: acc + a * b with one rounding (torch 1.13's oneDNN
// kernels accumulate with fused multiply-adds).
template <class L>
typename L::reg mac(typename L::reg acc, typename L::reg a, typename L::reg b) {
  return L::fma(a, b, acc);
}

// GroupNorm's affine: x * scale + shift.
template <class L>
typename L::reg affine(typename L::reg x, typename L::reg scale, typename L::reg shift) {
  return L::add(L::mul(x, scale), shift);
}

template <class L>
typename L::reg silu(typename L::reg x) {
  return L::div(x, L::add(L::set1(1.0f), L::exp(L::sub(L::set1(0.0f), x))));
}

// ---- 1x1 convolution --------------------------------------------------------------------------

// K output channels x 3 vectors of pixels stay in registers while the input channels stream past.
template <int K>
inline void pointwise_block(const float* in, int ic, const float* w, const float* bias, float* out, std::size_t p,
                            std::size_t in_stride, std::size_t out_stride) {
  typename V::reg a[K][3];
  for (int k = 0; k < K; ++k) a[k][0] = a[k][1] = a[k][2] = V::set1(bias[k]);
  for (int c = 0; c < ic; ++c) {
    const float* src = in + std::size_t(c) * in_stride + p;
    const auto x0 = V::load(src), x1 = V::load(src + V::N), x2 = V::load(src + 2 * V::N);
    for (int k = 0; k < K; ++k) {
      const auto wk = V::set1(w[std::size_t(k) * ic + c]);
      a[k][0] = mac<V>(a[k][0], x0, wk);
      a[k][1] = mac<V>(a[k][1], x1, wk);
      a[k][2] = mac<V>(a[k][2], x2, wk);
    }
  }
  for (int k = 0; k < K; ++k) {
    float* dst = out + std::size_t(k) * out_stride + p;
    V::store(dst, a[k][0]);
    V::store(dst + V::N, a[k][1]);
    V::store(dst + 2 * V::N, a[k][2]);
  }
}

template <int K>
inline void pointwise_tile(const float* in, int ic, const float* w, const float* bias, float* out, std::size_t len,
                           std::size_t in_stride, std::size_t out_stride) {
  for (std::size_t p = 0; p < len; p += 3 * V::N) pointwise_block<K>(in, ic, w, bias, out, p, in_stride, out_stride);
}

void pointwise(const float* in, int ic, const float* w, const float* bias, int oc, float* out, std::size_t n,
               std::size_t stride) {
  // Tiles of pixels: the tile's inputs are first copied together (ic rows of kTile floats, in L1
  // and on a page or two), so the channel loop does not walk one page per channel.
  constexpr std::size_t kBlock = 3 * V::N, kTile = 4 * 3 * 8;
  constexpr int kMaxPacked = 128;
  constexpr std::size_t kPrefetch = 4 * kTile;  // floats ahead (may run past the plane: prefetches never fault)
  static_assert(kTile % kBlock == 0);
  alignas(64) float packed[kMaxPacked * kTile];
  const std::size_t full = ic <= kMaxPacked ? n / kBlock * kBlock : 0;
  for (std::size_t p0 = 0; p0 < full; p0 += kTile) {
    const std::size_t len = std::min(full - p0, kTile);
    for (int c = 0; c < ic; ++c) {
      const float* src = in + std::size_t(c) * stride + p0;
      std::memcpy(packed + std::size_t(c) * kTile, src, len * sizeof(float));
      // The hardware prefetchers do not follow ic interleaved streams: fetch a later tile now.
      for (std::size_t line = 0; line < kTile; line += 16) __builtin_prefetch(src + kPrefetch + line);
    }
    int o = 0;
    for (; o + 4 <= oc; o += 4)
      pointwise_tile<4>(packed, ic, w + std::size_t(o) * ic, bias + o, out + std::size_t(o) * stride + p0, len, kTile, stride);
    const float* wo = w + std::size_t(o) * ic;
    float* oo = out + std::size_t(o) * stride + p0;
    switch (oc - o) {
      case 3: pointwise_tile<3>(packed, ic, wo, bias + o, oo, len, kTile, stride); break;
      case 2: pointwise_tile<2>(packed, ic, wo, bias + o, oo, len, kTile, stride); break;
      case 1: pointwise_tile<1>(packed, ic, wo, bias + o, oo, len, kTile, stride); break;
      default: break;
    }
  }
  for (std::size_t p = full; p < n; ++p)
    for (int o = 0; o < oc; ++o) {
      float s = bias[o];
      for (int c = 0; c < ic; ++c) s = mac<S>(s, in[std::size_t(c) * stride + p], w[std::size_t(o) * ic + c]);
      out[std::size_t(o) * stride + p] = s;
    }
}

// ---- depthwise 3x3 ----------------------------------------------------------------------------

// One output of a plane at (y, x) of the input grid: taps outside the plane are skipped (adding a
// zero product changes nothing).
inline float depthwise_at(const float* in, int h, int w, const float* k, int y, int x) {
  float s = 0.0f;
  for (int dy = -1; dy <= 1; ++dy) {
    if (y + dy < 0 || y + dy >= h) continue;
    const float* row = in + std::size_t(y + dy) * w;
    for (int dx = -1; dx <= 1; ++dx)
      if (x + dx >= 0 && x + dx < w) s = mac<S>(s, row[x + dx], k[(dy + 1) * 3 + dx + 1]);
  }
  return s;
}

void depthwise3x3(const float* in, int h, int w, const float* k, int stride, float* out, int oh, int ow) {
  if (stride != 1) {
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) out[std::size_t(oy) * ow + ox] = depthwise_at(in, h, w, k, oy * stride, ox * stride);
    return;
  }
  typename V::reg kv[9];
  for (int i = 0; i < 9; ++i) kv[i] = V::set1(k[i]);
  for (int y = 0; y < oh; ++y) {
    const float* rows[3] = {y > 0 ? in + std::size_t(y - 1) * w : nullptr, in + std::size_t(y) * w,
                            y + 1 < h ? in + std::size_t(y + 1) * w : nullptr};
    float* o = out + std::size_t(y) * ow;
    o[0] = depthwise_at(in, h, w, k, y, 0);
    int x = 1;
    for (; x + V::N <= w - 1; x += V::N) {
      auto s = V::set1(0.0f);
      for (int r = 0; r < 3; ++r) {
        if (!rows[r]) continue;
        s = mac<V>(s, V::load(rows[r] + x - 1), kv[3 * r]);
        s = mac<V>(s, V::load(rows[r] + x), kv[3 * r + 1]);
        s = mac<V>(s, V::load(rows[r] + x + 1), kv[3 * r + 2]);
      }
      V::store(o + x, s);
    }
    for (; x < w; ++x) o[x] = depthwise_at(in, h, w, k, y, x);
  }
}

// ---- element-wise ends of the blocks ----------------------------------------------------------

template <class L, class F>
inline void each(std::size_t& i, std::size_t n, F&& f) {
  for (; i + L::N <= n; i += L::N) f(i);
}

void affine_silu(float* x, std::size_t n, float scale, float shift) {
  std::size_t i = 0;
  const auto sc = V::set1(scale), sh = V::set1(shift);
  each<V>(i, n, [&](std::size_t j) { V::store(x + j, silu<V>(affine<V>(V::load(x + j), sc, sh))); });
  for (; i < n; ++i) x[i] = silu<S>(affine<S>(x[i], scale, shift));
}

void residual_silu(const float* x, const float* r, float* out, std::size_t n, float scale, float shift) {
  std::size_t i = 0;
  const auto sc = V::set1(scale), sh = V::set1(shift);
  each<V>(i, n, [&](std::size_t j) {
    V::store(out + j, silu<V>(V::add(V::load(x + j), affine<V>(V::load(r + j), sc, sh))));
  });
  for (; i < n; ++i) out[i] = silu<S>(x[i] + affine<S>(r[i], scale, shift));
}

void film_silu(const float* x, const float* r, float* out, std::size_t n, float scale, float shift, float film_scale,
               float film_shift) {
  std::size_t i = 0;
  const auto sc = V::set1(scale), sh = V::set1(shift), fs = V::set1(film_scale), fb = V::set1(film_shift);
  each<V>(i, n, [&](std::size_t j) {
    const auto t = V::add(V::load(x + j), V::mul(affine<V>(V::load(r + j), sc, sh), fs));
    V::store(out + j, silu<V>(V::add(t, fb)));
  });
  for (; i < n; ++i) out[i] = silu<S>((x[i] + affine<S>(r[i], scale, shift) * film_scale) + film_shift);
}

void sigmoid255(const float* x, float* out, std::size_t n) {
  std::size_t i = 0;
  const auto one = V::set1(1.0f), zero = V::set1(0.0f), k255 = V::set1(255.0f);
  each<V>(i, n, [&](std::size_t j) {
    const auto e = V::exp(V::sub(zero, V::load(x + j)));
    V::store(out + j, V::mul(V::div(one, V::add(e, one)), k255));
  });
  for (; i < n; ++i) out[i] = (1.0f / (S::exp(0.0f - x[i]) + 1.0f)) * 255.0f;
}

GeneratorKernels make_kernels(const char* name) {
  return {name, &pointwise, &depthwise3x3, &moments, &affine_silu, &residual_silu, &film_silu, &sigmoid255};
}
