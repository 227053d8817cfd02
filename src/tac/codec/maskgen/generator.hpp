#pragma once
// The maskgen generator (the reference's GeneratorPoseLR, model.py) in plain C++: class embedding
// and coordinate planes, depthwise-separable conv blocks with GroupNorm(2) and SiLU, a stride-2
// branch with a x2 bilinear upsample, a fused trunk; head 1 (first frame of a pair) two FiLM
// residual blocks conditioned on a low-rank pose MLP, head 2 (second frame) a residual block;
// 1x1 convs to RGB, sigmoid x 255. One pair at a time; an instance holds its workspace (use one
// per thread).
#include <cstdint>
#include <memory>
#include <span>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/generator_ops.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"

namespace tac::codec::maskgen {

class Generator {
 public:
  explicit Generator(std::shared_ptr<const GeneratorWeights> weights);
  // mask: kMaskH x kMaskW labels 0..4; out: 2 frames x 3 channels x kMaskH x kMaskW, 0..255 scale.
  void forward(std::span<const std::uint8_t> mask, const Pose& pose, std::span<float> out);

 private:
  std::span<const float> w(const std::string& name) const;
  SeparableWeights separable(const std::string& dw, const std::string& pw, const std::string& norm) const;
  void dsconv(const std::string& p, FeatureMap& in, FeatureMap& out, int oc, int stride = 1);
  ChannelAffine residual_branch(const std::string& p, FeatureMap& x);
  void res(const std::string& p, FeatureMap& x);
  void film_res(const std::string& p, FeatureMap& in, FeatureMap& out, std::span<const float> cond);
  void head_out(const std::string& p, FeatureMap& x, float* out);
  std::vector<float> pose_condition(const Pose& pose) const;

  std::shared_ptr<const GeneratorWeights> weights_;
  // Workspace, reused from pair to pair (~300 MB): the input planes, the skip s (later head 1's
  // map), the trunk's output z, the half-size branch and its x2 upsample, a residual branch's two
  // maps, one row of depthwise outputs.
  FeatureMap in_, s_, z_, half_, up_, c1_, r_;
  ConvScratch scratch_;
};

}  // namespace tac::codec::maskgen
