#include "tac/codec/hnerv95/hnerv95_decoder.hpp"

#include <fmt/format.h>

#include "tac/core/error.hpp"

namespace tac::codec::hnerv95 {

TorchBatch torch_batch_for_pair(std::int64_t pair, std::int64_t n_pairs) {
  const std::int64_t start = pair / kReferenceBatch * kReferenceBatch;
  const std::int64_t size = std::min(kReferenceBatch, n_pairs - start);
  if (size >= kReferenceBatch) return TorchBatch::full;
  return size == 1 ? TorchBatch::single : TorchBatch::partial;
}

void Planes::init(int channels, int height, int width, int padding) {
  c = channels;
  h = height;
  w = width;
  pad = padding;
  stride = std::size_t(width) + 2 * padding;
  plane = stride * (std::size_t(height) + 2 * padding);
  data.assign(plane * channels + 64, 0.0f);  // +64: vector loads may read a little past the last row
}

void Planes::reset() {
  y0 = 0;
  std::fill(data.begin(), data.end(), 0.0f);
}

void Planes::make_room(int row, int first_needed) {
  if (row < y0 + h) return;
  const int from = first_needed - y0 + pad;  // physical row of first_needed
  const int keep = h + 2 * pad - from;
  if (from < 0 || row - first_needed - pad >= h) fail(ErrorKind::internal, "hnerv95: internal error: band of {} rows too small", h);
  for (int ch = 0; ch < c; ++ch) {
    float* p = data.data() + ch * plane;
    std::copy(p + from * stride, p + (from + keep) * stride, p);
    std::fill(p + keep * stride, p + plane, 0.0f);
  }
  y0 = first_needed + pad;
}

namespace {

std::vector<std::int64_t> shape4(int o, int i, int k) { return {o, i, k, k}; }

Conv make_conv(const Archive& a, const std::string& prefix, int out, int in, int k, int dilation) {
  const Tensor& w = a.at(prefix + ".weight");
  const Tensor& b = a.at(prefix + ".bias");
  if (w.shape != shape4(out, in, k)) fail(ErrorKind::corrupt_input, "hnerv95: '{}.weight' has shape [{}], expected [{}, {}, {}, {}]", prefix,
                                          fmt::join(w.shape, ", "), out, in, k, k);
  if (b.shape != std::vector<std::int64_t>{out}) fail(ErrorKind::corrupt_input, "hnerv95: '{}.bias' has the wrong shape", prefix);
  Conv c;
  c.out = out;
  c.in = in;
  c.k = k;
  c.dilation = dilation;
  c.weight = w.values;
  c.bias = b.values;
  return c;
}

void pack(Conv& c) {
  const int kk = c.k * c.k;
  c.packed.assign(c.weight.size(), 0.0f);
  for (int o = 0; o < c.out; ++o)
    for (int i = 0; i < c.in; ++i)
      for (int t = 0; t < kk; ++t) c.packed[(std::size_t(i) * kk + t) * c.out + o] = c.weight[(std::size_t(o) * c.in + i) * kk + t];
}

}  // namespace

Model build_model(const Archive& a) {
  Model m;
  m.latent_dim = static_cast<int>(a.meta.latent_dim);
  m.out_h = a.meta.eval_height;
  m.out_w = a.meta.eval_width;
  m.grid_h = m.out_h / 64;
  m.grid_w = m.out_w / 64;
  const Tensor& sw = a.at("stem.weight");
  if (sw.shape.size() != 2 || sw.shape[1] != m.latent_dim || sw.shape[0] % (m.grid_h * m.grid_w) != 0)
    fail(ErrorKind::corrupt_input, "hnerv95: 'stem.weight' shape does not match latent_dim {} and a {}x{} grid", m.latent_dim, m.grid_h, m.grid_w);
  m.widths.push_back(static_cast<int>(sw.shape[0] / (m.grid_h * m.grid_w)));
  if (m.widths[0] > 1024) fail(ErrorKind::limit_exceeded, "hnerv95: stem width {} is too large", m.widths[0]);
  m.stem_weight = sw.values;
  m.stem_bias = a.at("stem.bias").values;
  if (m.stem_bias.size() != static_cast<std::size_t>(sw.shape[0])) fail(ErrorKind::corrupt_input, "hnerv95: 'stem.bias' has the wrong shape");
  for (int i = 0; i < 6; ++i) {
    const Tensor& bw = a.at(fmt::format("blocks.{}.weight", i));
    if (bw.shape.size() != 4 || bw.shape[0] % 4 != 0 || bw.shape[0] > 4096)
      fail(ErrorKind::corrupt_input, "hnerv95: 'blocks.{}.weight' has an unexpected shape", i);
    const int next = static_cast<int>(bw.shape[0] / 4);
    m.blocks[i] = make_conv(a, fmt::format("blocks.{}", i), 4 * next, m.widths[i], 3, 1);
    const std::string skip = fmt::format("skips.{}", i);
    if (next != m.widths[i]) {
      m.skips[i] = make_conv(a, skip, next, m.widths[i], 1, 1);
    } else if (a.find(skip + ".weight")) {
      fail(ErrorKind::corrupt_input, "hnerv95: '{}' present although stage {} keeps its width", skip, i);
    }
    m.widths.push_back(next);
  }
  const int w = m.widths[6];
  if (w < 6) fail(ErrorKind::corrupt_input, "hnerv95: final width {} is below 6", w);
  const Tensor& r0 = a.at("refine.0.weight");
  if (r0.shape.size() != 4 || r0.shape[0] < 1 || r0.shape[0] > 1024) fail(ErrorKind::corrupt_input, "hnerv95: 'refine.0.weight' has an unexpected shape");
  const int mid = static_cast<int>(r0.shape[0]);
  m.refine0 = make_conv(a, "refine.0", mid, w, 3, 2);
  m.refine1 = make_conv(a, "refine.1", w, mid, 3, 1);
  const Conv h0 = make_conv(a, "rgb_0", 3, w, 3, 1), h1 = make_conv(a, "rgb_1", 3, w, 3, 1);
  m.heads = h0;
  m.heads.out = 6;
  m.heads.weight.insert(m.heads.weight.end(), h1.weight.begin(), h1.weight.end());
  m.heads.bias.insert(m.heads.bias.end(), h1.bias.begin(), h1.bias.end());
  for (auto& c : m.blocks) pack(c);
  for (auto& s : m.skips)
    if (s) pack(*s);
  pack(m.refine0);
  pack(m.refine1);
  pack(m.heads);
  std::size_t expected = 2 + 2 * 6 + 2 * 2 + 2 * 2;
  for (const auto& s : m.skips) expected += s ? 2 : 0;
  if (a.tensors.size() != expected) fail(ErrorKind::corrupt_input, "hnerv95: archive holds {} tensors, the decoder uses {}", a.tensors.size(), expected);
  return m;
}

Decoder::Decoder(std::shared_ptr<const Model> model, const detail::DecoderKernels* kernels)
    : model_(std::move(model)), kernels_(kernels ? *kernels : detail::decoder_kernels()) {
  const Model& m = *model_;
  int h = m.grid_h, w = m.grid_w;
  ws_.x[0].init(m.widths[0], h, w, 1);
  for (int i = 0; i < 6; ++i) {
    if (m.skips[i]) {
      ws_.up[i].init(m.widths[i], 2 * h, 2 * w, 0);
      ws_.ident[i].init(m.widths[i + 1], 2 * h, 2 * w, 0);
    }
    h *= 2;
    w *= 2;
    if (i < 5) ws_.x[i + 1].init(m.widths[i + 1], h, w, 1);
  }
  if (h != m.out_h || w != m.out_w) fail(ErrorKind::corrupt_input, "hnerv95: decoder grid {}x{} does not reach {}x{}", h, w, m.out_h, m.out_w);
  // The last stage's output and the refine intermediates are bands (see Planes).
  ws_.x[6].init(m.widths[6], kBandRows, w, 2);
  ws_.r0.init(m.refine0.out, kBandRows, w, 1);
  ws_.x2.init(m.widths[6], kBandRows, w, 1);
}

void Decoder::decode(const float* latent, TorchBatch batch, float* out) {
  kernels_.decode(*model_, ws_, latent, batch, out);
}

const char* Decoder::kernel_name() { return detail::decoder_kernels().name; }

namespace detail {
const DecoderKernels& decoder_kernels() {
  static const DecoderKernels chosen = [] {
#if defined(TAC_X86_KERNELS)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return decoder_kernels_avx512();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return decoder_kernels_avx2();
#endif
    return decoder_kernels_generic();
  }();
  return chosen;
}
}  // namespace detail

}  // namespace tac::codec::hnerv95
