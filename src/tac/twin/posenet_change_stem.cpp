#include "tac/twin/posenet_change_stem.hpp"

#include <ATen/ATen.h>

#include "tac/core/error.hpp"

namespace tac::twin {

void start_stem_on_change(scorer::nn::KeyedTensors& tensors) {
  at::NoGradGuard no_grad;
  int changed = 0;
  for (auto& [key, w] : tensors) {
    if (key.find("stem.0.conv_") == std::string::npos || !key.ends_with(".conv.weight")) continue;
    if (w.dim() != 4 || w.size(1) != 12) fail(ErrorKind::internal, "PoseNet '{}' is not a 12-channel convolution", key);
    const std::int64_t half = w.size(0) / 2;
    at::Tensor filters = w.narrow(0, 0, half);
    filters.narrow(1, 6, 6).copy_(-filters.narrow(1, 0, 6));
    ++changed;
  }
  if (changed == 0) fail(ErrorKind::internal, "PoseNet has no stem.0 convolution to start on the frames' change");
}

}  // namespace tac::twin
