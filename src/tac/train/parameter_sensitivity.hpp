#pragma once
// Where the bits of an hnerv95 archive matter (issue #13, `tac sensitivity --archive`): the
// first-order score cost of the quantization noise each tensor (and each output channel, and each
// latent dimension) carries, from one gradient of the objective (score_terms.hpp) with respect to
// every parameter at the archive's values.
//
// Estimator. A parameter stored on a grid of step s carries rounding noise n, modelled as
// independent and uniform on [-s/2, s/2] (variance s^2 / 12). To first order the objective moves
// by g . n over a group of values with gradient g, so:
//   expected_cost = sqrt(2 / pi) * (s / sqrt(12)) * ||g||_2   (E|g . n|, Gaussian approximation of
//                                                              the sum of many independent terms)
//   bound         = (s / 2) * ||g||_1                          (every value's noise against it)
// `bytes` is what the group stores before entropy coding (1 per int8 weight, 2 per latent: zigzag
// int16 deltas), and rows are ranked by expected_cost / bytes: the score each stored byte holds.
// A first-order estimate: it ignores curvature and the straight-through rounding of the frames.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tac/train/hnerv95_torch_decoder.hpp"
#include "tac/train/score_terms.hpp"

namespace tac::train {

struct ParameterSensitivityRow {
  std::string tensor;        // archive tensor name, or "latents"
  std::int64_t channel = -1; // output channel (dim 0) or latent dimension; -1: the whole tensor
  std::int64_t values = 0;
  double step = 0;           // grid step (the tensor's scale, the latent dimension's scale)
  double bytes = 0;
  double grad_l1 = 0, grad_l2 = 0;
  double expected_cost = 0, bound = 0;
  double cost_per_byte = 0;  // expected_cost / bytes
};

struct ParameterSensitivity {
  double objective = 0;
  double seg_distortion = 0, pose_distortion = 0;
  std::vector<ParameterSensitivityRow> tensors;   // one per tensor (latents: one row), ranked
  std::vector<ParameterSensitivityRow> channels;  // per output channel / latent dimension, ranked
};

// `pairs` (B) indices into the archive's latents, `gt` the ground truth's outputs for them; the B
// pairs go through the decoder and the scorer as one batch.
ParameterSensitivity parameter_sensitivity(Hnerv95TorchDecoder& decoder, const DifferentiableScorer& scorer, const at::Tensor& pairs,
                                           const GroundTruthOutputs& gt, const SurrogateOptions& options);

}  // namespace tac::train
