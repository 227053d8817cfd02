#pragma once
// The twin trainer's random streams (issue #15): SplitMix64, and the two disjoint streams of scene
// seeds a training seed gives — the scenes trained on and the held-out ones. Torch-free.
#include <cstdint>
#include <vector>

namespace tac::twin {

// One SplitMix64 step: advances `state` and returns the next 64-bit value.
std::uint64_t splitmix(std::uint64_t& state);

// Training scene seeds and held-out seeds: two disjoint SplitMix64 streams of `seed` (the
// held-out stream is checked against the first 1,024 training seeds).
std::vector<std::uint64_t> training_seeds(std::uint64_t seed, int clips);
std::vector<std::uint64_t> held_out_seeds(std::uint64_t seed, int clips);

}  // namespace tac::twin
