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
  void dsconv(const std::string& p, const FeatureMap& in, FeatureMap& out, int oc, int stride = 1);
  ChannelAffine residual_branch(const std::string& p, const FeatureMap& x, FeatureMap& r);
  void res(const std::string& p, FeatureMap& x);
  void film_res(const std::string& p, const FeatureMap& in, FeatureMap& out, std::span<const float> cond);
  void head_out(const std::string& p, const FeatureMap& x, float* out);
  std::vector<float> pose_condition(const Pose& pose) const;

  std::shared_ptr<const GeneratorWeights> weights_;
  // Workspace, reused from pair to pair (~280 MB): the input planes, the skip s (later head 1's
  // map), the trunk's output z, the x2 upsample and then the fuse's 112-channel depthwise output,
  // the depthwise scratch, a residual branch, the heads' 3-channel logits, the half-size branch.
  FeatureMap in_, s_, z_, cat_, dw_, r_, logits_, half_;
};

}  // namespace tac::codec::maskgen
