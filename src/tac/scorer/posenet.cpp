// PoseNet (FastViT-T12 + summarizer + hydra): scorer_architecture.md §3.
#include "tac/scorer/posenet.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <array>

namespace tac::scorer::nn {

namespace {

constexpr std::array<int, 4> kLayers{2, 2, 6, 2};
constexpr std::array<std::int64_t, 4> kDims{64, 128, 256, 512};
constexpr int kMlpRatio = 3;
constexpr std::int64_t kFinalChannels = 1024, kSeReduced = 64, kVisionOut = 2048, kFeatures = 512;
constexpr std::int64_t kPoseHidden = 32, kPoseOut = 12, kInChannels = 12;
constexpr double kAllNormEps = 1e-3;

MobileOne take_mobileone(WeightStore& w, const std::string& p, std::int64_t in, std::int64_t out, int k, int stride,
                         int groups, bool has_kxk, bool has_scale, bool has_identity) {
  MobileOne m;
  m.in = in;
  m.out = out;
  m.k = k;
  m.stride = stride;
  m.groups = groups;
  if (has_kxk) m.kxk = w.take_conv_bn(p + ".conv_kxk.0", out, in / groups, k, stride, groups);
  if (has_scale) m.scale = w.take_conv_bn(p + ".conv_scale", out, in / groups, 1, stride, groups);
  if (has_identity) m.identity = w.take_bn(p + ".identity", in);
  return m;
}

Conv take_conv_1x1_bias(WeightStore& w, const std::string& p, std::int64_t out, std::int64_t in) {
  Conv c;
  c.weight = w.take(p + ".weight", {out, in, 1, 1});
  c.bias = w.take(p + ".bias", {out});
  return c;
}

ResBlock take_resblock(WeightStore& w, const std::string& p) {
  ResBlock r;
  r.a0 = w.take_linear(p + ".block_a.0", 2 * kFeatures, kFeatures);
  r.a1 = w.take_bn(p + ".block_a.1.bn", 1, kAllNormEps);
  r.a3 = w.take_linear(p + ".block_a.3", kFeatures, 2 * kFeatures);
  r.a4 = w.take_bn(p + ".block_a.4.bn", 1, kAllNormEps);
  r.b1 = w.take_linear(p + ".block_b.1", 2 * kFeatures, kFeatures);
  r.b2 = w.take_bn(p + ".block_b.2.bn", 1, kAllNormEps);
  r.b4 = w.take_linear(p + ".block_b.4", kFeatures, 2 * kFeatures);
  r.b5 = w.take_bn(p + ".block_b.5.bn", 1, kAllNormEps);
  return r;
}

// ---- train-time form ----

at::Tensor gelu_tanh(const at::Tensor& x) { return at::gelu(x, "tanh"); }

// timm MobileOneBlock.forward: out = (scale + identity) + kxk, no act here.
at::Tensor mobileone_train(const at::Tensor& x, const MobileOne& m) {
  at::Tensor out;
  if (m.scale) out = apply_conv_bn(x, *m.scale);
  if (m.identity) out = out.defined() ? out + apply_bn(x, *m.identity) : apply_bn(x, *m.identity);
  if (m.kxk) out = out.defined() ? out + apply_conv_bn(x, *m.kxk) : apply_conv_bn(x, *m.kxk);
  return out;
}

at::Tensor all_norm_train(const at::Tensor& x, const BatchNorm& bn) {
  return apply_bn(x.reshape({-1, 1}), bn).reshape(x.sizes());
}

// §3.4: block_b[0] is an in-place ReLU on `a`, so the residual add sees relu(a).
at::Tensor resblock_train(const at::Tensor& x, const ResBlock& r) {
  at::Tensor h = all_norm_train(apply_linear(x, r.a0), r.a1);
  h = all_norm_train(apply_linear(at::relu(h), r.a3), r.a4);
  const at::Tensor a = x + h;
  const at::Tensor rect = at::relu(a);
  at::Tensor g = all_norm_train(apply_linear(rect, r.b1), r.b2);
  g = all_norm_train(apply_linear(at::relu(g), r.b4), r.b5);
  return at::relu(rect + g);
}

at::Tensor hydra_head(const at::Tensor& h0, const Linear& in_pose, const Linear& res0, const Linear& res2,
                      const Linear& final_pose) {
  const at::Tensor h1 = at::relu(apply_linear(h0, in_pose));
  const at::Tensor h2 = at::relu(h1 + apply_linear(at::relu(apply_linear(h1, res0)), res2));
  return apply_linear(h2, final_pose);
}

// ---- folding (§3.5) ----

Conv fold_mobileone(const MobileOne& m) {
  std::vector<Conv> parts;
  if (m.kxk) parts.push_back(fold_conv_bn(*m.kxk));
  if (m.scale) parts.push_back(fold_conv_bn(*m.scale));
  if (m.identity) parts.push_back(fold_identity_bn(*m.identity, m.out, m.in / m.groups, m.k, m.groups));
  Conv c = sum_convs(parts);
  c.stride = m.stride;
  c.groups = m.groups;
  c.padding = m.k / 2;
  return c;
}

// RepMixer -> one depthwise 3x3: W = Id + g1 (Wm - Wn), b = g1 (bm - bn).
Conv fold_repmixer(const RepMixerBlock& b) {
  const Conv mixer = fold_mobileone(b.mixer);
  const Conv norm = fold_identity_bn(b.norm, b.mixer.out, 1, b.mixer.k, b.mixer.groups);
  const at::Tensor g = b.gamma1.to(at::kDouble).reshape({-1});
  at::Tensor id = at::zeros_like(mixer.weight, at::kDouble);
  id.select(2, 1).select(2, 1).fill_(1.0);
  Conv c = mixer;
  c.weight = (id + g.view({-1, 1, 1, 1}) * (mixer.weight.to(at::kDouble) - norm.weight.to(at::kDouble)))
                 .to(at::kFloat)
                 .contiguous();
  c.bias = (g * (mixer.bias.to(at::kDouble) - norm.bias.to(at::kDouble))).to(at::kFloat).contiguous();
  return c;
}

Linear fold_linear_allnorm(const Linear& l, const BatchNorm& bn) {
  auto [t, shift] = bn_scale_shift(bn);  // scalars (1-element)
  Linear out;
  out.weight = (l.weight.to(at::kDouble) * t).to(at::kFloat).contiguous();
  out.bias = (l.bias.to(at::kDouble) * t + shift).to(at::kFloat).contiguous();
  return out;
}

}  // namespace

PoseNetParams load_posenet(const std::filesystem::path& path, KeyedTensors* tensors) {
  WeightStore w(path);
  PoseNetParams p;
  p.mean = w.take("_mean", {1, kInChannels, 1, 1});
  p.std = w.take("_std", {1, kInChannels, 1, 1});
  const std::string v = "vision.";
  p.stem0 = take_mobileone(w, v + "stem.0", kInChannels, kDims[0], 3, 2, 1, true, true, false);
  p.stem1 = take_mobileone(w, v + "stem.1", kDims[0], kDims[0], 3, 2, static_cast<int>(kDims[0]), true, true, false);
  p.stem2 = take_mobileone(w, v + "stem.2", kDims[0], kDims[0], 1, 1, 1, true, false, true);
  for (int s = 0; s < 4; ++s) {
    const std::int64_t c = kDims[s];
    const std::string sp = fmt::format("{}stages.{}.", v, s);
    if (s > 0) {
      const std::int64_t cin = kDims[s - 1];
      PatchEmbed d;
      const int g = static_cast<int>(cin);
      d.large = w.take_conv_bn(sp + "downsample.proj.0.large_conv", c, 1, 7, 2, g);
      d.small = w.take_conv_bn(sp + "downsample.proj.0.small_conv", c, 1, 3, 2, g);
      d.proj = take_mobileone(w, sp + "downsample.proj.1", c, c, 1, 1, 1, true, false, true);
      p.downsample.push_back(std::move(d));
    }
    std::vector<RepMixerBlock> blocks;
    for (int j = 0; j < kLayers[s]; ++j) {
      const std::string bp = fmt::format("{}blocks.{}.", sp, j);
      RepMixerBlock b;
      const int g = static_cast<int>(c);
      b.norm = w.take_bn(bp + "token_mixer.norm.identity", c);
      b.mixer = take_mobileone(w, bp + "token_mixer.mixer", c, c, 3, 1, g, true, true, true);
      b.gamma1 = w.take(bp + "token_mixer.layer_scale.gamma", {c, 1, 1});
      b.mlp_conv = w.take_conv_bn(bp + "mlp.conv", c, 1, 7, 1, g);
      b.fc1 = take_conv_1x1_bias(w, bp + "mlp.fc1", kMlpRatio * c, c);
      b.fc2 = take_conv_1x1_bias(w, bp + "mlp.fc2", c, kMlpRatio * c);
      b.gamma2 = w.take(bp + "layer_scale.gamma", {c, 1, 1});
      blocks.push_back(std::move(b));
    }
    p.stages.push_back(std::move(blocks));
  }
  p.final_conv = take_mobileone(w, v + "final_conv", kDims[3], kFinalChannels, 3, 1, static_cast<int>(kDims[3]), true,
                                true, false);
  {
    const at::Tensor w1 = w.take(v + "final_conv.se.fc1.weight", {kSeReduced, kFinalChannels, 1, 1});
    p.se_fc1 = {w1.view({kSeReduced, kFinalChannels}), w.take(v + "final_conv.se.fc1.bias", {kSeReduced})};
    const at::Tensor w2 = w.take(v + "final_conv.se.fc2.weight", {kFinalChannels, kSeReduced, 1, 1});
    p.se_fc2 = {w2.view({kFinalChannels, kSeReduced}), w.take(v + "final_conv.se.fc2.bias", {kFinalChannels})};
  }
  p.head = w.take_linear(v + "head.fc", kVisionOut, kFinalChannels);
  p.summarizer0 = w.take_linear("summarizer.0", kFeatures, kVisionOut);
  p.summarizer_res = take_resblock(w, "summarizer.2");
  p.hydra_res = take_resblock(w, "hydra.resblock");
  p.in_pose = w.take_linear("hydra.in_layer.pose", kPoseHidden, kFeatures);
  p.res_pose0 = w.take_linear("hydra.res_layer.pose.0", kPoseHidden, kPoseHidden);
  p.res_pose2 = w.take_linear("hydra.res_layer.pose.2", kPoseHidden, kPoseHidden);
  p.final_pose = w.take_linear("hydra.final_layer.pose", kPoseOut, kPoseHidden);
  w.finish();
  if (tensors != nullptr) *tensors = w.tensors();
  return p;
}

at::Tensor posenet_forward_train(const PoseNetParams& p, const at::Tensor& input, std::vector<at::Tensor>* stage_outputs) {
  if (stage_outputs != nullptr) stage_outputs->clear();
  at::Tensor x = (input - p.mean) / p.std;
  x = gelu_tanh(mobileone_train(x, p.stem0));
  x = gelu_tanh(mobileone_train(x, p.stem1));
  x = gelu_tanh(mobileone_train(x, p.stem2));
  for (std::size_t s = 0; s < p.stages.size(); ++s) {
    if (s > 0) {
      const PatchEmbed& d = p.downsample[s - 1];
      x = apply_conv_bn(x, d.large) + apply_conv_bn(x, d.small);
      x = gelu_tanh(mobileone_train(x, d.proj));
    }
    for (const RepMixerBlock& b : p.stages[s]) {
      x = x + b.gamma1 * (mobileone_train(x, b.mixer) - apply_bn(x, b.norm));
      at::Tensor m = apply_conv_bn(x, b.mlp_conv);
      m = apply_conv(gelu_tanh(apply_conv(m, b.fc1)), b.fc2);
      x = x + b.gamma2 * m;
    }
    if (stage_outputs != nullptr) stage_outputs->push_back(x);
  }
  x = mobileone_train(x, p.final_conv);
  at::Tensor s = x.mean({2, 3});
  s = at::relu(apply_linear(s, p.se_fc1));
  s = at::sigmoid(apply_linear(s, p.se_fc2));
  x = gelu_tanh(x * s.unsqueeze(-1).unsqueeze(-1));
  at::Tensor v = apply_linear(x.mean({2, 3}), p.head);
  at::Tensor h = resblock_train(at::relu(apply_linear(v, p.summarizer0)), p.summarizer_res);
  h = resblock_train(h, p.hydra_res);
  return hydra_head(h, p.in_pose, p.res_pose0, p.res_pose2, p.final_pose);
}

PoseNetFolded::FoldedRes PoseNetFolded::fold_res(const ResBlock& r, at::Device device) {
  return FoldedRes{to_device(fold_linear_allnorm(r.a0, r.a1), device), to_device(fold_linear_allnorm(r.a3, r.a4), device),
                   to_device(fold_linear_allnorm(r.b1, r.b2), device), to_device(fold_linear_allnorm(r.b4, r.b5), device)};
}

at::Tensor PoseNetFolded::run_res(const FoldedRes& r, const at::Tensor& x) {
  const at::Tensor a = x + apply_linear(inplace_relu(apply_linear(x, r.a0)), r.a3);
  const at::Tensor rect = at::relu(a);
  return inplace_relu(rect + apply_linear(inplace_relu(apply_linear(rect, r.b1)), r.b4));
}

PoseNetFolded::PoseNetFolded(const PoseNetParams& p, at::Device device, Backend backend)
    : mean_(p.mean.to(device)), std_(p.std.to(device)),
      stem0_(make_fused(fold_mobileone(p.stem0), ConvActivation::GeluTanh, false, device, backend)),
      stem1_(make_fused(fold_mobileone(p.stem1), ConvActivation::GeluTanh, false, device, backend)),
      stem2_(make_fused(fold_mobileone(p.stem2), ConvActivation::GeluTanh, false, device, backend)),
      final_conv_(make_fused(fold_mobileone(p.final_conv), ConvActivation::None, false, device, backend)),
      se_fc1_(to_device(p.se_fc1, device)), se_fc2_(to_device(p.se_fc2, device)), head_(to_device(p.head, device)),
      summarizer0_(to_device(p.summarizer0, device)), summarizer_res_(fold_res(p.summarizer_res, device)),
      hydra_res_(fold_res(p.hydra_res, device)), in_pose_(to_device(p.in_pose, device)),
      res_pose0_(to_device(p.res_pose0, device)), res_pose2_(to_device(p.res_pose2, device)),
      final_pose_(to_device(p.final_pose, device)) {
  for (const PatchEmbed& d : p.downsample) {
    const Conv reduce = sum_convs({fold_conv_bn(d.large), fold_conv_bn(d.small)});
    down_.push_back(Down{make_fused(reduce, ConvActivation::None, false, device, backend),
                         make_fused(fold_mobileone(d.proj), ConvActivation::GeluTanh, false, device, backend)});
  }
  for (const auto& stage : p.stages) {
    std::vector<Block> blocks;
    for (const RepMixerBlock& b : stage) {
      Block f;
      f.mixer = make_fused(fold_repmixer(b), ConvActivation::None, false, device, backend);
      f.mlp_conv = make_fused(fold_conv_bn(b.mlp_conv), ConvActivation::None, false, device, backend);
      f.fc1 = make_fused(b.fc1, ConvActivation::GeluTanh, false, device, backend);
      // Layer scale gamma2 folded into fc2 (§3.5 rule 6); the block's residual add fused into it.
      Conv fc2 = b.fc2;
      const at::Tensor g = b.gamma2.to(at::kDouble).reshape({-1});
      fc2.weight = (b.fc2.weight.to(at::kDouble) * g.view({-1, 1, 1, 1})).to(at::kFloat).contiguous();
      fc2.bias = (b.fc2.bias.to(at::kDouble) * g).to(at::kFloat).contiguous();
      f.fc2 = make_fused(fc2, ConvActivation::None, true, device, backend);
      blocks.push_back(std::move(f));
    }
    stages_.push_back(std::move(blocks));
  }
}

at::Tensor PoseNetFolded::forward(const at::Tensor& input, LayerTimes* times) const {
  const auto memory_format = input.is_cpu() ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  at::Tensor x;
  {
    ScopedLayerTimer t(times, "pose.stem");
    x = ((input - mean_) / std_).contiguous(memory_format);
    x = stem2_(stem1_(stem0_(x)));
  }
  static const char* kStageNames[] = {"pose.stage0", "pose.stage1", "pose.stage2", "pose.stage3"};
  for (std::size_t s = 0; s < stages_.size(); ++s) {
    ScopedLayerTimer t(times, kStageNames[s]);
    if (s > 0) x = down_[s - 1].proj(down_[s - 1].reduce(x));
    for (const Block& b : stages_[s]) {
      x = b.mixer(x);
      x = b.fc2(b.fc1(b.mlp_conv(x)), x);
    }
  }
  ScopedLayerTimer t(times, "pose.head");
  x = final_conv_(x);
  at::Tensor s = x.mean({2, 3});
  s = inplace_relu(apply_linear(s, se_fc1_));
  s = inplace_sigmoid(apply_linear(s, se_fc2_));
  x = inplace_gelu_tanh(x * s.unsqueeze(-1).unsqueeze(-1));
  const at::Tensor v = apply_linear(x.mean({2, 3}), head_);
  at::Tensor h = run_res(summarizer_res_, inplace_relu(apply_linear(v, summarizer0_)));
  h = run_res(hydra_res_, h);
  const at::Tensor h1 = inplace_relu(apply_linear(h, in_pose_));
  const at::Tensor h2 = inplace_relu(h1 + apply_linear(inplace_relu(apply_linear(h1, res_pose0_)), res_pose2_));
  return apply_linear(h2, final_pose_);
}

}  // namespace tac::scorer::nn
