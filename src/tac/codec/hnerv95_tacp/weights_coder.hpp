#pragma once
// The int8 weights of an hnerv95 archive coded with tac's range coder (bench/hnerv95_weights_entropy
// found this layout best): each zigzag byte u = zigzag(v) is coded as a binary tree of 8 decisions,
// most significant bit first; the decision at tree node n (1 .. 255, n = 1 then 2n + bit) uses
// context n of the tensor's tree, i.e. an adaptive 256-symbol histogram per tensor made of two-rate
// BitModels (bit_model.hpp), optionally with warm-up and one tree per class of the previous value in
// the same output channel (class = bit length of |previous|, clamped; 0 at a channel's start).
// With several estimators per node (inputs > 1), each node holds one BitModel per estimator
// (its own fast/slow rates) and a logistic mixer (entropy/logistic_mixer.hpp, one weight set per
// node) whose output is the coding probability; every estimator and the mixer then learn the bit.
//
// Stream: settings header: u8 flags (bit 0 warm-up), u8 previous-value classes, u8 inputs (1..3),
// inputs x (u8 fast rate, u8 slow rate), u8 mixer rate (1..64; ignored with one input); then one
// range-coder stream over all tensors in order.
#include <array>
#include <cstdint>
#include <utility>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/bit_model.hpp"

namespace tac::codec::hnerv95_tacp {

struct WeightTensorLayout {
  std::uint64_t size = 0;           // number of int8 values
  std::uint64_t channel_length = 0; // values per output channel (size / dims[0]); size for vectors
};

inline constexpr int kMaxWeightEstimators = 3;

struct WeightCoderSettings {
  bool warmup = true;
  int previous_classes = 1;  // 1 .. 8
  int inputs = 1;            // estimators per node, 1 .. kMaxWeightEstimators
  std::array<std::pair<std::uint8_t, std::uint8_t>, kMaxWeightEstimators> rates{{{6, 10}, {11, 12}, {0, 0}}};
  int mixer_rate = 5;
  bool operator==(const WeightCoderSettings& o) const {
    if (warmup != o.warmup || previous_classes != o.previous_classes || inputs != o.inputs) return false;
    if (inputs > 1 && mixer_rate != o.mixer_rate) return false;
    for (int i = 0; i < inputs; ++i)
      if (rates[std::size_t(i)] != o.rates[std::size_t(i)]) return false;
    return true;
  }
};
std::size_t weight_settings_bytes(const WeightCoderSettings& settings);

// `values[i]`: the zigzag bytes of tensor i (layouts[i].size of them).
std::vector<std::uint8_t> encode_weights(const std::vector<std::span<const std::uint8_t>>& values,
                                         const std::vector<WeightTensorLayout>& layouts,
                                         const WeightCoderSettings& settings);
// Decodes every tensor; refuses bad settings, truncation and trailing bytes (corrupt_input,
// naming `source`).
std::vector<std::vector<std::uint8_t>> decode_weights(std::span<const std::uint8_t> stream,
                                                      const std::vector<WeightTensorLayout>& layouts,
                                                      const std::string& source);
WeightCoderSettings read_weight_settings(std::span<const std::uint8_t> stream, const std::string& source);
std::string describe(const WeightCoderSettings& settings);

struct WeightCandidate {
  WeightCoderSettings settings;
  std::size_t bytes = 0;
};
struct WeightSearch {
  std::vector<std::uint8_t> stream;  // the smallest
  WeightCoderSettings settings;
  std::vector<WeightCandidate> tried;  // in search order
};
// Encodes with every candidate setting (a fixed list, so the result is deterministic) and keeps the
// smallest stream (the first one on ties).
WeightSearch search_weights(const std::vector<std::span<const std::uint8_t>>& values,
                            const std::vector<WeightTensorLayout>& layouts);

}  // namespace tac::codec::hnerv95_tacp
