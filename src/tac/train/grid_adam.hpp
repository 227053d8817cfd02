#pragma once
// Adam whose step is measured in grid steps (`tac tune`): each parameter carries its quantization
// step (a scalar per weight tensor, a row per latent dimension), and the update is
//   p -= lr * unit * m_hat / (sqrt(v_hat) + eps),
// with Adam's bias correction counted per parameter (a parameter frozen by a phase schedule starts
// its count when it first trains),
// so --lr 0.25 moves a parameter about a quarter of its grid step per Adam step, whatever the
// tensor's scale. Written out in ATen operations (no torch::optim) so that the state is a plain
// list of tensors a checkpoint stores bit for bit, and the order of operations is fixed.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tac::train {

struct GridAdamParam {
  std::string name;
  at::Tensor value;  // leaf with requires_grad
  at::Tensor unit;   // broadcastable to value: its grid step
  double lr = 0;     // in grid steps
  at::Tensor m, v;   // moments (zeros at the start)
  std::int64_t steps = 0;  // updates this parameter has had (its bias correction; a frozen one waits)
};

struct GridAdam {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-12;
  std::int64_t steps_taken = 0;
  std::vector<GridAdamParam> params;

  void add(std::string name, at::Tensor value, at::Tensor unit, double lr);
  // One update from the parameters' .grad() (a missing gradient counts as zero), then clears them.
  void step();
  // The same with each parameter's lr multiplied by lr_scales[i] (one per parameter, in order);
  // a scale of 0 freezes it for this step: value, moments and its step count stay as they are.
  void step(const std::vector<double>& lr_scales);
};

}  // namespace tac::train
