#pragma once
// The property-test inputs every coder must round-trip: empty, one symbol, all equal, uniform,
// heavily skewed, text-like, and 10 MB of random bytes.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tac::test {

struct NamedInput {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// 99 % zeros, the rest random.
inline std::vector<std::uint8_t> skewed_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = rng() % 100 == 0 ? static_cast<std::uint8_t>(rng()) : 0;
  return v;
}

inline std::vector<NamedInput> small_inputs() {
  std::vector<NamedInput> in;
  in.push_back({"empty", {}});
  in.push_back({"one_symbol", {0x5A}});
  in.push_back({"all_equal", std::vector<std::uint8_t>(5000, 0xFF)});
  in.push_back({"all_zero", std::vector<std::uint8_t>(5000, 0x00)});
  in.push_back({"uniform", random_bytes(70000, 1)});
  in.push_back({"skewed", skewed_bytes(70000, 2)});
  std::string text;
  for (int i = 0; i < 800; ++i) text += "the quick brown fox " + std::to_string(i * 37 % 101) + " jumps\n";
  in.push_back({"text", std::vector<std::uint8_t>(text.begin(), text.end())});
  std::vector<std::uint8_t> ramp(3000);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<std::uint8_t>(i);
  in.push_back({"ramp", ramp});
  return in;
}

}  // namespace tac::test
