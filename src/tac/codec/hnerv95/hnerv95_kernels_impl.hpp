// The hnerv95 decoder's forward pass, written once over a vector type V and included by one
// translation unit per instruction set inside an anonymous namespace (no shared symbols).
// V provides: reg, N, load, store, set1, fma(a, b, c) = a*b+c rounded once, add, mul, div, sin, exp.
// S is the one-lane version used for row tails. Per-output arithmetic order is identical for V
// and S, so the result never depends on the vector width (see hnerv95_decoder.hpp).

using tac::codec::hnerv95::Conv;
using tac::codec::hnerv95::kOutBlock;
using tac::codec::hnerv95::Model;
using tac::codec::hnerv95::Planes;
using tac::codec::hnerv95::TorchBatch;
using tac::codec::hnerv95::Workspace;

enum class Order {
  onednn_blocks,  // oneDNN direct conv: fma chains per 16 input channels, + bias / + running sum
  fma_from_bias,  // oneDNN 1x1: one fma chain starting at the bias
  thnn,           // im2col + reference BLAS: bias + w*x + w*x ... without fma, (c, kh, kw) order
};

// One output row segment of NX vectors for OB output channels.
template <class W, int OB, int NX, Order ORD, int K>
inline void conv_tile(const float* in0, std::size_t plane, std::size_t stride, int cin, int dil, const float* wpk,
                      const float* bias, float* out0, std::size_t out_plane) {
  using R = typename W::reg;
  constexpr int KK = K * K;
  R acc[OB][NX];
  if constexpr (ORD == Order::onednn_blocks) {
    for (int cb = 0; cb < cin; cb += 16) {
      const int ce = std::min(cin, cb + 16);
      for (int o = 0; o < OB; ++o)
        for (int j = 0; j < NX; ++j) acc[o][j] = W::set1(0.0f);
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw)
          for (int c = cb; c < ce; ++c) {
            const float* src = in0 + c * plane + std::size_t(kh) * dil * stride + kw * dil;
            R xv[NX];
            for (int j = 0; j < NX; ++j) xv[j] = W::load(src + j * W::N);
            const float* w = wpk + (std::size_t(c) * KK + kh * K + kw) * OB;
            for (int o = 0; o < OB; ++o) {
              const R wv = W::set1(w[o]);
              for (int j = 0; j < NX; ++j) acc[o][j] = W::fma(wv, xv[j], acc[o][j]);
            }
          }
      for (int o = 0; o < OB; ++o)
        for (int j = 0; j < NX; ++j) {
          float* dst = out0 + o * out_plane + j * W::N;
          const R prev = cb == 0 ? W::set1(bias[o]) : W::load(dst);
          W::store(dst, W::add(acc[o][j], prev));
        }
    }
  } else {
    for (int o = 0; o < OB; ++o)
      for (int j = 0; j < NX; ++j) acc[o][j] = W::set1(bias[o]);
    for (int c = 0; c < cin; ++c)
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) {
          const float* src = in0 + c * plane + std::size_t(kh) * dil * stride + kw * dil;
          R xv[NX];
          for (int j = 0; j < NX; ++j) xv[j] = W::load(src + j * W::N);
          const float* w = wpk + (std::size_t(c) * KK + kh * K + kw) * OB;
          for (int o = 0; o < OB; ++o) {
            const R wv = W::set1(w[o]);
            for (int j = 0; j < NX; ++j) {
              if constexpr (ORD == Order::fma_from_bias)
                acc[o][j] = W::fma(wv, xv[j], acc[o][j]);
              else
                acc[o][j] = W::add(acc[o][j], W::mul(wv, xv[j]));
            }
          }
        }
    for (int o = 0; o < OB; ++o)
      for (int j = 0; j < NX; ++j) W::store(out0 + o * out_plane + j * W::N, acc[o][j]);
  }
}

constexpr int kNX = V::N >= 8 ? 2 : 1;

template <int OB, Order ORD, int K>
void conv_rows(const Planes& in, const Conv& cv, int ob0, Planes& out) {
  const int pad = (K / 2) * cv.dilation;  // "same" convolution
  const float* wpk = cv.packed.data() + std::size_t(ob0) * cv.in * K * K;
  const float* bias = cv.bias.data() + ob0;
  constexpr int tile = kNX * V::N;
  for (int y = 0; y < out.h; ++y) {
    int x = 0;
    for (; x + tile <= out.w; x += tile)
      conv_tile<V, OB, kNX, ORD, K>(in.at(0, y - pad, x - pad), in.plane, in.stride, cv.in, cv.dilation, wpk, bias,
                                     out.at(ob0, y, x), out.plane);
    for (; x < out.w; ++x)
      conv_tile<S, OB, 1, ORD, K>(in.at(0, y - pad, x - pad), in.plane, in.stride, cv.in, cv.dilation, wpk, bias,
                                   out.at(ob0, y, x), out.plane);
  }
}

template <Order ORD, int K>
void conv(const Planes& in, const Conv& cv, Planes& out) {
  for (int ob = 0; ob < cv.out; ob += kOutBlock) {
    switch (std::min(kOutBlock, cv.out - ob)) {
      case 1: conv_rows<1, ORD, K>(in, cv, ob, out); break;
      case 2: conv_rows<2, ORD, K>(in, cv, ob, out); break;
      case 3: conv_rows<3, ORD, K>(in, cv, ob, out); break;
      case 4: conv_rows<4, ORD, K>(in, cv, ob, out); break;
      case 5: conv_rows<5, ORD, K>(in, cv, ob, out); break;
      case 6: conv_rows<6, ORD, K>(in, cv, ob, out); break;
      case 7: conv_rows<7, ORD, K>(in, cv, ob, out); break;
      default: conv_rows<8, ORD, K>(in, cv, ob, out); break;
    }
  }
}

// PyTorch's bilinear x2 (align_corners False): source = max((o + 0.5) * 0.5 - 0.5, 0),
// l1 = source - floor, l0 = 1 - l1; value = fma(v0, l0, v1 * l1), width first, then height.
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

void bilinear_x2(const Planes& in, Planes& out, std::vector<float>& hrows) {
  const int ow = out.w, oh = out.h;
  hrows.resize(std::size_t(in.h) * ow);
  for (int c = 0; c < in.c; ++c) {
    for (int y = 0; y < in.h; ++y) {
      const float* row = in.at(c, y, 0);
      float* h = hrows.data() + std::size_t(y) * ow;
      for (int x = 0; x < ow; ++x) {
        const Taps t = bilinear_taps(x, in.w);
        h[x] = std::fma(row[t.i0], t.l0, row[t.i1] * t.l1);
      }
    }
    for (int y = 0; y < oh; ++y) {
      const Taps t = bilinear_taps(y, in.h);
      const float* a = hrows.data() + std::size_t(t.i0) * ow;
      const float* b = hrows.data() + std::size_t(t.i1) * ow;
      float* o = out.at(c, y, 0);
      const typename V::reg l0 = V::set1(t.l0), l1 = V::set1(t.l1);
      int x = 0;
      for (; x + V::N <= ow; x += V::N) V::store(o + x, V::fma(V::load(a + x), l0, V::mul(V::load(b + x), l1)));
      for (; x < ow; ++x) o[x] = std::fma(a[x], t.l0, b[x] * t.l1);
    }
  }
}

// x_next[c][2h + r][2w + s] = sin(conv[4c + 2r + s][h][w] + identity[c][2h + r][2w + s]).
void shuffle_add_sin(const Planes& conv_out, const Planes& ident, Planes& next) {
  const int ow = next.w;
  std::vector<float> line(std::size_t(ow) + V::N);
  for (int c = 0; c < next.c; ++c)
    for (int y = 0; y < next.h; ++y) {
      const int h = y / 2, r = y % 2;
      const float* e = conv_out.at(4 * c + 2 * r, h, 0);
      const float* od = conv_out.at(4 * c + 2 * r + 1, h, 0);
      for (int x = 0; x < conv_out.w; ++x) {
        line[2 * x] = e[x];
        line[2 * x + 1] = od[x];
      }
      const float* id = ident.at(c, y, 0);
      float* o = next.at(c, y, 0);
      int x = 0;
      for (; x + V::N <= ow; x += V::N) V::store(o + x, V::sin(V::add(V::load(line.data() + x), V::load(id + x))));
      for (; x < ow; ++x) o[x] = S::sin(line[x] + id[x]);
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
  for (int i = 0; i < 6; ++i) {
    const Planes& x = ws.x[i];
    bilinear_x2(x, ws.up[i], ws.hrows);
    const Planes* ident = &ws.up[i];
    if (m.skips[i]) {
      if (batch == TorchBatch::full)
        conv<Order::fma_from_bias, 1>(ws.up[i], *m.skips[i], ws.ident[i]);
      else
        conv<Order::thnn, 1>(ws.up[i], *m.skips[i], ws.ident[i]);
      ident = &ws.ident[i];
    }
    // A batch of one pair sends inputs of at most 20480 values to THNN (PyTorch's use_mkldnn).
    const bool thnn = batch == TorchBatch::single && std::size_t(x.c) * x.h * x.w <= 20480;
    if (thnn)
      conv<Order::thnn, 3>(x, m.blocks[i], ws.conv[i]);
    else
      conv<Order::onednn_blocks, 3>(x, m.blocks[i], ws.conv[i]);
    shuffle_add_sin(ws.conv[i], *ident, ws.x[i + 1]);
  }
  const Planes& x = ws.x[6];
  conv<Order::onednn_blocks, 3>(x, m.refine0, ws.r0);
  conv<Order::onednn_blocks, 3>(ws.r0, m.refine1, ws.r1);
  // x2 = x + 0.1 * sin(r1)
  const typename V::reg tenth = V::set1(0.1f);
  for (int c = 0; c < x.c; ++c)
    for (int y = 0; y < x.h; ++y) {
      const float* a = x.at(c, y, 0);
      const float* r = ws.r1.at(c, y, 0);
      float* o = ws.x2.at(c, y, 0);
      int k = 0;
      for (; k + V::N <= x.w; k += V::N) V::store(o + k, V::add(V::load(a + k), V::mul(tenth, V::sin(V::load(r + k)))));
      for (; k < x.w; ++k) o[k] = a[k] + 0.1f * S::sin(r[k]);
    }
  // Heads straight into the caller's planes, then 255 * sigmoid in place.
  // r1 is free again and has the heads' geometry (>= 6 unpadded planes of out_h x out_w).
  Planes& target = ws.r1;
  conv<Order::onednn_blocks, 3>(ws.x2, m.heads, target);
  const std::size_t n = target.plane * 6;
  const float* src = target.data.data();
  const typename V::reg one = V::set1(1.0f), zero = V::set1(0.0f), k255 = V::set1(255.0f);
  std::size_t k = 0;
  for (; k + V::N <= n; k += V::N) {
    const typename V::reg s = V::div(one, V::add(V::exp(V::sub(zero, V::load(src + k))), one));
    V::store(out + k, V::mul(k255, s));
  }
  for (; k < n; ++k) out[k] = 255.0f * (1.0f / (S::exp(0.0f - src[k]) + 1.0f));
}
