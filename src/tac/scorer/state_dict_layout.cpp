#include "tac/scorer/state_dict_layout.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <set>

#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace tac::scorer {

std::int64_t ParamSpec::numel() const {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

std::string_view network_name(Network network) { return network == Network::SegNet ? "segnet" : "posenet"; }

namespace {

class LayoutBuilder {
 public:
  std::vector<ParamSpec> specs;

  // Conv weight (out, in/groups, k, k); `bias` adds "<p>.bias".
  void conv(const std::string& p, std::int64_t out, std::int64_t in_per_group, std::int64_t k, bool bias = false) {
    const std::int64_t fan_in = in_per_group * k * k;
    specs.push_back({p + ".weight", {out, in_per_group, k, k}, ParamRole::ConvWeight, fan_in});
    if (bias) specs.push_back({p + ".bias", {out}, ParamRole::Bias, fan_in});
  }
  void linear(const std::string& p, std::int64_t out, std::int64_t in) {
    specs.push_back({p + ".weight", {out, in}, ParamRole::ConvWeight, in});
    specs.push_back({p + ".bias", {out}, ParamRole::Bias, in});
  }
  // BatchNorm in PyTorch's state_dict order.
  void bn(const std::string& p, std::int64_t c) {
    specs.push_back({p + ".weight", {c}, ParamRole::BnWeight, 0});
    specs.push_back({p + ".bias", {c}, ParamRole::BnBias, 0});
    specs.push_back({p + ".running_mean", {c}, ParamRole::BnMean, 0});
    specs.push_back({p + ".running_var", {c}, ParamRole::BnVar, 0});
    specs.push_back({p + ".num_batches_tracked", {}, ParamRole::BnCount, 0});
  }
  void conv_bn(const std::string& p, std::int64_t out, std::int64_t in_per_group, std::int64_t k) {
    conv(p + ".conv", out, in_per_group, k);
    bn(p + ".bn", out);
  }
  void gamma(const std::string& p, std::int64_t c) { specs.push_back({p + ".gamma", {c, 1, 1}, ParamRole::LayerScale, 0}); }
};

// --- SegNet: smp Unet on timm efficientnet_b2 (spec §2) -------------------------------------------
struct EffStage {
  int repeats;
  std::int64_t out;
  std::int64_t kernel;
  int expand;  // 1: DepthwiseSeparable block, else InvertedResidual with mid = expand · in
};
// efficientnet_b2 = B0 stages with channels ×1.1 (divisor 8) and repeats ×1.2 (ceil), spec §2.1.
constexpr EffStage kEffStages[] = {{2, 16, 3, 1}, {3, 24, 3, 6}, {3, 48, 5, 6}, {4, 88, 3, 6},
                                   {4, 120, 5, 6}, {5, 208, 5, 6}, {2, 352, 3, 6}};
constexpr std::int64_t kStemChannels = 32;
constexpr std::int64_t kSegClasses = 5;
// Unet decoder (spec §2.2): input channels of each block, skip channels, output channels.
constexpr std::int64_t kDecoderIn[] = {352, 256, 128, 64, 32};
constexpr std::int64_t kDecoderSkip[] = {120, 48, 24, 16, 0};
constexpr std::int64_t kDecoderOut[] = {256, 128, 64, 32, 16};

std::vector<ParamSpec> build_segnet() {
  LayoutBuilder b;
  const std::string enc = "encoder.model.";
  b.conv(enc + "conv_stem", kStemChannels, 3, 3);
  b.bn(enc + "bn1", kStemChannels);
  std::int64_t in = kStemChannels;
  for (int s = 0; s < static_cast<int>(std::size(kEffStages)); ++s) {
    const auto& st = kEffStages[s];
    for (int j = 0; j < st.repeats; ++j) {
      const std::string p = fmt::format("{}blocks.{}.{}.", enc, s, j);
      const std::int64_t rd = std::lround(0.25 * static_cast<double>(in));  // SE width from block input
      // The depthwise conv, its batch norm and the squeeze-excitation pair, at `width` channels.
      const auto depthwise_se = [&](const char* bn_name, std::int64_t width) {
        b.conv(p + "conv_dw", width, 1, st.kernel);
        b.bn(p + bn_name, width);
        b.conv(p + "se.conv_reduce", rd, width, 1, true);
        b.conv(p + "se.conv_expand", width, rd, 1, true);
      };
      if (st.expand == 1) {
        depthwise_se("bn1", in);
        b.conv(p + "conv_pw", st.out, in, 1);
        b.bn(p + "bn2", st.out);
      } else {
        const std::int64_t mid = in * st.expand;
        b.conv(p + "conv_pw", mid, in, 1);
        b.bn(p + "bn1", mid);
        depthwise_se("bn2", mid);
        b.conv(p + "conv_pwl", st.out, mid, 1);
        b.bn(p + "bn3", st.out);
      }
      in = st.out;
    }
  }
  for (int i = 0; i < 5; ++i) {
    const std::string p = fmt::format("decoder.blocks.{}.", i);
    b.conv(p + "conv1.0", kDecoderOut[i], kDecoderIn[i] + kDecoderSkip[i], 3);
    b.bn(p + "conv1.1", kDecoderOut[i]);
    b.conv(p + "conv2.0", kDecoderOut[i], kDecoderOut[i], 3);
    b.bn(p + "conv2.1", kDecoderOut[i]);
  }
  b.conv("segmentation_head.0", kSegClasses, kDecoderOut[4], 3, true);
  return b.specs;
}

// --- PoseNet: FastViT-T12 + summarizer + hydra (spec §3) ------------------------------------------
constexpr int kFastVitLayers[] = {2, 2, 6, 2};
constexpr std::int64_t kFastVitDims[] = {64, 128, 256, 512};
constexpr std::int64_t kMlpRatio = 3;
constexpr std::int64_t kPoseInputs = 12;
constexpr std::int64_t kFinalConv = 1024;  // cls_ratio 2 × 512
constexpr std::int64_t kFinalSe = 64;      // 1024 / 16
constexpr std::int64_t kVisionOut = 2048;
constexpr std::int64_t kHidden = 512;
constexpr std::int64_t kHeadHidden = 32;
constexpr std::int64_t kPoseOut = 12;

// timm MobileOneBlock registers se, identity, conv_kxk, conv_scale in this order.
void mobileone(LayoutBuilder& b, const std::string& p, std::int64_t cin, std::int64_t cout, std::int64_t k,
               std::int64_t groups, bool identity, bool scale, bool kxk = true) {
  if (identity) b.bn(p + "identity", cin);
  if (kxk) b.conv_bn(p + "conv_kxk.0", cout, cin / groups, k);
  if (scale) b.conv_bn(p + "conv_scale", cout, cin / groups, 1);
}

void resblock(LayoutBuilder& b, const std::string& p, std::int64_t f) {
  b.linear(p + "block_a.0", 2 * f, f);
  b.bn(p + "block_a.1.bn", 1);
  b.linear(p + "block_a.3", f, 2 * f);
  b.bn(p + "block_a.4.bn", 1);
  b.linear(p + "block_b.1", 2 * f, f);
  b.bn(p + "block_b.2.bn", 1);
  b.linear(p + "block_b.4", f, 2 * f);
  b.bn(p + "block_b.5.bn", 1);
}

std::vector<ParamSpec> build_posenet() {
  LayoutBuilder b;
  b.specs.push_back({"_mean", {1, kPoseInputs, 1, 1}, ParamRole::InputMean, 0});
  b.specs.push_back({"_std", {1, kPoseInputs, 1, 1}, ParamRole::InputStd, 0});
  const std::int64_t c0 = kFastVitDims[0];
  mobileone(b, "vision.stem.0.", kPoseInputs, c0, 3, 1, false, true);
  mobileone(b, "vision.stem.1.", c0, c0, 3, c0, false, true);
  mobileone(b, "vision.stem.2.", c0, c0, 1, 1, true, false);
  std::int64_t prev = c0;
  for (int s = 0; s < 4; ++s) {
    const std::int64_t c = kFastVitDims[s];
    const std::string st = fmt::format("vision.stages.{}.", s);
    if (c != prev) {  // PatchEmbed: ReparamLargeKernelConv (7x7 + 3x3, groups = in) then MobileOne 1x1
      b.conv_bn(st + "downsample.proj.0.large_conv", c, 1, 7);
      b.conv_bn(st + "downsample.proj.0.small_conv", c, 1, 3);
      mobileone(b, st + "downsample.proj.1.", c, c, 1, 1, true, false);
    }
    for (int j = 0; j < kFastVitLayers[s]; ++j) {
      const std::string p = fmt::format("{}blocks.{}.", st, j);
      mobileone(b, p + "token_mixer.norm.", c, c, 3, c, true, false, false);
      mobileone(b, p + "token_mixer.mixer.", c, c, 3, c, true, true);
      b.gamma(p + "token_mixer.layer_scale", c);
      b.conv_bn(p + "mlp.conv", c, 1, 7);
      b.conv(p + "mlp.fc1", kMlpRatio * c, c, 1, true);
      b.conv(p + "mlp.fc2", c, kMlpRatio * c, 1, true);
      b.gamma(p + "layer_scale", c);
    }
    prev = c;
  }
  b.conv("vision.final_conv.se.fc1", kFinalSe, kFinalConv, 1, true);
  b.conv("vision.final_conv.se.fc2", kFinalConv, kFinalSe, 1, true);
  mobileone(b, "vision.final_conv.", prev, kFinalConv, 3, prev, false, true);
  b.linear("vision.head.fc", kVisionOut, kFinalConv);
  b.linear("summarizer.0", kHidden, kVisionOut);
  resblock(b, "summarizer.2.", kHidden);
  resblock(b, "hydra.resblock.", kHidden);
  b.linear("hydra.in_layer.pose", kHeadHidden, kHidden);
  b.linear("hydra.res_layer.pose.0", kHeadHidden, kHeadHidden);
  b.linear("hydra.res_layer.pose.2", kHeadHidden, kHeadHidden);
  b.linear("hydra.final_layer.pose", kPoseOut, kHeadHidden);
  return b.specs;
}

bool is_floating(io::DType d) {
  return d == io::DType::F32 || d == io::DType::F16 || d == io::DType::BF16 || d == io::DType::F64;
}

}  // namespace

const std::vector<ParamSpec>& state_dict_layout(Network network) {
  static const std::vector<ParamSpec> segnet = build_segnet();
  static const std::vector<ParamSpec> posenet = build_posenet();
  return network == Network::SegNet ? segnet : posenet;
}

void validate_weights(const io::Safetensors& file, Network network) {
  const auto& layout = state_dict_layout(network);
  std::vector<std::string> problems;
  std::set<std::string, std::less<>> known;
  for (const auto& spec : layout) {
    known.insert(spec.name);
    const auto* t = file.find(spec.name);
    if (spec.is_int64()) {
      if (t && (t->dtype != io::DType::I64 || t->numel != 1))
        problems.push_back(fmt::format("'{}' must be one int64 (is {} {})", spec.name, io::dtype_name(t->dtype),
                                       fmt::join(t->shape, "x")));
      continue;
    }
    if (!t) {
      problems.push_back(fmt::format("missing key '{}'", spec.name));
    } else if (t->shape != spec.shape) {
      problems.push_back(fmt::format("'{}' has shape [{}], expected [{}]", spec.name, fmt::join(t->shape, ", "),
                                     fmt::join(spec.shape, ", ")));
    } else if (!is_floating(t->dtype)) {
      problems.push_back(fmt::format("'{}' has dtype {}, expected a float type", spec.name, io::dtype_name(t->dtype)));
    }
  }
  for (const auto& t : file.tensors()) {
    if (!known.contains(t.name)) problems.push_back(fmt::format("unexpected key '{}'", t.name));
  }
  if (problems.empty()) return;
  const std::size_t shown = std::min<std::size_t>(problems.size(), 5);
  std::string text;
  for (std::size_t i = 0; i < shown; ++i) text += (i ? "; " : "") + problems[i];
  if (problems.size() > shown) text += fmt::format("; and {} more", problems.size() - shown);
  fail(ErrorKind::corrupt_input, "{}: not {} weights ({} problem{}): {}", file.source(), network_name(network), problems.size(),
       problems.size() == 1 ? "" : "s", text);
}

void validate_weights_file(const std::filesystem::path& path, Network network) {
  validate_weights(io::Safetensors::open(path), network);
}

}  // namespace tac::scorer
