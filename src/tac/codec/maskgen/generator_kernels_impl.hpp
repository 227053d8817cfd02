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

// GroupNorm's affine: x * scale + shift, fused (as torch 1.13's kernel is compiled).
template <class L>
typename L::reg affine(typename L::reg x, typename L::reg scale, typename L::reg shift) {
  return L::fma(x, scale, shift);
}

template <class L>
typename L::reg silu(typename L::reg x) {
  return L::div(x, L::add(L::set1(1.0f), L::exp(L::sub(L::set1(0.0f), x))));
}

// ---- 1x1 convolution --------------------------------------------------------------------------

// K output channels x 2 vectors of pixels stay in registers while the input channels stream past.
template <int K>
inline void pointwise_block(const float* in, int ic, std::size_t in_stride, const float* w, const float* bias,
                            float* out, std::size_t out_stride, std::size_t p) {
  typename V::reg a[K][2];
  for (int k = 0; k < K; ++k) a[k][0] = a[k][1] = V::set1(bias[k]);
  for (int c = 0; c < ic; ++c) {
    const float* src = in + std::size_t(c) * in_stride + p;
    const auto x0 = V::load(src), x1 = V::load(src + V::N);
    for (int k = 0; k < K; ++k) {
      const auto wk = V::set1(w[std::size_t(k) * ic + c]);
      a[k][0] = mac<V>(a[k][0], x0, wk);
      a[k][1] = mac<V>(a[k][1], x1, wk);
    }
  }
  for (int k = 0; k < K; ++k) {
    float* dst = out + std::size_t(k) * out_stride + p;
    V::store(dst, a[k][0]);
    V::store(dst + V::N, a[k][1]);
  }
}

template <int K>
inline void pointwise_channels(const float* in, int ic, std::size_t in_stride, const float* w, const float* bias,
                               float* out, std::size_t out_stride, std::size_t full) {
  for (std::size_t p = 0; p < full; p += 2 * V::N) pointwise_block<K>(in, ic, in_stride, w, bias, out, out_stride, p);
}

void pointwise(const float* in, int ic, std::size_t in_stride, const float* w, const float* bias, int oc, float* out,
               std::size_t out_stride, std::size_t n) {
  constexpr int kOut = 6;
  const std::size_t full = n / (2 * V::N) * (2 * V::N);
  int o = 0;
  for (; o + kOut <= oc; o += kOut)
    pointwise_channels<kOut>(in, ic, in_stride, w + std::size_t(o) * ic, bias + o, out + std::size_t(o) * out_stride,
                             out_stride, full);
  const float* wo = w + std::size_t(o) * ic;
  float* oo = out + std::size_t(o) * out_stride;
  switch (oc - o) {
    case 5: pointwise_channels<5>(in, ic, in_stride, wo, bias + o, oo, out_stride, full); break;
    case 4: pointwise_channels<4>(in, ic, in_stride, wo, bias + o, oo, out_stride, full); break;
    case 3: pointwise_channels<3>(in, ic, in_stride, wo, bias + o, oo, out_stride, full); break;
    case 2: pointwise_channels<2>(in, ic, in_stride, wo, bias + o, oo, out_stride, full); break;
    case 1: pointwise_channels<1>(in, ic, in_stride, wo, bias + o, oo, out_stride, full); break;
    default: break;
  }
  for (std::size_t p = full; p < n; ++p)
    for (int q = 0; q < oc; ++q) {
      float s = bias[q];
      for (int c = 0; c < ic; ++c) s = mac<S>(s, in[std::size_t(c) * in_stride + p], w[std::size_t(q) * ic + c]);
      out[std::size_t(q) * out_stride + p] = s;
    }
}

// ---- depthwise 3x3 ----------------------------------------------------------------------------

// One output at input column x from the rows present: taps outside the plane are skipped (adding a
// zero product changes nothing).
inline float depthwise_at(const float* const rows[3], int w, const float* k, int x) {
  float s = 0.0f;
  for (int r = 0; r < 3; ++r) {
    if (!rows[r]) continue;
    for (int dx = -1; dx <= 1; ++dx)
      if (x + dx >= 0 && x + dx < w) s = mac<S>(s, rows[r][x + dx], k[r * 3 + dx + 1]);
  }
  return s;
}

// Output vectors at [x, x + N) for x in [1, w - 1 - N], the last one placed flush with w - 1
// (recomputing a few outputs, identically) so no scalar remainder is left but the two borders.
// Needs last - first >= N.
template <int Present, class Row>  // bit r: row r present; Row(r, x) the vector of row r at x
inline void depthwise_vectors(const typename V::reg kv[9], float* out, int first, int last, Row&& load) {
  const auto one = [&](int x) {
    auto s = V::set1(0.0f);
    for (int r = 0; r < 3; ++r) {
      if (!(Present & (1 << r))) continue;
      s = mac<V>(s, load(r, 0, x), kv[3 * r]);
      s = mac<V>(s, load(r, 1, x), kv[3 * r + 1]);
      s = mac<V>(s, load(r, 2, x), kv[3 * r + 2]);
    }
    V::store(out + x, s);
  };
  // Four outputs vectors at a time: each is a chain of nine dependent multiply-adds, so four
  // chains interleaved keep the FMA units busy.
  constexpr int kUnroll = 4;
  int x = first;
  for (; x + kUnroll * V::N <= last; x += kUnroll * V::N) {
    typename V::reg s[kUnroll];
    for (int u = 0; u < kUnroll; ++u) s[u] = V::set1(0.0f);
    for (int r = 0; r < 3; ++r) {
      if (!(Present & (1 << r))) continue;
      for (int dx = 0; dx < 3; ++dx)
        for (int u = 0; u < kUnroll; ++u) s[u] = mac<V>(s[u], load(r, dx, x + u * V::N), kv[3 * r + dx]);
    }
    for (int u = 0; u < kUnroll; ++u) V::store(out + x + u * V::N, s[u]);
  }
  for (; x + V::N <= last; x += V::N) one(x);
  if (x < last) one(last - V::N);
}

template <class Row>
inline void depthwise_dispatch(const float* const rows[3], const typename V::reg kv[9], float* out, int first,
                               int last, Row&& load) {
  if (rows[0] && rows[2]) depthwise_vectors<7>(kv, out, first, last, load);
  else if (rows[2]) depthwise_vectors<6>(kv, out, first, last, load);
  else if (rows[0]) depthwise_vectors<3>(kv, out, first, last, load);
  else depthwise_vectors<2>(kv, out, first, last, load);
}

void depthwise_row(const float* const rows[3], int w, const float* k, int stride, float* out, int ow) {
  typename V::reg kv[9];
  for (int i = 0; i < 9; ++i) kv[i] = V::set1(k[i]);
  if (stride == 1) {
    if (w - 2 < V::N) {
      for (int x = 0; x < w; ++x) out[x] = depthwise_at(rows, w, k, x);
      return;
    }
    out[0] = depthwise_at(rows, w, k, 0);
    depthwise_dispatch(rows, kv, out, 1, w - 1, [&](int r, int dx, int x) { return V::load(rows[r] + x + dx - 1); });
    out[w - 1] = depthwise_at(rows, w, k, w - 1);
    return;
  }
  // Stride 2: output ox reads columns 2 ox - 1, 2 ox, 2 ox + 1; split the rows into even and odd
  // columns so those are three unit-stride loads.
  constexpr int kMaxHalf = 1024;
  const int last = (w - 2) / 2 + 1;  // outputs [1, last) have all three columns inside
  if (stride != 2 || w > 2 * kMaxHalf || last - 1 < V::N) {
    for (int ox = 0; ox < ow; ++ox) out[ox] = depthwise_at(rows, w, k, ox * stride);
    return;
  }
  alignas(32) float even[3][kMaxHalf], odd[3][kMaxHalf];
  for (int r = 0; r < 3; ++r) {
    if (!rows[r]) continue;
    for (int i = 0; 2 * i < w; ++i) even[r][i] = rows[r][2 * i];
    for (int i = 0; 2 * i + 1 < w; ++i) odd[r][i] = rows[r][2 * i + 1];
  }
  out[0] = depthwise_at(rows, w, k, 0);
  depthwise_dispatch(rows, kv, out, 1, last, [&](int r, int dx, int x) {
    return dx == 1 ? V::load(even[r] + x) : V::load(odd[r] + x + dx / 2 - 1);
  });
  for (int ox = last; ox < ow; ++ox) out[ox] = depthwise_at(rows, w, k, 2 * ox);
}

// ---- GroupNorm moments ------------------------------------------------------------------------

// Merges (m0_add, m1_add, m2_add) into (m0, m1, m2), lane-wise (torch's AddMomentsVec).
inline void add_moments(std::int64_t m0_add, W8 m1_add, W8 m2_add, std::int64_t& m0, W8& m1, W8& m2) {
  const std::int64_t n = m0 + m0_add;
  const float c = n == 0 ? 0.0f : static_cast<float>(m0_add) / static_cast<float>(n);
  const W8 c_vec = W8::set1(c);
  const W8 delta = W8::sub(m1_add, m1);
  m1 = W8::add(m1, W8::mul(c_vec, delta));
  m2 = W8::add(m2, W8::add(m2_add, W8::mul(W8::mul(W8::mul(delta, delta), c_vec), W8::set1(static_cast<float>(m0)))));
  m0 = n;
}

// Per chunk of 16 vectors of 8 (128 floats): the lanes' Welford mean and sum of squared
// deviations, into m1[8 k ..] and m2[8 k ..] (torch's inner loop of RowwiseMoments).
void chunk_moments(const float* x, std::size_t chunks, float* m1_out, float* m2_out) {
  constexpr int kChunk = kMomentChunk / 8;
  static_assert(W8::kLanes == 8);
  W8 inverse[kChunk];
  for (int j = 0; j < kChunk; ++j) inverse[j] = W8::set1(1.0f / static_cast<float>(j + 1));
  // Each chunk is a chain of dependent updates: four chunks run interleaved.
  constexpr std::size_t kTogether = 4;
  std::size_t c = 0;
  for (; c + kTogether <= chunks; c += kTogether) {
    W8 m1[kTogether], m2[kTogether];
    for (std::size_t u = 0; u < kTogether; ++u) m1[u] = m2[u] = W8::set1(0.0f);
    for (int j = 0; j < kChunk; ++j)
      for (std::size_t u = 0; u < kTogether; ++u) {
        const W8 v = W8::load(x + (c + u) * kMomentChunk + 8 * j);
        const W8 delta = W8::sub(v, m1[u]);
        m1[u] = W8::add(m1[u], W8::mul(delta, inverse[j]));
        m2[u] = W8::add(m2[u], W8::mul(delta, W8::sub(v, m1[u])));
      }
    for (std::size_t u = 0; u < kTogether; ++u) W8::store(m1_out + 8 * (c + u), m1[u]), W8::store(m2_out + 8 * (c + u), m2[u]);
  }
  for (; c < chunks; ++c) {
    W8 m1 = W8::set1(0.0f), m2 = W8::set1(0.0f);
    for (int j = 0; j < kChunk; ++j) {
      const W8 v = W8::load(x + c * kMomentChunk + 8 * j);
      const W8 delta = W8::sub(v, m1);
      m1 = W8::add(m1, W8::mul(delta, inverse[j]));
      m2 = W8::add(m2, W8::mul(delta, W8::sub(v, m1)));
    }
    W8::store(m1_out + 8 * c, m1), W8::store(m2_out + 8 * c, m2);
  }
}

// The chunks' results merged in torch's binary cascade, then the lanes in order: mean and biased
// variance of the chunks * 128 values.
void merge_moments(const float* m1_in, const float* m2_in, std::size_t chunks, float* mean, float* variance) {
  constexpr int kChunk = kMomentChunk / 8, kDepth = 64;
  int depth = 0;
  while ((std::size_t{1} << depth) < chunks) ++depth;
  std::int64_t m0_stack[kDepth] = {};
  W8 m1_stack[kDepth], m2_stack[kDepth];
  for (int d = 0; d < kDepth; ++d) m1_stack[d] = m2_stack[d] = W8::set1(0.0f);
  for (std::size_t i = 0; i < chunks; ++i) {
    add_moments(kChunk, W8::load(m1_in + 8 * i), W8::load(m2_in + 8 * i), m0_stack[0], m1_stack[0], m2_stack[0]);
    std::size_t mask = i + 1;
    for (int d = 1; d < depth && (mask & 1) == 0; ++d) {
      add_moments(m0_stack[d - 1], m1_stack[d - 1], m2_stack[d - 1], m0_stack[d], m1_stack[d], m2_stack[d]);
      m0_stack[d - 1] = 0;
      m1_stack[d - 1] = m2_stack[d - 1] = W8::set1(0.0f);
      mask >>= 1;
    }
  }
  for (int d = 1; d < depth; ++d) add_moments(m0_stack[d], m1_stack[d], m2_stack[d], m0_stack[0], m1_stack[0], m2_stack[0]);
  float m1_lanes[8], m2_lanes[8];
  W8::store(m1_lanes, m1_stack[0]);
  W8::store(m2_lanes, m2_stack[0]);
  const std::int64_t n = std::int64_t(chunks) * kChunk;  // values per lane
  std::int64_t m0 = 0;
  float m1 = 0.0f, m2 = 0.0f;
  for (int l = 0; l < 8; ++l) {  // torch's scalar AddMoments
    const std::int64_t total = m0 + n;
    const float c = total == 0 ? 0.0f : static_cast<float>(n) / static_cast<float>(total);
    const float delta = m1_lanes[l] - m1;
    m1 += c * delta;
    m2 += m2_lanes[l] + delta * delta * c * static_cast<float>(m0);
    m0 = total;
  }
  *mean = m1;
  *variance = m2 / static_cast<float>(n * 8);
}

// ---- x2 bilinear upsample ---------------------------------------------------------------------

template <class L>
typename L::reg lerp2(typename L::reg p0, typename L::reg w0, typename L::reg p1, typename L::reg w1) {
  return L::fma(p0, w0, L::mul(p1, w1));
}

// Output column x of the row: source columns and weights as torch computes them for scale 2.
inline float upsample2x_at(const float* a, const float* b, int w, float hy, float ly, int x) {
  const float s = std::max(0.0f, 0.5f * (static_cast<float>(x) + 0.5f) - 0.5f);
  const int i0 = std::min(static_cast<int>(s), w - 1), i1 = std::min(i0 + 1, w - 1);
  const float l1 = s - static_cast<float>(i0), l0 = 1.0f - l1;
  return lerp2<S>(lerp2<S>(a[i0], l0, a[i1], l1), hy, lerp2<S>(b[i0], l0, b[i1], l1), ly);
}

void upsample2x_row(const float* a, const float* b, int w, float hy, float ly, float* out) {
  // Inside, output 2 i takes columns (i - 1, i) with weights (1/4, 3/4) and output 2 i + 1 takes
  // (i, i + 1) with (3/4, 1/4): even and odd outputs are computed apart, then interleaved.
  constexpr int kMax = 1024;
  if (w > kMax || w < 2 + V::N) {
    for (int x = 0; x < 2 * w; ++x) out[x] = upsample2x_at(a, b, w, hy, ly, x);
    return;
  }
  alignas(32) float even[kMax], odd[kMax];
  const auto q1 = V::set1(0.25f), q3 = V::set1(0.75f), vy0 = V::set1(hy), vy1 = V::set1(ly);
  int i = 1;
  for (; i + V::N <= w; i += V::N)
    V::store(even + i, lerp2<V>(lerp2<V>(V::load(a + i - 1), q1, V::load(a + i), q3), vy0,
                                lerp2<V>(V::load(b + i - 1), q1, V::load(b + i), q3), vy1));
  for (; i < w; ++i) even[i] = upsample2x_at(a, b, w, hy, ly, 2 * i);
  i = 0;
  for (; i + V::N <= w - 1; i += V::N)
    V::store(odd + i, lerp2<V>(lerp2<V>(V::load(a + i), q3, V::load(a + i + 1), q1), vy0,
                               lerp2<V>(V::load(b + i), q3, V::load(b + i + 1), q1), vy1));
  for (; i < w; ++i) odd[i] = upsample2x_at(a, b, w, hy, ly, 2 * i + 1);
  even[0] = upsample2x_at(a, b, w, hy, ly, 0);
  for (int k = 0; k < w; ++k) out[2 * k] = even[k], out[2 * k + 1] = odd[k];
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
  return {name, &pointwise, &depthwise_row, &chunk_moments, &merge_moments, &affine_silu, &residual_silu, &film_silu, &upsample2x_row, &sigmoid255};
}
