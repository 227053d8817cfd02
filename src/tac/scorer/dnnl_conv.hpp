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
  bool residual_before_activation = false;  // dst = act(conv(x) + b + residual) instead
  // Asymmetric zero padding (top, left, bottom, right); negative entries mean `padding`.
  int pad_top = -1, pad_left = -1, pad_bottom = -1, pad_right = -1;
  int top() const { return pad_top >= 0 ? pad_top : padding; }
  int left() const { return pad_left >= 0 ? pad_left : padding; }
  int bottom() const { return pad_bottom >= 0 ? pad_bottom : padding; }
  int right() const { return pad_right >= 0 ? pad_right : padding; }
};

class DnnlConv {
 public:
  // weights: (out, in/groups, k, k) row-major float32; bias: out floats. Both copied.
  DnnlConv(const DnnlConvSpec& spec, const float* weights, const float* bias);
  ~DnnlConv();
  DnnlConv(const DnnlConv&) = delete;
  DnnlConv& operator=(const DnnlConv&) = delete;

  const DnnlConvSpec& spec() const { return spec_; }
  int out_height(int h) const { return (h + spec_.top() + spec_.bottom() - spec_.kernel) / spec_.stride + 1; }
  int out_width(int w) const { return (w + spec_.left() + spec_.right() - spec_.kernel) / spec_.stride + 1; }
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
