#pragma once
// Internal to tac_scorer (torch code only): loading PyTorch state_dict tensors by key from a
// safetensors file with strict key/shape checking, and the BatchNorm / branch folding rules of
// scorer_architecture.md §2.4 and §3.5.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tac/io/safetensors.hpp"
#include "tac/scorer/dnnl_conv.hpp"

namespace tac::scorer::nn {

// Eval-mode BatchNorm: y = (x - mean) / sqrt(var + eps) * weight + bias.
struct BatchNorm {
  at::Tensor weight, bias, mean, var;
  double eps = 1e-5;
  std::string key;  // state_dict prefix, e.g. "encoder._blocks.0.bn1"
};

// Conv2d (PyTorch cross-correlation, symmetric padding) without bias, followed by a BatchNorm.
struct ConvBn {
  at::Tensor weight;  // (out, in/groups, k, k)
  BatchNorm bn;
  int stride = 1, padding = 0, groups = 1;
};

struct Linear {
  at::Tensor weight, bias;  // (out, in), (out)
};

// A single conv with bias: the folded (inference) form of any of the above.
struct Conv {
  at::Tensor weight, bias;
  int stride = 1, padding = 0, groups = 1;
};

// Reads tensors by PyTorch key; every key must be taken exactly once (finish() checks for
// leftovers; `<bn>.num_batches_tracked` is optional and ignored).
class WeightStore {
 public:
  explicit WeightStore(const std::filesystem::path& path);
  at::Tensor take(const std::string& key, const std::vector<std::int64_t>& shape);
  BatchNorm take_bn(const std::string& prefix, std::int64_t channels, double eps = 1e-5);
  ConvBn take_conv_bn(const std::string& prefix, std::int64_t out, std::int64_t in_per_group, int k,
                      int stride, int groups);  // <prefix>.conv.weight + <prefix>.bn.*
  Linear take_linear(const std::string& prefix, std::int64_t out, std::int64_t in);
  void finish() const;  // throws tac::Error naming the file and the first unexpected key
  const std::string& source() const { return source_; }
  // Every tensor taken so far by its key. The handles share storage with what take() returned,
  // so a trainer can update a network's parameters in place and write them back by key.
  const std::map<std::string, at::Tensor>& tensors() const { return tensors_; }

 private:
  io::Safetensors file_;
  std::string source_;
  std::set<std::string, std::less<>> taken_;
  std::map<std::string, at::Tensor> tensors_;
};

// A network's tensors by state_dict key (see WeightStore::tensors).
using KeyedTensors = std::map<std::string, at::Tensor>;

// Per-channel scale t = weight / sqrt(var + eps) and shift bias - mean * t (computed in double).
std::pair<at::Tensor, at::Tensor> bn_scale_shift(const BatchNorm& bn);
// Conv followed by BN -> conv with bias (§2.4 / §3.5 rule 1). Result float32 on the CPU.
Conv fold_conv_bn(const ConvBn& c);
// Identity BN branch as a conv of shape (out, in/groups, k, k) (§3.5 rule 2).
Conv fold_identity_bn(const BatchNorm& bn, std::int64_t out, std::int64_t in_per_group, int k,
                      int groups);
// Zero-pads a (o, i, k0, k0) kernel to k x k at the centre.
at::Tensor pad_kernel(const at::Tensor& w, int k);
// Sum of convs with the same geometry (kernels padded to the largest k).
Conv sum_convs(const std::vector<Conv>& parts);

// While one of these is alive on a thread, apply_bn() there runs BatchNorm in training mode: it
// normalizes with the batch's statistics and folds them into the layer's running mean/var as a
// cumulative average over the batches seen (PyTorch's momentum=None), like `model.train()` on
// calibration data. Used to calibrate twin weights; the tensors of the BatchNorms it sees change.
class BatchNormCalibration {
 public:
  BatchNormCalibration();
  ~BatchNormCalibration();
  BatchNormCalibration(const BatchNormCalibration&) = delete;
  BatchNormCalibration& operator=(const BatchNormCalibration&) = delete;

  static BatchNormCalibration* active();
  at::Tensor apply(const at::Tensor& x, const BatchNorm& bn);
  // Every BatchNorm calibrated so far (by key) and how many batches each saw.
  const std::map<std::string, BatchNorm>& layers() const { return layers_; }
  std::int64_t batches(const std::string& key) const;

 private:
  BatchNormCalibration* previous_;
  std::map<std::string, BatchNorm> layers_;
  std::map<std::string, std::int64_t> batches_;
};

// While one of these is alive on a thread, apply_bn() there runs BatchNorm as `model.train()`
// does: it normalizes with the batch's statistics (gradients flow through them) and moves each
// layer's running mean/var towards them with `momentum` (PyTorch's default 0.1). For training.
class BatchNormTraining {
 public:
  explicit BatchNormTraining(double momentum = 0.1);
  ~BatchNormTraining();
  BatchNormTraining(const BatchNormTraining&) = delete;
  BatchNormTraining& operator=(const BatchNormTraining&) = delete;

  static BatchNormTraining* active();
  at::Tensor apply(const at::Tensor& x, const BatchNorm& bn) const;

 private:
  BatchNormTraining* previous_;
  double momentum_;
};

// Train-time building blocks (autograd-friendly, no in-place ops on inputs).
at::Tensor apply_conv_bn(const at::Tensor& x, const ConvBn& c);
at::Tensor apply_bn(const at::Tensor& x, const BatchNorm& bn);
at::Tensor apply_conv(const at::Tensor& x, const Conv& c);
at::Tensor apply_linear(const at::Tensor& x, const Linear& l);
// True when autograd records operations on x (grad mode on and x requires grad).
bool records_graph(const at::Tensor& x);
// Activations in place on a temporary (the inference form); out of place when autograd records
// x, so the folded networks also run differentiably (Backend::Aten only).
at::Tensor inplace_silu(at::Tensor x);
at::Tensor inplace_relu(at::Tensor x);
at::Tensor inplace_sigmoid(at::Tensor x);
at::Tensor inplace_gelu_tanh(at::Tensor x);
// Moves a folded conv / linear to `device`; on the CPU the 4-D weight goes channels-last.
Conv to_device(const Conv& c, at::Device device);
Linear to_device(const Linear& l, at::Device device);

// Keeps freed activation buffers mapped for reuse (glibc mallopt: no mmap for large blocks, no
// trimming). Without it every large tensor is a fresh mmap whose pages fault in again on each
// forward, which costs ~20 % of the time in a VM. Process-wide; called by the Scorer.
void keep_freed_memory_mapped();

// Which kernels the folded (inference) networks use on the CPU.
enum class Backend { Aten, Dnnl };
// Default: Dnnl on the CPU unless TAC_SCORER_BACKEND=aten; always Aten on other devices.
Backend default_backend(at::Device device);

// A folded conv with its activation and optional residual add, run as one fused oneDNN
// primitive (Dnnl) or as ATen conv2d + activation + add (Aten; any device). The Aten form is
// differentiable w.r.t. its input (frozen weights); the Dnnl form refuses an input autograd records.
struct FusedConv {
  Conv conv;
  ConvActivation activation = ConvActivation::None;
  bool residual = false;
  std::shared_ptr<DnnlConv> dnnl;
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& residual_input = {}) const;
};
FusedConv make_fused(const Conv& folded, ConvActivation activation, bool residual, at::Device device, Backend backend);

}  // namespace tac::scorer::nn
