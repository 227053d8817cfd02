#pragma once
// PCGrad, "gradient surgery" between two objective terms (Yu et al. 2020, "Gradient Surgery for
// Multi-Task Learning", Algorithm 1 with two tasks): g1 and g2 are each term's gradient over all
// trained parameters, seen as one flat vector. When they conflict (g1 . g2 < 0) each is projected
// onto the normal plane of the other, both from the original gradients:
//   g1' = g1 - (g1 . g2) / |g2|^2 * g2,   g2' = g2 - (g1 . g2) / |g1|^2 * g1
// and the update direction is g1' + g2' (otherwise plainly g1 + g2). The dot products and norms are
// summed in float64 over the tensors in their given order (deterministic).
#include <ATen/core/Tensor.h>

#include <vector>

namespace tac::train {

struct PcgradResult {
  std::vector<at::Tensor> combined;  // one per parameter, like the inputs
  double dot = 0;                    // g1 . g2 before surgery
  bool projected = false;            // dot < 0 (and both gradients non-zero)
};

// g1[i] and g2[i] are the two terms' gradients of parameter i (same shapes; undefined = zeros).
PcgradResult pcgrad_combine(const std::vector<at::Tensor>& g1, const std::vector<at::Tensor>& g2);

}  // namespace tac::train
