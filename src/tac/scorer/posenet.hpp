#pragma once
// PoseNet = FastViT-T12 (12-channel input, GELU-tanh) + summarizer + hydra 'pose' head,
// scorer_architecture.md §3. Internal to tac_scorer (torch). Two forms over the same weights:
//  * PoseNetParams + posenet_forward_train: the multi-branch train-time graph as stored,
//    differentiable with autograd;
//  * PoseNetFolded: BN folded and MobileOne / RepMixer branches reparameterized (§3.5).
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "tac/scorer/layer_timer.hpp"
#include "tac/scorer/torch_weights.hpp"

namespace tac::scorer::nn {

struct MobileOne {
  std::optional<ConvBn> kxk, scale;
  std::optional<BatchNorm> identity;
  std::int64_t in = 0, out = 0;
  int k = 1, stride = 1, groups = 1;
};

struct RepMixerBlock {
  MobileOne mixer;
  BatchNorm norm;       // token_mixer.norm.identity
  at::Tensor gamma1;    // token_mixer.layer_scale.gamma (C,1,1)
  ConvBn mlp_conv;      // depthwise 7x7 + BN
  Conv fc1, fc2;        // 1x1 with bias
  at::Tensor gamma2;    // layer_scale.gamma (C,1,1)
};

struct PatchEmbed {
  ConvBn large, small;  // 7x7 and 3x3, stride 2, groups Cin, Cin -> 2 Cin
  MobileOne proj;       // 1x1 conv + identity BN, then GELU
};

struct ResBlock {
  Linear a0, a3, b1, b4;
  BatchNorm a1, a4, b2, b5;  // AllNorm: BatchNorm1d(1, eps 1e-3) over every element
};

struct PoseNetParams {
  at::Tensor mean, std;  // (1, 12, 1, 1)
  MobileOne stem0, stem1, stem2;
  std::vector<PatchEmbed> downsample;           // stages 1..3
  std::vector<std::vector<RepMixerBlock>> stages;
  MobileOne final_conv;
  Linear se_fc1, se_fc2;  // final_conv.se (1x1 convs as matrices)
  Linear head;            // vision.head.fc
  Linear summarizer0;
  ResBlock summarizer_res, hydra_res;
  Linear in_pose, res_pose0, res_pose2, final_pose;
};

// With `tensors`, also every tensor by its key (sharing storage with the returned parameters).
PoseNetParams load_posenet(const std::filesystem::path& path, KeyedTensors* tensors = nullptr);

// x: (B, 12, 192, 256) YUV6 planes 0..255 (before normalization) -> (B, 12). With `stage_outputs`,
// also each FastViT stage's output (strides 4, 8, 16, 32), part of the graph: training-time heads
// can read the middle of the network (tac twin --train's flow supervision).
at::Tensor posenet_forward_train(const PoseNetParams& p, const at::Tensor& x, std::vector<at::Tensor>* stage_outputs = nullptr);

class PoseNetFolded {
 public:
  PoseNetFolded(const PoseNetParams& p, at::Device device, Backend backend);
  PoseNetFolded(const PoseNetParams& p, at::Device device) : PoseNetFolded(p, device, default_backend(device)) {}
  at::Tensor forward(const at::Tensor& x, LayerTimes* times = nullptr) const;

 private:
  struct Block {
    FusedConv mixer, mlp_conv, fc1, fc2;  // fc1 with GELU, fc2 with the residual add
  };
  struct Down {
    FusedConv reduce, proj;  // proj with GELU
  };
  at::Tensor mean_, std_;
  FusedConv stem0_, stem1_, stem2_;
  std::vector<Down> down_;
  std::vector<std::vector<Block>> stages_;
  FusedConv final_conv_;
  Linear se_fc1_, se_fc2_, head_, summarizer0_;
  struct FoldedRes {
    Linear a0, a3, b1, b4;
  } summarizer_res_, hydra_res_;
  Linear in_pose_, res_pose0_, res_pose2_, final_pose_;
  static FoldedRes fold_res(const ResBlock& r, at::Device device);
  static at::Tensor run_res(const FoldedRes& r, const at::Tensor& x);
};

}  // namespace tac::scorer::nn
