#pragma once
// Internal to tac_twin (torch): where PoseNet's training starts seeing motion (issue #15).
#include "tac/scorer/torch_weights.hpp"

namespace tac::twin {

// PoseNet sees the YUV6 of both frames stacked as 12 channels (scorer §1.4: the first frame's six,
// then the second's). Its motion lies in how the two differ, but a random first convolution mixes
// both frames with unrelated weights, so the difference is a small part of every filter. This
// gives the first half of stem.0's filters (both of its branches), on the second frame's channels,
// the negative of their seeded weights on the first frame's: they start out seeing I2 - I1 at
// their position, which grows with the motion, while the other half keeps seeing the scene.
// Throws tac::Error (internal) when `tensors` has no such 12-channel convolution.
void start_stem_on_change(scorer::nn::KeyedTensors& tensors);

}  // namespace tac::twin
