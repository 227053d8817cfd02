#pragma once
// SegNet = smp Unet(efficientnet_b2), scorer_architecture.md §2. Internal to tac_scorer (torch).
// Two forms over the same weights:
//  * SegNetParams + segnet_forward_train: the module graph as stored (conv, BN, SE, ... unfolded),
//    differentiable with autograd;
//  * SegNetFolded: BN folded into the convs, channels-last, for fast inference.
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <vector>

#include "tac/scorer/layer_timer.hpp"
#include "tac/scorer/torch_weights.hpp"
#include "tac/scorer/upsample_conv.hpp"

namespace tac::scorer::nn {

struct SqueezeExcite {
  Linear reduce, expand;  // 1x1 convs stored as (out, in) matrices
};

struct EncoderBlock {
  bool inverted_residual = false;  // IR (conv_pw, conv_dw, conv_pwl) or DS (conv_dw, conv_pw)
  ConvBn expand;                   // IR only: conv_pw + bn1
  ConvBn depthwise;                // conv_dw + bn (bn1 for DS, bn2 for IR)
  SqueezeExcite se;
  ConvBn project;                  // DS: conv_pw + bn2; IR: conv_pwl + bn3
  bool residual = false;
};

struct SegNetParams {
  ConvBn stem;
  std::vector<EncoderBlock> blocks;  // 23 blocks in order
  std::vector<int> feature_after;    // block indices whose output is a skip feature f1..f5
  std::vector<ConvBn> decoder;       // blocks.{0..4}.conv{1,2}: 10 convs
  Conv head;                         // segmentation_head.0 (bias)
};

// Reads and validates every key of segnet.safetensors (with or without num_batches_tracked).
// With `tensors`, also every tensor by its key (sharing storage with the returned parameters).
SegNetParams load_segnet(const std::filesystem::path& path, KeyedTensors* tensors = nullptr);

// Unfolded forward: x (B, 3, 384, 512) float RGB 0..255 -> logits (B, 5, 384, 512).
at::Tensor segnet_forward_train(const SegNetParams& p, const at::Tensor& x);

struct FoldedBlock {
  bool inverted_residual = false;
  FusedConv expand, depthwise, project;  // expand/depthwise with SiLU; project with the residual add
  Linear se_reduce, se_expand;
};

class SegNetFolded {
 public:
  SegNetFolded(const SegNetParams& p, at::Device device, Backend backend);
  SegNetFolded(const SegNetParams& p, at::Device device) : SegNetFolded(p, device, default_backend(device)) {}
  // x (B, 3, 384, 512) float -> logits (B, 5, 384, 512) (channels-last on CPU).
  at::Tensor forward(const at::Tensor& x, LayerTimes* times = nullptr) const;

 private:
  FusedConv stem_;
  std::vector<FoldedBlock> blocks_;
  std::vector<int> feature_after_;
  std::vector<FusedConv> decoder_;
  std::vector<std::shared_ptr<UpsampleConcatConv>> up_conv_;  // Dnnl backend: decoder conv1s
  FusedConv head_;
};

}  // namespace tac::scorer::nn
