#include "tac/twin/seed_streams.hpp"

#include <algorithm>

#include "tac/core/error.hpp"

namespace tac::twin {
namespace {

std::vector<std::uint64_t> seed_stream(std::uint64_t seed, std::uint64_t domain, int count) {
  std::uint64_t state = seed ^ domain;
  std::vector<std::uint64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(splitmix(state) >> 16);  // short enough to print and pass to `tac synth --seed`
  return out;
}

}  // namespace

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<std::uint64_t> training_seeds(std::uint64_t seed, int clips) { return seed_stream(seed, 0x7261696eULL, clips); }

std::vector<std::uint64_t> held_out_seeds(std::uint64_t seed, int clips) {
  std::vector<std::uint64_t> out = seed_stream(seed, 0x686f6c64ULL, clips);
  const auto train = training_seeds(seed, 1024);
  for (const std::uint64_t s : out)  // disjoint streams; checked anyway, the promise is "never trained on"
    if (std::find(train.begin(), train.end(), s) != train.end()) fail(ErrorKind::internal, "held-out seed {} is also a training seed", s);
  return out;
}

}  // namespace tac::twin
