// SegNet (smp Unet, timm efficientnet_b2 encoder): scorer_architecture.md §2.
#include "tac/scorer/segnet.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <array>

namespace tac::scorer::nn {

namespace {

struct StageSpec {
  bool inverted_residual;
  int repeats, out_channels, kernel, stride, expansion;
};

// §2.1 per-stage table (efficientnet_b2: channel x1.1, depth x1.2).
constexpr std::array<StageSpec, 7> kStages{{{false, 2, 16, 3, 1, 1},
                                             {true, 3, 24, 3, 2, 6},
                                             {true, 3, 48, 5, 2, 6},
                                             {true, 4, 88, 3, 2, 6},
                                             {true, 4, 120, 5, 1, 6},
                                             {true, 5, 208, 5, 2, 6},
                                             {true, 2, 352, 3, 1, 6}}};
constexpr std::array<bool, 7> kStageIsFeature{true, true, true, false, true, false, true};
constexpr int kStemChannels = 32;
constexpr std::array<int, 5> kDecoderOut{256, 128, 64, 32, 16};
constexpr std::array<int, 5> kSkipChannels{120, 48, 24, 16, 0};
constexpr int kClasses = 5;

ConvBn take_conv_bn_pair(WeightStore& w, const std::string& conv, const std::string& bn, std::int64_t out,
                         std::int64_t in_per_group, int k, int stride, int groups) {
  ConvBn c;
  c.weight = w.take(conv + ".weight", {out, in_per_group, k, k});
  c.bn = w.take_bn(bn, out);
  c.stride = stride;
  c.padding = k / 2;
  c.groups = groups;
  return c;
}

Linear take_1x1(WeightStore& w, const std::string& prefix, std::int64_t out, std::int64_t in) {
  at::Tensor weight = w.take(prefix + ".weight", {out, in, 1, 1});
  return Linear{weight.view({out, in}), w.take(prefix + ".bias", {out})};
}

at::Tensor squeeze_excite_train(const at::Tensor& x, const SqueezeExcite& se) {
  at::Tensor s = x.mean({2, 3});  // (B, C)
  s = at::silu(apply_linear(s, se.reduce));
  s = at::sigmoid(apply_linear(s, se.expand));
  return x * s.unsqueeze(-1).unsqueeze(-1);
}

}  // namespace

SegNetParams load_segnet(const std::filesystem::path& path, KeyedTensors* tensors) {
  WeightStore w(path);
  SegNetParams p;
  const std::string enc = "encoder.model.";
  p.stem = take_conv_bn_pair(w, enc + "conv_stem", enc + "bn1", kStemChannels, 3, 3, 2, 1);
  int in = kStemChannels;
  for (std::size_t s = 0; s < kStages.size(); ++s) {
    const StageSpec& st = kStages[s];
    for (int j = 0; j < st.repeats; ++j) {
      const std::string b = fmt::format("{}blocks.{}.{}.", enc, s, j);
      const int stride = j == 0 ? st.stride : 1;
      const int out = st.out_channels;
      const int mid = in * st.expansion;
      const int rd = in / 4;  // round(0.25 * block input channels); all inputs are multiples of 4
      EncoderBlock blk;
      blk.inverted_residual = st.inverted_residual;
      if (st.inverted_residual) {
        blk.expand = take_conv_bn_pair(w, b + "conv_pw", b + "bn1", mid, in, 1, 1, 1);
        blk.depthwise = take_conv_bn_pair(w, b + "conv_dw", b + "bn2", mid, 1, st.kernel, stride, mid);
        blk.se = {take_1x1(w, b + "se.conv_reduce", rd, mid), take_1x1(w, b + "se.conv_expand", mid, rd)};
        blk.project = take_conv_bn_pair(w, b + "conv_pwl", b + "bn3", out, mid, 1, 1, 1);
      } else {
        blk.depthwise = take_conv_bn_pair(w, b + "conv_dw", b + "bn1", in, 1, st.kernel, stride, in);
        blk.se = {take_1x1(w, b + "se.conv_reduce", rd, in), take_1x1(w, b + "se.conv_expand", in, rd)};
        blk.project = take_conv_bn_pair(w, b + "conv_pw", b + "bn2", out, in, 1, 1, 1);
      }
      blk.residual = stride == 1 && in == out;
      p.blocks.push_back(std::move(blk));
      in = out;
    }
    if (kStageIsFeature[s]) p.feature_after.push_back(static_cast<int>(p.blocks.size()) - 1);
  }
  int y = in;  // 352
  for (int i = 0; i < 5; ++i) {
    const std::string b = fmt::format("decoder.blocks.{}.", i);
    const int cat = y + kSkipChannels[i];
    const int out = kDecoderOut[i];
    p.decoder.push_back(take_conv_bn_pair(w, b + "conv1.0", b + "conv1.1", out, cat, 3, 1, 1));
    p.decoder.push_back(take_conv_bn_pair(w, b + "conv2.0", b + "conv2.1", out, out, 3, 1, 1));
    y = out;
  }
  p.head.weight = w.take("segmentation_head.0.weight", {kClasses, y, 3, 3});
  p.head.bias = w.take("segmentation_head.0.bias", {kClasses});
  p.head.padding = 1;
  w.finish();
  if (tensors != nullptr) *tensors = w.tensors();
  return p;
}

at::Tensor segnet_forward_train(const SegNetParams& p, const at::Tensor& input) {
  at::Tensor x = at::silu(apply_conv_bn(input, p.stem));
  std::vector<at::Tensor> features;
  std::size_t next_feature = 0;
  for (std::size_t i = 0; i < p.blocks.size(); ++i) {
    const EncoderBlock& b = p.blocks[i];
    const at::Tensor shortcut = x;
    if (b.inverted_residual) x = at::silu(apply_conv_bn(x, b.expand));
    x = at::silu(apply_conv_bn(x, b.depthwise));
    x = squeeze_excite_train(x, b.se);
    x = apply_conv_bn(x, b.project);
    if (b.residual) x = x + shortcut;
    if (next_feature < p.feature_after.size() && p.feature_after[next_feature] == static_cast<int>(i)) {
      features.push_back(x);
      ++next_feature;
    }
  }
  // features = f1..f5; decoder skips are f4, f3, f2, f1, none (§2.2).
  at::Tensor y = features.back();
  for (int i = 0; i < 5; ++i) {
    y = at::upsample_nearest2d(y, {y.size(2) * 2, y.size(3) * 2});
    if (i < 4) y = at::cat({y, features[3 - i]}, 1);
    y = at::relu(apply_conv_bn(y, p.decoder[2 * i]));
    y = at::relu(apply_conv_bn(y, p.decoder[2 * i + 1]));
  }
  return apply_conv(y, p.head);
}

namespace {

// Nearest x2 upsample of y then channel concat [up(y), skip] (§2.2) in one pass, NHWC on the CPU.
at::Tensor upsample_concat_cpu(const at::Tensor& y_in, const at::Tensor& skip_in) {
  const at::Tensor y = y_in.contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor skip = skip_in.contiguous(at::MemoryFormat::ChannelsLast);
  const std::int64_t b = y.size(0), cy = y.size(1), h = y.size(2), w = y.size(3);
  const std::int64_t cs = skip.size(1), oh = 2 * h, ow = 2 * w, c = cy + cs;
  at::Tensor out = at::empty({b, c, oh, ow}, y.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* py = y.data_ptr<float>();
  const float* ps = skip.data_ptr<float>();
  float* po = out.data_ptr<float>();
  at::parallel_for(0, b * oh, 1, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t r = lo; r < hi; ++r) {
      const std::int64_t n = r / oh, oy = r % oh;
      const float* yrow = py + ((n * h + oy / 2) * w) * cy;
      const float* srow = ps + ((n * oh + oy) * ow) * cs;
      float* orow = po + ((n * oh + oy) * ow) * c;
      for (std::int64_t ox = 0; ox < ow; ++ox) {
        std::copy_n(yrow + (ox / 2) * cy, cy, orow + ox * c);
        std::copy_n(srow + ox * cs, cs, orow + ox * c + cy);
      }
    }
  });
  return out;
}

at::Tensor upsample_concat(const at::Tensor& y, const at::Tensor* skip) {
  if (y.is_cpu() && !records_graph(y) && (skip == nullptr || !records_graph(*skip))) {
    if (skip != nullptr) return upsample_concat_cpu(y, *skip);
  }
  at::Tensor up = at::upsample_nearest2d(y, {y.size(2) * 2, y.size(3) * 2});
  if (skip != nullptr) up = at::cat({up, *skip}, 1);
  return up.is_cpu() ? up.contiguous(at::MemoryFormat::ChannelsLast) : up;
}

}  // namespace

SegNetFolded::SegNetFolded(const SegNetParams& p, at::Device device, Backend backend)
    : stem_(make_fused(fold_conv_bn(p.stem), ConvActivation::Silu, false, device, backend)),
      feature_after_(p.feature_after),
      head_(make_fused(p.head, ConvActivation::None, false, device, backend)) {
  for (const EncoderBlock& b : p.blocks) {
    FoldedBlock f;
    f.inverted_residual = b.inverted_residual;
    if (b.inverted_residual) f.expand = make_fused(fold_conv_bn(b.expand), ConvActivation::Silu, false, device, backend);
    f.depthwise = make_fused(fold_conv_bn(b.depthwise), ConvActivation::Silu, false, device, backend);
    f.project = make_fused(fold_conv_bn(b.project), ConvActivation::None, b.residual, device, backend);
    f.se_reduce = to_device(b.se.reduce, device);
    f.se_expand = to_device(b.se.expand, device);
    blocks_.push_back(std::move(f));
  }
  for (const ConvBn& c : p.decoder) decoder_.push_back(make_fused(fold_conv_bn(c), ConvActivation::Relu, false, device, backend));
  if (backend == Backend::Dnnl && device.is_cpu()) {
    std::int64_t y_channels = kStages.back().out_channels;
    for (int i = 0; i < 5; ++i) {
      up_conv_.push_back(std::make_shared<UpsampleConcatConv>(fold_conv_bn(p.decoder[2 * i]), y_channels));
      y_channels = kDecoderOut[i];
    }
  }
}

at::Tensor SegNetFolded::forward(const at::Tensor& input, LayerTimes* times) const {
  const auto memory_format = input.is_cpu() ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  at::Tensor x;
  {
    ScopedLayerTimer t(times, "seg.stem");
    x = stem_(input.contiguous(memory_format));
  }
  std::vector<at::Tensor> features;
  std::size_t next_feature = 0;
  static const int kStageOf[] = {0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6};
  const auto name = [&](std::size_t block, const char* op) {
    return times == nullptr ? std::string() : "seg.enc.s" + std::to_string(kStageOf[block]) + "." + op;
  };
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    const FoldedBlock& b = blocks_[i];
    const at::Tensor shortcut = x;
    if (b.inverted_residual) {
      ScopedLayerTimer t(times, name(i, "expand+silu"));
      x = b.expand(x);
    }
    {
      ScopedLayerTimer t(times, name(i, "dw+silu"));
      x = b.depthwise(x);
    }
    {
      ScopedLayerTimer t(times, name(i, "se"));
      at::Tensor s = x.mean({2, 3});
      s = inplace_silu(apply_linear(s, b.se_reduce));
      s = inplace_sigmoid(apply_linear(s, b.se_expand));
      x = records_graph(x) ? x * s.unsqueeze(-1).unsqueeze(-1) : x.mul_(s.unsqueeze(-1).unsqueeze(-1));
    }
    {
      ScopedLayerTimer t(times, name(i, "project+add"));
      x = b.project(x, shortcut);
    }
    if (next_feature < feature_after_.size() && feature_after_[next_feature] == static_cast<int>(i)) {
      features.push_back(x);
      ++next_feature;
    }
  }
  static const char* kDecoderNames[] = {"seg.dec0.conv1", "seg.dec0.conv2", "seg.dec1.conv1", "seg.dec1.conv2",
                                        "seg.dec2.conv1", "seg.dec2.conv2", "seg.dec3.conv1", "seg.dec3.conv2",
                                        "seg.dec4.conv1", "seg.dec4.conv2"};
  at::Tensor y = features.back();
  for (int i = 0; i < 5; ++i) {
    if (!up_conv_.empty()) {
      ScopedLayerTimer t(times, kDecoderNames[2 * i]);
      y = (*up_conv_[i])(y, i < 4 ? &features[3 - i] : nullptr);
    } else {
      {
        ScopedLayerTimer t(times, "seg.dec.upsample_cat");
        y = upsample_concat(y, i < 4 ? &features[3 - i] : nullptr);
      }
      ScopedLayerTimer t(times, kDecoderNames[2 * i]);
      y = decoder_[2 * i](y);
    }
    {
      ScopedLayerTimer t(times, kDecoderNames[2 * i + 1]);
      y = decoder_[2 * i + 1](y);
    }
  }
  ScopedLayerTimer t(times, "seg.head");
  return head_(y);
}

}  // namespace tac::scorer::nn
