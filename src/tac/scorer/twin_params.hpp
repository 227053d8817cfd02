#pragma once
// Internal to tac_scorer's torch code: a TwinNetwork (values in memory) as the networks' train-time
// parameters, loaded through the same strict safetensors loader the scorer uses, and the way back
// (tensors by key into the twin's values). Used by twin calibration and twin training.
#include <cstdint>
#include <filesystem>

#include "tac/scorer/posenet.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/twin_weights.hpp"

namespace tac::scorer {

template <typename Params>
struct LoadedTwin {
  Params params;
  nn::KeyedTensors tensors;  // every tensor of `params` by state_dict key (shared storage)
};

// Writes the twin to a temporary safetensors file and loads it with load_segnet / load_posenet.
LoadedTwin<nn::SegNetParams> load_segnet_twin(const TwinNetwork& twin);
LoadedTwin<nn::PoseNetParams> load_posenet_twin(const TwinNetwork& twin);

// Copies every float tensor of `tensors` into the twin's values of the same key (shapes checked).
// With `batches_tracked` >= 0, every num_batches_tracked of the twin is set to it.
void store_twin_tensors(TwinNetwork& twin, const nn::KeyedTensors& tensors, std::int64_t batches_tracked = -1);

}  // namespace tac::scorer
