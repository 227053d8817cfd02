#pragma once
// The int8 weights of an hnerv95 archive coded with tac's range coder (bench/hnerv95_weights_entropy
// found this layout best): each zigzag byte u = zigzag(v) is coded as a binary tree of 8 decisions,
// most significant bit first; the decision at tree node n (1 .. 255, n = 1 then 2n + bit) uses
// context n of the tensor's tree, i.e. an adaptive 256-symbol histogram per tensor made of two-rate
// BitModels (bit_model.hpp), optionally with warm-up and one tree per class of the previous value in
// the same output channel (class = bit length of |previous|, clamped; 0 at a channel's start).
//
// Stream: a settings header of kWeightSettingsBytes bytes (fast rate, slow rate, flags with bit 0 =
// warm-up, previous-value classes), then one range-coder stream over all tensors in order.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/bit_model.hpp"

namespace tac::codec::hnerv95_tacp {

struct WeightTensorLayout {
  std::uint64_t size = 0;           // number of int8 values
  std::uint64_t channel_length = 0; // values per output channel (size / dims[0]); size for vectors
};

struct WeightCoderSettings {
  entropy::BitRates rates{6, 10, true};
  int previous_classes = 1;  // 1 .. 8
  bool operator==(const WeightCoderSettings& o) const {
    return rates.fast == o.rates.fast && rates.slow == o.rates.slow && rates.warmup == o.rates.warmup &&
           previous_classes == o.previous_classes;
  }
};
inline constexpr std::size_t kWeightSettingsBytes = 4;

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
