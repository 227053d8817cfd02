#pragma once
// A 2-D convolution on oneDNN (CPU) with bias, activation and residual add fused into one pass
// over the output. Torch-free: tensors are float32 NHWC buffers owned by the caller. Weights are
// reordered once into oneDNN's preferred blocked layout per input geometry (cached).
#include <cstdint>
#include <memory>
#include <vector>

namespace tac::scorer {

enum class ConvActivation { None, Relu, Silu, GeluTanh };

struct DnnlConvSpec {
  std::int64_t in_channels = 0, out_channels = 0;
  int kernel = 1, stride = 1, padding = 0, groups = 1;
  ConvActivation activation = ConvActivation::None;
  bool add_residual = false;  // dst = act(conv(x) + b) + residual (residual NHWC, shaped like dst)
};

class DnnlConv {
 public:
  // weights: (out, in/groups, k, k) row-major float32; bias: out floats. Both copied.
  DnnlConv(const DnnlConvSpec& spec, const float* weights, const float* bias);
  ~DnnlConv();
  DnnlConv(const DnnlConv&) = delete;
  DnnlConv& operator=(const DnnlConv&) = delete;

  const DnnlConvSpec& spec() const { return spec_; }
  int out_size(int in_size) const { return (in_size + 2 * spec_.padding - spec_.kernel) / spec_.stride + 1; }
  // src: batch x h x w x in (NHWC); dst: batch x oh x ow x out. residual as dst (if add_residual).
  void run(std::int64_t batch, int h, int w, const float* src, float* dst, const float* residual = nullptr) const;

 private:
  struct Impl;
  DnnlConvSpec spec_;
  std::unique_ptr<Impl> impl_;
};

// True when oneDNN is compiled in (always for CPU builds with TAC_HAVE_DNNL).
bool dnnl_available();

}  // namespace tac::scorer
