// The hnerv95 decoder's forward pass, written once over a vector type V and included by one
// translation unit per instruction set inside an anonymous namespace (no shared symbols).
// V provides: reg, N, load, store, set1, fma(a, b, c) = a*b+c rounded once, add, sub, mul, div,
// sin, exp, and interleave_lo/hi(a, b) = the first/second half of a0 b0 a1 b1 ...
// S is the one-lane version used for row tails. Vectors run ACROSS output pixels (and registers
// across output channels), never across a reduction: every output value sees the same scalar
// operations in the same order for V and S, so the result never depends on the vector width
// (the orders are those of hnerv95_decoder.hpp).

using tac::codec::hnerv95::Conv;
using tac::codec::hnerv95::Model;
using tac::codec::hnerv95::Planes;
using tac::codec::hnerv95::TorchBatch;
using tac::codec::hnerv95::Workspace;
using R = typename V::reg;

enum class Order {
  onednn_blocks,  // oneDNN direct conv: fma chains per 16 input channels, + bias / + running sum
  fma_from_bias,  // oneDNN 1x1: one fma chain starting at the bias
  thnn,           // im2col + reference BLAS: bias + w*x + w*x ... without fma, (c, kh, kw) order
};

// Register blocking: a tile is OB output channels x NX vectors of pixels of one output row, all
// OB * NX accumulators in registers (AVX-512: 32 registers, AVX2: 16).
constexpr int kMaxOB = V::N >= 16 ? 12 : V::N >= 8 ? 6 : 8;
constexpr int kAccRegs = V::N >= 16 ? 24 : V::N >= 8 ? 12 : 8;
template <int OB>
constexpr int nx_for() {
  return kAccRegs / OB < 1 ? 1 : kAccRegs / OB > 4 ? 4 : kAccRegs / OB;
}

// Final values of one tile: out[o][j] = output channel ob0 + o, pixels x + j*N .. x + j*N + N - 1.
// The weights of (input channel c, tap t) for output o are at w[(c * K*K + t) * wstep + o].
template <class W, int OB, int NX, Order ORD, int K>
inline void conv_tile(const float* in0, std::size_t plane, std::size_t stride, int cin, int dil, const float* w,
                      std::size_t wstep, const float* bias, typename W::reg (&out)[OB][NX]) {
  using T = typename W::reg;
  constexpr int KK = K * K;
  // Local accumulators: vector types may alias float, so accumulating through `out` (memory the
  // compiler cannot keep in registers across the input loads) would store them on every step.
  T acc[OB][NX];
  if constexpr (ORD == Order::onednn_blocks) {
    // One block of input channels [cb, ce): acc = fma chain from 0 over (kh, kw, c).
    auto block = [&](int cb, int ce) {
      #pragma GCC unroll 16
      for (int o = 0; o < OB; ++o)
        #pragma GCC unroll 16
        for (int j = 0; j < NX; ++j) acc[o][j] = W::set1(0.0f);
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) {
          const float* src = in0 + std::size_t(kh) * dil * stride + kw * dil + cb * plane;
          const float* wt = w + (std::size_t(cb) * KK + kh * K + kw) * wstep;
          for (int c = cb; c < ce; ++c, src += plane, wt += KK * wstep) {
            T xv[NX];
            #pragma GCC unroll 16
            for (int j = 0; j < NX; ++j) xv[j] = W::load(src + j * W::N);
            #pragma GCC unroll 16
            for (int o = 0; o < OB; ++o) {
              const T wv = W::set1(wt[o]);
              #pragma GCC unroll 16
              for (int j = 0; j < NX; ++j) acc[o][j] = W::fma(wv, xv[j], acc[o][j]);
            }
          }
        }
    };
    int ce = std::min(cin, 16);
    block(0, ce);
    #pragma GCC unroll 16
    for (int o = 0; o < OB; ++o)
      #pragma GCC unroll 16
      for (int j = 0; j < NX; ++j) acc[o][j] = W::add(acc[o][j], W::set1(bias[o]));  // block 0 + bias
    alignas(64) float part[OB][NX][W::N];  // the running sum while the next block accumulates
    while (ce < cin) {
      #pragma GCC unroll 16
      for (int o = 0; o < OB; ++o)
        #pragma GCC unroll 16
        for (int j = 0; j < NX; ++j) W::store(part[o][j], acc[o][j]);
      const int cb = ce;
      ce = std::min(cin, cb + 16);
      block(cb, ce);
      #pragma GCC unroll 16
      for (int o = 0; o < OB; ++o)
        #pragma GCC unroll 16
        for (int j = 0; j < NX; ++j) acc[o][j] = W::add(acc[o][j], W::load(part[o][j]));  // block k + running sum
    }
  } else {
    #pragma GCC unroll 16
    for (int o = 0; o < OB; ++o)
      #pragma GCC unroll 16
      for (int j = 0; j < NX; ++j) acc[o][j] = W::set1(bias[o]);
    for (int c = 0; c < cin; ++c)
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) {
          const float* src = in0 + c * plane + std::size_t(kh) * dil * stride + kw * dil;
          T xv[NX];
          #pragma GCC unroll 16
          for (int j = 0; j < NX; ++j) xv[j] = W::load(src + j * W::N);
          const float* wt = w + (std::size_t(c) * KK + kh * K + kw) * wstep;
          #pragma GCC unroll 16
          for (int o = 0; o < OB; ++o) {
            const T wv = W::set1(wt[o]);
            #pragma GCC unroll 16
            for (int j = 0; j < NX; ++j) {
              if constexpr (ORD == Order::fma_from_bias)
                acc[o][j] = W::fma(wv, xv[j], acc[o][j]);
              else
                acc[o][j] = W::add(acc[o][j], W::mul(wv, xv[j]));
            }
          }
        }
  }
  #pragma GCC unroll 16
  for (int o = 0; o < OB; ++o)
    #pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) out[o][j] = acc[o][j];
}

// PyTorch's bilinear x2 (align_corners False): source = max((o + 0.5) * 0.5 - 0.5, 0),
// l1 = source - floor, l0 = 1 - l1; value = fma(v0, l0, v1 * l1), width first, then height.
// Away from the borders the taps are exact quarters: output 2k = fma(in[k-1], 0.25, in[k] * 0.75),
// 2k + 1 = fma(in[k], 0.75, in[k+1] * 0.25); the borders use the general formula.
struct Taps {
  int i0, i1;
  float l0, l1;
};
inline Taps bilinear_taps(int o, int in_size) {
  const float src = std::max((static_cast<float>(o) + 0.5f) * 0.5f - 0.5f, 0.0f);
  const int i0 = static_cast<int>(src);
  const float l1 = src - static_cast<float>(i0);
  return {i0, i0 < in_size - 1 ? i0 + 1 : i0, 1.0f - l1, l1};
}

// The bilinear x2 of channel c of x (padded by >= 1) at output (Y, X), by the general formula.
inline float bilinear_x2_at(const Planes& x, int c, int Y, int X) {
  const Taps ty = bilinear_taps(Y, x.h), tx = bilinear_taps(X, x.w);
  auto h = [&](int row) {
    const float* p = x.at(c, row, 0);
    return std::fma(p[tx.i0], tx.l0, p[tx.i1] * tx.l1);
  };
  return std::fma(h(ty.i0), ty.l0, h(ty.i1) * ty.l1);
}

// The same at output row Y, columns 2k .. 2k + 2N - 1 (k + N <= x.w), as two vectors: the
// identity of a stage without a skip conv, computed where it is needed instead of as a plane.
inline void bilinear_x2_vec(const Planes& x, int c, int Y, int k, R& lo, R& hi) {
  const Taps t = bilinear_taps(Y, x.h);
  const R q1 = V::set1(0.25f), q3 = V::set1(0.75f);
  R even[2], odd[2];
  const float* rows[2] = {x.at(c, t.i0, k), x.at(c, t.i1, k)};
  for (int i = 0; i < 2; ++i) {
    const R a = V::load(rows[i] - 1), b = V::load(rows[i]), n = V::load(rows[i] + 1);
    even[i] = V::fma(a, q1, V::mul(b, q3));
    odd[i] = V::fma(b, q3, V::mul(n, q1));
  }
  const R l0 = V::set1(t.l0), l1 = V::set1(t.l1);
  const R ev = V::fma(even[0], l0, V::mul(even[1], l1)), od = V::fma(odd[0], l0, V::mul(odd[1], l1));
  lo = V::interleave_lo(ev, od);
  hi = V::interleave_hi(ev, od);
  if (k == 0 || k + V::N >= x.w) {  // a border column in this vector: the general formula there
    alignas(64) float v[2 * V::N];
    V::store(v, lo);
    V::store(v + V::N, hi);
    for (const int X : {0, 2 * x.w - 1})
      if (X >= 2 * k && X < 2 * k + 2 * V::N) v[X - 2 * k] = bilinear_x2_at(x, c, Y, X);
    lo = V::load(v);
    hi = V::load(v + V::N);
  }
}

// Epilogues: what happens to a tile's final values. put() takes whole vectors; put_tail() the
// first n pixels of one vector per channel (v[o][i], i < n), computed with the one-lane ops.

// Plain store into channel planes.
struct StoreEpi {
  Planes* out;
  template <int OB, int NX>
  void put(int ob0, int y, int x, const R (&a)[OB][NX]) const {
    for (int o = 0; o < OB; ++o)
      for (int j = 0; j < NX; ++j) V::store(out->at(ob0 + o, y, x + j * V::N), a[o][j]);
  }
  template <int OB>
  void put_tail(int ob0, int y, int x, int n, const float (&v)[OB][V::N]) const {
    for (int o = 0; o < OB; ++o)
      for (int i = 0; i < n; ++i) out->at(ob0 + o, y, x)[i] = v[o][i];
  }
};

// A stage's end: x_next[c][2y + r][2x + s] = sin(conv[4c + 2r + s][y][x] + identity[c][2y + r][2x + s])
// (pixel shuffle, skip add, sin). Needs ob0 and OB even: channels (ob0 + 2k, ob0 + 2k + 1) are the
// s = 0 / s = 1 halves of one shuffled row. The identity is the `ident` plane (a skip conv's
// output) or, when that is null, the bilinear x2 of `x` computed on the spot.
struct ShuffleAddSinEpi {
  const Planes* ident;
  const Planes* x;
  Planes* next;
  template <int OB, int NX>
  void put(int ob0, int y, int px, const R (&a)[OB][NX]) const {
    static_assert(OB % 2 == 0);
    for (int k = 0; k < OB; k += 2) {
      const int ch = ob0 + k, c = ch / 4, r = (ch / 2) % 2;
      float* dst = next->at(c, 2 * y + r, 2 * px);
      for (int j = 0; j < NX; ++j) {
        R id_lo, id_hi;
        if (ident) {
          const float* id = ident->at(c, 2 * y + r, 2 * (px + j * V::N));
          id_lo = V::load(id);
          id_hi = V::load(id + V::N);
        } else {
          bilinear_x2_vec(*x, c, 2 * y + r, px + j * V::N, id_lo, id_hi);
        }
        const R lo = V::interleave_lo(a[k][j], a[k + 1][j]), hi = V::interleave_hi(a[k][j], a[k + 1][j]);
        V::store(dst + 2 * j * V::N, V::sin(V::add(lo, id_lo)));
        V::store(dst + 2 * j * V::N + V::N, V::sin(V::add(hi, id_hi)));
      }
    }
  }
  template <int OB>
  void put_tail(int ob0, int y, int px, int n, const float (&v)[OB][V::N]) const {
    static_assert(OB % 2 == 0);
    for (int k = 0; k < OB; k += 2) {
      const int ch = ob0 + k, c = ch / 4, r = (ch / 2) % 2, Y = 2 * y + r;
      float* dst = next->at(c, Y, 2 * px);
      for (int i = 0; i < 2 * n; ++i) {
        const float id = ident ? ident->at(c, Y, 2 * px)[i] : bilinear_x2_at(*x, c, Y, 2 * px + i);
        dst[i] = S::sin(v[k + i % 2][i / 2] + id);
      }
    }
  }
};

// refine.1's end: x2 = x + 0.1 * sin(refine1).
struct RefineEpi {
  const Planes* x;
  Planes* x2;
  template <int OB, int NX>
  void put(int ob0, int y, int px, const R (&a)[OB][NX]) const {
    const R tenth = V::set1(0.1f);
    for (int o = 0; o < OB; ++o)
      for (int j = 0; j < NX; ++j) {
        const int xx = px + j * V::N;
        V::store(x2->at(ob0 + o, y, xx), V::add(V::load(x->at(ob0 + o, y, xx)), V::mul(tenth, V::sin(a[o][j]))));
      }
  }
  template <int OB>
  void put_tail(int ob0, int y, int px, int n, const float (&v)[OB][V::N]) const {
    for (int o = 0; o < OB; ++o)
      for (int i = 0; i < n; ++i) x2->at(ob0 + o, y, px)[i] = x->at(ob0 + o, y, px)[i] + 0.1f * S::sin(v[o][i]);
  }
};

// The heads' end: 255 * sigmoid = 255 * (1 / (exp(0 - v) + 1)), into unpadded planes.
struct SigmoidEpi {
  float* out;
  int width;
  std::size_t plane;
  float* at(int o, int y, int x) const { return out + o * plane + std::size_t(y) * width + x; }
  template <int OB, int NX>
  void put(int ob0, int y, int x, const R (&a)[OB][NX]) const {
    const R one = V::set1(1.0f), zero = V::set1(0.0f), k255 = V::set1(255.0f);
    for (int o = 0; o < OB; ++o)
      for (int j = 0; j < NX; ++j)
        V::store(at(ob0 + o, y, x + j * V::N), V::mul(k255, V::div(one, V::add(V::exp(V::sub(zero, a[o][j])), one))));
  }
  template <int OB>
  void put_tail(int ob0, int y, int x, int n, const float (&v)[OB][V::N]) const {
    for (int o = 0; o < OB; ++o)
      for (int i = 0; i < n; ++i) at(ob0 + o, y, x)[i] = 255.0f * (1.0f / (S::exp(0.0f - v[o][i]) + 1.0f));
  }
};

// One output row of one block of OB output channels: NX-vector tiles, then single vectors, then a
// partial vector (its extra lanes read padding or the next row and are thrown away: every plane
// has >= 64 floats of slack at its end).
template <int OB, Order ORD, int K, class E>
void conv_row(const Planes& in, const Conv& cv, int ob0, int y, int width, const E& epi) {
  constexpr int NX = nx_for<OB>();
  const int pad = (K / 2) * cv.dilation;  // "same" convolution
  const float* w = cv.packed.data() + ob0;
  const std::size_t wstep = static_cast<std::size_t>(cv.out);
  const float* bias = cv.bias.data() + ob0;
  int x = 0;
  for (; x + NX * V::N <= width; x += NX * V::N) {
    R acc[OB][NX];
    conv_tile<V, OB, NX, ORD, K>(in.at(0, y - pad, x - pad), in.plane, in.stride, cv.in, cv.dilation, w, wstep, bias, acc);
    epi.template put<OB, NX>(ob0, y, x, acc);
  }
  for (; x < width; x += V::N) {
    R acc[OB][1];
    conv_tile<V, OB, 1, ORD, K>(in.at(0, y - pad, x - pad), in.plane, in.stride, cv.in, cv.dilation, w, wstep, bias, acc);
    if (x + V::N <= width) {
      epi.template put<OB, 1>(ob0, y, x, acc);
    } else {
      alignas(64) float v[OB][V::N];
      for (int o = 0; o < OB; ++o) V::store(v[o], acc[o][0]);
      epi.template put_tail<OB>(ob0, y, x, width - x, v);
    }
  }
}

struct Block {
  int ob0, n;
};

// Output channels split into near-equal blocks of at most kMaxOB (even sizes when `even`).
inline std::vector<Block> out_blocks(int out, bool even) {
  const int count = (out + kMaxOB - 1) / kMaxOB;
  int size = (out + count - 1) / count;
  if (even && size % 2) ++size;
  std::vector<Block> blocks;
  for (int ob0 = 0; ob0 < out; ob0 += size) blocks.push_back({ob0, std::min(size, out - ob0)});
  return blocks;
}

// Output rows [y0, y1): rows outer, channel blocks inner, so the input rows a row of outputs needs
// stay in cache while every block of output channels reads them.
template <Order ORD, int K, bool EVEN, class E>
void conv_rows(const Planes& in, const Conv& cv, int y0, int y1, int width, const E& epi) {
  const auto blocks = out_blocks(cv.out, EVEN);
  for (int y = y0; y < y1; ++y)
    for (const Block& b : blocks) {
      if constexpr (EVEN) {
        switch (b.n) {
          case 2: conv_row<2, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 4: conv_row<4, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 6: conv_row<6, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 8: conv_row<8, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 10: conv_row<10 <= kMaxOB ? 10 : 2, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          default: conv_row<kMaxOB, ORD, K>(in, cv, b.ob0, y, width, epi); break;
        }
      } else {
        switch (b.n) {
          case 1: conv_row<1, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 2: conv_row<2, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 3: conv_row<3, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 4: conv_row<4, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 5: conv_row<5, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 6: conv_row<6, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 7: conv_row<7 <= kMaxOB ? 7 : 1, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 8: conv_row<8 <= kMaxOB ? 8 : 1, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 9: conv_row<9 <= kMaxOB ? 9 : 1, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 10: conv_row<10 <= kMaxOB ? 10 : 1, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          case 11: conv_row<11 <= kMaxOB ? 11 : 1, ORD, K>(in, cv, b.ob0, y, width, epi); break;
          default: conv_row<kMaxOB, ORD, K>(in, cv, b.ob0, y, width, epi); break;
        }
      }
    }
}

template <Order ORD, int K, bool EVEN, class E>
void conv(const Planes& in, const Conv& cv, int height, int width, const E& epi) {
  conv_rows<ORD, K, EVEN>(in, cv, 0, height, width, epi);
}

// One row of width w (readable at [-1] and [w]) to 2w outputs.
inline void bilinear_row_x2(const float* row, int w, float* h) {
  const R q1 = V::set1(0.25f), q3 = V::set1(0.75f);
  int k = 0;
  for (; k + V::N <= w; k += V::N) {
    const R a = V::load(row + k - 1), b = V::load(row + k), c = V::load(row + k + 1);
    const R even = V::fma(a, q1, V::mul(b, q3)), odd = V::fma(b, q3, V::mul(c, q1));
    V::store(h + 2 * k, V::interleave_lo(even, odd));
    V::store(h + 2 * k + V::N, V::interleave_hi(even, odd));
  }
  for (; k < w; ++k) {
    h[2 * k] = std::fma(row[k - 1], 0.25f, row[k] * 0.75f);
    h[2 * k + 1] = std::fma(row[k], 0.75f, row[k + 1] * 0.25f);
  }
  for (const int x : {0, 2 * w - 1}) {
    const Taps t = bilinear_taps(x, w);
    h[x] = std::fma(row[t.i0], t.l0, row[t.i1] * t.l1);
  }
}

void bilinear_x2(const Planes& in, Planes& out, std::vector<float>& hrows) {
  const int ow = out.w, oh = out.h;
  hrows.resize(std::size_t(in.h) * ow + V::N);
  for (int c = 0; c < in.c; ++c) {
    for (int y = 0; y < in.h; ++y) bilinear_row_x2(in.at(c, y, 0), in.w, hrows.data() + std::size_t(y) * ow);
    for (int y = 0; y < oh; ++y) {
      const Taps t = bilinear_taps(y, in.h);
      const float* a = hrows.data() + std::size_t(t.i0) * ow;
      const float* b = hrows.data() + std::size_t(t.i1) * ow;
      float* o = out.at(c, y, 0);
      const R l0 = V::set1(t.l0), l1 = V::set1(t.l1);
      int x = 0;
      for (; x + V::N <= ow; x += V::N) V::store(o + x, V::fma(V::load(a + x), l0, V::mul(V::load(b + x), l1)));
      for (; x < ow; ++x) o[x] = std::fma(a[x], t.l0, b[x] * t.l1);
    }
  }
}

void decode_pair(const Model& m, Workspace& ws, const float* z, TorchBatch batch, float* out) {
  // Stem: reference BLAS sgemm (alpha = beta = 1): the dot product from zero, then + bias.
  Planes& x0 = ws.x[0];
  const int cells = m.grid_h * m.grid_w;
  for (int j = 0; j < m.widths[0] * cells; ++j) {
    const float* w = m.stem_weight.data() + std::size_t(j) * m.latent_dim;
    float t = 0.0f;
    for (int l = 0; l < m.latent_dim; ++l) t = t + z[l] * w[l];
    const float v = t + m.stem_bias[j];
    x0.at(j / cells, (j % cells) / m.grid_w, j % m.grid_w)[0] = S::sin(v);
  }
  // Stages 0..4 plane by plane; stage 5 row by row, interleaved with the tail (below).
  for (int i = 0; i < 6; ++i) {
    const Planes& x = ws.x[i];
    const Planes* ident = nullptr;  // identity = bilinear x2 of x, computed in the epilogue
    if (m.skips[i]) {
      bilinear_x2(x, ws.up[i], ws.hrows);
      const StoreEpi to_ident{&ws.ident[i]};
      if (batch == TorchBatch::full)
        conv<Order::fma_from_bias, 1, false>(ws.up[i], *m.skips[i], ws.up[i].h, ws.up[i].w, to_ident);
      else
        conv<Order::thnn, 1, false>(ws.up[i], *m.skips[i], ws.up[i].h, ws.up[i].w, to_ident);
      ident = &ws.ident[i];
    }
    const ShuffleAddSinEpi shuffle{ident, &x, &ws.x[i + 1]};
    // A batch of one pair sends inputs of at most 20480 values to THNN (PyTorch's use_mkldnn).
    const bool thnn = batch == TorchBatch::single && std::size_t(x.c) * x.h * x.w <= 20480;
    if (i < 5) {
      if (thnn)
        conv<Order::thnn, 3, true>(x, m.blocks[i], x.h, x.w, shuffle);
      else
        conv<Order::onednn_blocks, 3, true>(x, m.blocks[i], x.h, x.w, shuffle);
      continue;
    }
    // Stage 5 -> refine.0 -> refine.1 (+ x + 0.1 sin) -> heads (255 sigmoid), row by row through
    // bands: each conv output row y needs input rows y - d .. y + d, so every step runs as soon as
    // its input rows exist and the intermediates (x[6], r0, x2) never leave the cache.
    const int H = m.out_h, W = m.out_w;
    Planes &x6 = ws.x[6], &r0 = ws.r0, &x2 = ws.x2;
    x6.reset();
    r0.reset();
    x2.reset();
    const StoreEpi to_r0{&r0};
    const RefineEpi to_x2{&x6, &x2};
    const SigmoidEpi frames{out, W, std::size_t(H) * W};
    int r0_next = 0, r1_next = 0, head_next = 0;  // next row of each tail conv
    auto tail = [&](int x6_rows) {                 // x6 rows [0, x6_rows) are final
      for (bool progress = true; progress;) {
        progress = false;
        if (r0_next < H && (r0_next + 2 < x6_rows || x6_rows == H)) {  // dilation 2: rows y-2 .. y+2
          r0.make_room(r0_next, r1_next - 1);
          conv_rows<Order::onednn_blocks, 3, false>(x6, m.refine0, r0_next, r0_next + 1, W, to_r0);
          ++r0_next;
          progress = true;
        }
        if (r1_next < H && (r1_next + 1 < r0_next || r0_next == H)) {
          x2.make_room(r1_next, head_next - 1);
          conv_rows<Order::onednn_blocks, 3, false>(r0, m.refine1, r1_next, r1_next + 1, W, to_x2);
          ++r1_next;
          progress = true;
        }
        if (head_next < H && (head_next + 1 < r1_next || r1_next == H)) {
          conv_rows<Order::onednn_blocks, 3, false>(x2, m.heads, head_next, head_next + 1, W, frames);
          ++head_next;
          progress = true;
        }
      }
    };
    for (int y = 0; y < x.h; ++y) {
      x6.make_room(2 * y + 1, std::min(r0_next - 2, r1_next));
      if (thnn)
        conv_rows<Order::thnn, 3, true>(x, m.blocks[i], y, y + 1, x.w, shuffle);
      else
        conv_rows<Order::onednn_blocks, 3, true>(x, m.blocks[i], y, y + 1, x.w, shuffle);
      tail(2 * y + 2);
    }
  }
}
