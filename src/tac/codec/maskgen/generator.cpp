#include "tac/codec/maskgen/generator.hpp"

#include <cmath>

#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

// One output of a linear layer stored (out, in): fused multiply-adds over the inputs in order,
// starting from `start`.
float dot(std::span<const float> x, const float* row, float start) {
  float s = start;
  for (std::size_t i = 0; i < x.size(); ++i) s = std::fma(row[i], x[i], s);
  return s;
}

// nn.Linear: torch's addmm through OpenBLAS's sgemm, whose kernel (Haswell/Zen) accumulates a dot
// product of a multiple of 8 terms in two fused chains, even and odd terms, added at the end, and a
// shorter one in a single chain (measured against torch 1.13 for the layer widths here: 6, 16, 64);
// the bias is added to the sum.
std::vector<float> linear(std::span<const float> x, std::span<const float> weight, std::span<const float> bias, int out) {
  std::vector<float> y(out);
  for (int o = 0; o < out; ++o) {
    const float* row = weight.data() + std::size_t(o) * x.size();
    float s;
    if (x.size() % 8 == 0) {
      float even = 0.0f, odd = 0.0f;
      for (std::size_t i = 0; i < x.size(); i += 2) {
        even = std::fma(row[i], x[i], even);
        odd = std::fma(row[i + 1], x[i + 1], odd);
      }
      s = even + odd;
    } else {
      s = dot(x, row, 0.0f);
    }
    y[o] = bias.empty() ? s : s + bias[o];
  }
  return y;
}

// A 1x1 convolution on a vector (the FiLM layer): the bias starts the sum, as in the maps.
std::vector<float> conv1x1(std::span<const float> x, std::span<const float> weight, std::span<const float> bias, int out) {
  std::vector<float> y(out);
  for (int o = 0; o < out; ++o) y[o] = dot(x, weight.data() + std::size_t(o) * x.size(), bias[o]);
  return y;
}

}  // namespace

Generator::Generator(std::shared_ptr<const GeneratorWeights> weights) : weights_(std::move(weights)) {}

std::span<const float> Generator::w(const std::string& name) const { return weights_->at(name); }

SeparableWeights Generator::separable(const std::string& dw, const std::string& pw, const std::string& norm) const {
  return {w(dw + ".weight"), w(pw + ".weight"), w(pw + ".bias"), w(norm + ".weight"), w(norm + ".bias")};
}

// DSConv: depthwise 3x3 (stride), pointwise + bias, GroupNorm, SiLU; the norm and SiLU are left
// pending on `out`, applied by whichever reads it next.
void Generator::dsconv(const std::string& p, FeatureMap& in, FeatureMap& out, int oc, int stride) {
  FeatureMap* inputs[] = {&in};
  out.pending = separable_conv(inputs, separable(p + ".dw", p + ".pw", p + ".norm"), stride, oc, out, scratch_);
}

// r = pw2(dw2(c1(x))), the branch shared by Res and FiLMRes, into r_; returns its GroupNorm.
ChannelAffine Generator::residual_branch(const std::string& p, FeatureMap& x) {
  dsconv(p + ".c1", x, c1_, x.c);
  FeatureMap* inputs[] = {&c1_};
  return separable_conv(inputs, separable(p + ".dw2", p + ".pw2", p + ".norm"), 1, x.c, r_, scratch_);
}

void Generator::res(const std::string& p, FeatureMap& x) {
  const auto norm = residual_branch(p, x);
  residual_norm_silu(x, r_, norm, x);
}

void Generator::film_res(const std::string& p, FeatureMap& in, FeatureMap& out, std::span<const float> cond) {
  const auto norm = residual_branch(p, in);
  const auto gb = conv1x1(cond, w(p + ".film.conv.weight"), w(p + ".film.conv.bias"), 2 * in.c);
  film_norm_silu(in, r_, norm, std::span(gb).first(in.c), std::span(gb).subspan(in.c), out);
}

void Generator::head_out(const std::string& p, FeatureMap& x, float* out) {
  activate(x);
  pointwise_to_planes(x, w(p + ".weight"), w(p + ".bias"), 3, out);
  sigmoid255(out, out, 3 * x.plane());
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
  in_.resize(kEmbDim + 2, kMaskH, kMaskW);
  const auto emb = w("trunk.emb.weight");
  for (std::size_t i = 0; i < kMaskPixels; ++i) {
    if (mask[i] >= kMaskClasses) fail(ErrorKind::corrupt_input, "maskgen generator: mask label {} is not a class", mask[i]);
    for (int d = 0; d < kEmbDim; ++d) in_.ch(d)[i] = emb[std::size_t(mask[i]) * kEmbDim + d];
  }
  for (int y = 0; y < kMaskH; ++y) {
    const float fy = (static_cast<float>(y) + 0.5f) / static_cast<float>(kMaskH) * 2.0f - 1.0f;
    for (int xx = 0; xx < kMaskW; ++xx) {
      const float fx = (static_cast<float>(xx) + 0.5f) / static_cast<float>(kMaskW) * 2.0f - 1.0f;
      in_.ch(kEmbDim)[std::size_t(y) * kMaskW + xx] = fx;
      in_.ch(kEmbDim + 1)[std::size_t(y) * kMaskW + xx] = fy;
    }
  }
  // Trunk: s = s1(stem(in)); z = up(d1(down(s))); z = f1(fuse(cat(z, s))).
  dsconv("trunk.stem", in_, s_, kC1);
  res("trunk.s1", s_);
  dsconv("trunk.down", s_, half_, kC2, 2);
  res("trunk.d1", half_);
  upsample2x_bilinear(half_, up_);
  dsconv("trunk.up.1", up_, z_, kC1);
  {
    FeatureMap* inputs[] = {&z_, &s_};  // fuse: DSConv over cat([z, s])
    FeatureMap& fused = c1_;
    fused.pending = separable_conv(inputs, separable("trunk.fuse.dw", "trunk.fuse.pw", "trunk.fuse.norm"), 1, kC1, fused, scratch_);
    std::swap(z_, fused);
  }
  res("trunk.f1", z_);
  // Head 1 (first frame): FiLM blocks conditioned on the pose, in s_'s storage.
  const auto cond = pose_condition(pose);
  FeatureMap& h = s_;
  film_res("h1.r1", z_, h, cond);
  film_res("h1.r2", h, h, cond);
  head_out("h1.out", h, out.data());
  // Head 2 (second frame).
  res("h2.r1", z_);
  dsconv("h2.pre", z_, h, kHeadHidden);
  head_out("h2.out", h, out.data() + 3 * kMaskPixels);
}

}  // namespace tac::codec::maskgen
