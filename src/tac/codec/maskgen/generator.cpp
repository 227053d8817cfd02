#include "tac/codec/maskgen/generator.hpp"

#include <cmath>

#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr int kGroups = 2;

// y = W x + b for a Linear layer stored (out, in).
std::vector<float> linear(std::span<const float> x, std::span<const float> weight, std::span<const float> bias, int out) {
  const int in = static_cast<int>(x.size());
  std::vector<float> y(out);
  for (int o = 0; o < out; ++o) {
    float s = 0.0f;
    for (int i = 0; i < in; ++i) s += weight[std::size_t(o) * in + i] * x[i];
    y[o] = bias.empty() ? s : s + bias[o];
  }
  return y;
}

}  // namespace

Generator::Generator(std::shared_ptr<const GeneratorWeights> weights) : weights_(std::move(weights)) {}

std::span<const float> Generator::w(const std::string& name) const { return weights_->at(name); }

// DSConv: depthwise 3x3 (stride), pointwise + bias, GroupNorm, SiLU; x is replaced by the result.
void Generator::dsconv(const std::string& p, FeatureMap& x, int oc, int stride) {
  tmp_.resize(x.c, (x.h + stride - 1) / stride, (x.w + stride - 1) / stride);
  depthwise3x3(x, w(p + ".dw.weight"), stride, tmp_);
  pointwise(tmp_, w(p + ".pw.weight"), w(p + ".pw.bias"), oc, x);
  group_norm(x, kGroups, w(p + ".norm.weight"), w(p + ".norm.bias"));
  silu_inplace(x.v);
}

// r = norm(pw2(dw2(c1(x)))), the branch shared by Res and FiLMRes.
void Generator::residual_branch(const std::string& p, const FeatureMap& x, FeatureMap& r) {
  r = x;
  dsconv(p + ".c1", r, x.c);
  tmp_.resize(r.c, r.h, r.w);
  depthwise3x3(r, w(p + ".dw2.weight"), 1, tmp_);
  pointwise(tmp_, w(p + ".pw2.weight"), w(p + ".pw2.bias"), x.c, r);
  group_norm(r, kGroups, w(p + ".norm.weight"), w(p + ".norm.bias"));
}

void Generator::res(const std::string& p, FeatureMap& x) {
  residual_branch(p, x, tmp2_);
  for (std::size_t i = 0; i < x.v.size(); ++i) x.v[i] = silu(x.v[i] + tmp2_.v[i]);
}

void Generator::film_res(const std::string& p, FeatureMap& x, std::span<const float> cond) {
  residual_branch(p, x, tmp2_);
  const auto gb = linear(cond, w(p + ".film.conv.weight"), w(p + ".film.conv.bias"), 2 * x.c);
  for (int c = 0; c < x.c; ++c) {
    const float scale = 1.0f + gb[c], shift = gb[x.c + c];
    float* a = x.ch(c);
    const float* r = tmp2_.ch(c);
    for (std::size_t i = 0; i < x.plane(); ++i) a[i] = silu((a[i] + r[i] * scale) + shift);
  }
}

void Generator::head_out(const std::string& p, const FeatureMap& x, float* out) {
  pointwise(x, w(p + ".weight"), w(p + ".bias"), 3, tmp_);
  for (std::size_t i = 0; i < tmp_.v.size(); ++i) out[i] = 1.0f / (1.0f + std::exp(-tmp_.v[i])) * 255.0f;
}

std::vector<float> Generator::pose_condition(const Pose& pose) const {
  auto h = linear(pose, w("pose_mlp.0.weight"), w("pose_mlp.0.bias"), kCondDim);
  silu_inplace(h);
  h = linear(linear(h, w("pose_mlp.2.a.weight"), {}, kPoseRank), w("pose_mlp.2.b.weight"), w("pose_mlp.2.b.bias"), kCondDim);
  silu_inplace(h);
  return linear(linear(h, w("pose_mlp.4.a.weight"), {}, kPoseRank), w("pose_mlp.4.b.weight"), w("pose_mlp.4.b.bias"), kCondDim);
}

void Generator::forward(std::span<const std::uint8_t> mask, const Pose& pose, std::span<float> out) {
  if (mask.size() != kMaskPixels || out.size() != 6 * kMaskPixels)
    fail(ErrorKind::internal, "maskgen generator: mask of {} or output of {} values does not fit", mask.size(), out.size());
  // Input: the 6-d class embedding (its resize to the same size is the identity) and x, y in [-1, 1].
  FeatureMap x;
  x.resize(kEmbDim + 2, kMaskH, kMaskW);
  const auto emb = w("trunk.emb.weight");
  for (std::size_t i = 0; i < kMaskPixels; ++i) {
    if (mask[i] >= kMaskClasses) fail(ErrorKind::corrupt_input, "maskgen generator: mask label {} is not a class", mask[i]);
    for (int d = 0; d < kEmbDim; ++d) x.ch(d)[i] = emb[std::size_t(mask[i]) * kEmbDim + d];
  }
  for (int y = 0; y < kMaskH; ++y) {
    const float fy = (static_cast<float>(y) + 0.5f) / static_cast<float>(kMaskH) * 2.0f - 1.0f;
    for (int xx = 0; xx < kMaskW; ++xx) {
      const float fx = (static_cast<float>(xx) + 0.5f) / static_cast<float>(kMaskW) * 2.0f - 1.0f;
      x.ch(kEmbDim)[std::size_t(y) * kMaskW + xx] = fx;
      x.ch(kEmbDim + 1)[std::size_t(y) * kMaskW + xx] = fy;
    }
  }
  // Trunk.
  dsconv("trunk.stem", x, kC1);
  res("trunk.s1", x);
  FeatureMap d = x;
  dsconv("trunk.down", d, kC2, 2);
  res("trunk.d1", d);
  FeatureMap fused;
  upsample2x_bilinear(d, fused);
  d = FeatureMap{};
  dsconv("trunk.up.1", fused, kC1);
  // fuse: DSConv over cat([z, s]) — depthwise per channel into one 112-channel map.
  {
    FeatureMap cat;
    cat.resize(2 * kC1, kMaskH, kMaskW);
    const auto dw = w("trunk.fuse.dw.weight");
    depthwise3x3(fused, dw.subspan(0, 9 * kC1), 1, cat, 0);
    depthwise3x3(x, dw.subspan(9 * kC1), 1, cat, kC1);
    pointwise(cat, w("trunk.fuse.pw.weight"), w("trunk.fuse.pw.bias"), kC1, x);
    group_norm(x, kGroups, w("trunk.fuse.norm.weight"), w("trunk.fuse.norm.bias"));
    silu_inplace(x.v);
  }
  fused = FeatureMap{};
  res("trunk.f1", x);
  // Head 1 (first frame): FiLM blocks conditioned on the pose.
  const auto cond = pose_condition(pose);
  FeatureMap h = x;
  film_res("h1.r1", h, cond);
  film_res("h1.r2", h, cond);
  head_out("h1.out", h, out.data());
  // Head 2 (second frame).
  h = std::move(x);
  res("h2.r1", h);
  dsconv("h2.pre", h, kHeadHidden);
  head_out("h2.out", h, out.data() + 3 * kMaskPixels);
}

}  // namespace tac::codec::maskgen
