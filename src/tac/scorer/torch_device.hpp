#pragma once
// Internal to tac_scorer: the mapping of tac::scorer::Device to a torch device (device.cpp).
#include <c10/core/Device.h>

#include "tac/scorer/device.hpp"

namespace tac::scorer {

// Throws tac::Error if CUDA is asked for but the linked libtorch has no usable CUDA device.
c10::Device to_torch_device(Device device);

}  // namespace tac::scorer
