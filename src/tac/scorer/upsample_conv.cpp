#include "tac/scorer/upsample_conv.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

namespace tac::scorer::nn {

namespace {

// Taps of the 3x3 kernel (index k) that read low-resolution offset a (0 or 1) for output parity p:
// p = 0 reads rows i-1 (tap 0) and i (taps 1, 2); p = 1 reads rows i (taps 0, 1) and i+1 (tap 2).
at::Tensor combine_axis(const at::Tensor& w, int dim, int parity) {
  const at::Tensor t0 = w.select(dim, 0), t1 = w.select(dim, 1), t2 = w.select(dim, 2);
  return parity == 0 ? at::stack({t0, t1 + t2}, dim) : at::stack({t0 + t1, t2}, dim);
}

}  // namespace

UpsampleConcatConv::UpsampleConcatConv(const Conv& folded, std::int64_t y_channels) {
  const at::Tensor w = folded.weight.to(at::kDouble).contiguous();
  cout_ = w.size(0);
  cy_ = y_channels;
  cs_ = w.size(1) - y_channels;
  const at::Tensor wy = w.narrow(1, 0, cy_);
  const at::Tensor bias = folded.bias.contiguous();
  const std::vector<float> zeros(static_cast<std::size_t>(cout_), 0.0f);
  for (int py = 0; py < 2; ++py) {
    for (int px = 0; px < 2; ++px) {
      const int p = 2 * py + px;
      const at::Tensor k = combine_axis(combine_axis(wy, 2, py), 3, px).to(at::kFloat).contiguous();
      DnnlConvSpec ys;
      ys.in_channels = cy_;
      ys.out_channels = cout_;
      ys.kernel = 2;
      ys.pad_top = py == 0 ? 1 : 0;
      ys.pad_bottom = 1 - ys.pad_top;
      ys.pad_left = px == 0 ? 1 : 0;
      ys.pad_right = 1 - ys.pad_left;
      ys.activation = ConvActivation::Relu;
      if (cs_ > 0) {
        ys.add_residual = true;
        ys.residual_before_activation = true;
        y_phase_[p] = std::make_unique<DnnlConv>(ys, k.data_ptr<float>(), zeros.data());
        const at::Tensor ws = folded.weight.narrow(1, cy_, cs_).contiguous();
        DnnlConvSpec ss;
        ss.in_channels = cs_;
        ss.out_channels = cout_;
        ss.kernel = 3;
        ss.stride = 2;
        ss.pad_top = 1 - py;
        ss.pad_bottom = py;
        ss.pad_left = 1 - px;
        ss.pad_right = px;
        skip_phase_[p] = std::make_unique<DnnlConv>(ss, ws.data_ptr<float>(), bias.data_ptr<float>());
      } else {
        y_phase_[p] = std::make_unique<DnnlConv>(ys, k.data_ptr<float>(), bias.data_ptr<float>());
      }
    }
  }
}

at::Tensor UpsampleConcatConv::operator()(const at::Tensor& y_in, const at::Tensor* skip_in) const {
  const at::Tensor y = y_in.contiguous(at::MemoryFormat::ChannelsLast);
  const std::int64_t b = y.size(0);
  const int h = static_cast<int>(y.size(2)), w = static_cast<int>(y.size(3));
  const auto cl = y.options().memory_format(at::MemoryFormat::ChannelsLast);
  at::Tensor skip;
  if (cs_ > 0) skip = skip_in->contiguous(at::MemoryFormat::ChannelsLast);
  std::array<at::Tensor, 4> phase;
  at::Tensor partial = cs_ > 0 ? at::empty({b, cout_, h, w}, cl) : at::Tensor();
  for (int p = 0; p < 4; ++p) {
    phase[p] = at::empty({b, cout_, h, w}, cl);
    if (cs_ > 0) {
      skip_phase_[p]->run(b, 2 * h, 2 * w, skip.data_ptr<float>(), partial.data_ptr<float>());
      y_phase_[p]->run(b, h, w, y.data_ptr<float>(), phase[p].data_ptr<float>(), partial.data_ptr<float>());
    } else {
      y_phase_[p]->run(b, h, w, y.data_ptr<float>(), phase[p].data_ptr<float>());
    }
  }
  // Interleave: out[n, 2i+py, 2j+px, :] = phase[2py+px][n, i, j, :].
  at::Tensor out = at::empty({b, cout_, 2 * h, 2 * w}, cl);
  float* po = out.data_ptr<float>();
  const float* src[4] = {phase[0].data_ptr<float>(), phase[1].data_ptr<float>(), phase[2].data_ptr<float>(),
                         phase[3].data_ptr<float>()};
  const std::int64_t c = cout_;
  at::parallel_for(0, b * 2 * h, 1, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t r = lo; r < hi; ++r) {
      const std::int64_t n = r / (2 * h), oy = r % (2 * h), i = oy / 2, py = oy % 2;
      const float* p0 = src[2 * py] + ((n * h + i) * w) * c;
      const float* p1 = src[2 * py + 1] + ((n * h + i) * w) * c;
      float* orow = po + r * (2 * w) * c;
      for (std::int64_t j = 0; j < w; ++j) {
        std::copy_n(p0 + j * c, c, orow + (2 * j) * c);
        std::copy_n(p1 + j * c, c, orow + (2 * j + 1) * c);
      }
    }
  });
  return out;
}

}  // namespace tac::scorer::nn
