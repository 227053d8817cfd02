#pragma once
// The int8 weights of an hnerv95 archive coded with tac's range coder. Each zigzag byte u = zigzag(v)
// is coded as a binary tree of 8 decisions, most significant bit first; the decision at tree node
// n (1 .. 255, n = 1 then 2n + bit) uses node n of the tensor's model, i.e. an adaptive 256-symbol
// histogram per tensor, optionally one per class of the previous value in the same output channel
// (class = bit length of |previous|, clamped; 0 at a channel's start). Each tensor has a mode
// (kWeightModes): raw (8 bypass bits), one two-rate BitModel per node (bit_model.hpp), or several
// with a logistic mixer per node (entropy/logistic_mixer.hpp) whose output is the coding
// probability; every estimator and the mixer then learn the bit. Models start fresh per tensor.
//
// Stream: u8 flags (bit 0 warm-up), u8 previous-value classes (1..8), the tensors' modes as
// nibbles (tensor 2k in the low nibble of byte k), then one range-coder stream over all tensors.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::codec::hnerv95_tacp {

struct WeightTensorLayout {
  std::uint64_t size = 0;            // number of int8 values
  std::uint64_t channel_length = 0;  // values per output channel (size / dims[0]); size for vectors
};

inline constexpr int kMaxWeightEstimators = 3;
struct WeightMode {
  int inputs;  // 0: raw; 1: one BitModel per node; 2..3: mixed
  std::array<std::array<std::uint8_t, 2>, kMaxWeightEstimators> rates;  // fast, slow per estimator
  int mixer_rate;
};
inline constexpr std::array<WeightMode, 14> kWeightModes = {{
    {0, {}, 0},
    {1, {{{6, 10}}}, 0},
    {1, {{{7, 10}}}, 0},
    {1, {{{5, 9}}}, 0},
    {1, {{{4, 8}}}, 0},
    {1, {{{8, 11}}}, 0},
    {2, {{{6, 10}, {11, 12}}}, 4},
    {2, {{{5, 9}, {11, 12}}}, 4},
    {3, {{{6, 6}, {10, 10}, {12, 12}}}, 5},
    {1, {{{3, 6}}}, 0},
    {1, {{{4, 6}}}, 0},
    {1, {{{6, 11}}}, 0},
    {2, {{{6, 10}, {12, 13}}}, 5},
    {3, {{{5, 5}, {9, 9}, {12, 12}}}, 5},
}};

struct WeightCoderSettings {
  bool warmup = true;
  int previous_classes = 1;          // 1 .. 8
  std::vector<std::uint8_t> modes;   // per tensor, index into kWeightModes
  bool operator==(const WeightCoderSettings&) const = default;
};

// `values[i]`: the zigzag bytes of tensor i (layouts[i].size of them).
std::vector<std::uint8_t> encode_weights(const std::vector<std::span<const std::uint8_t>>& values,
                                         const std::vector<WeightTensorLayout>& layouts,
                                         const WeightCoderSettings& settings);
// Decodes every tensor; refuses bad settings, truncation and trailing bytes (corrupt_input,
// naming `source`).
std::vector<std::vector<std::uint8_t>> decode_weights(std::span<const std::uint8_t> stream,
                                                      const std::vector<WeightTensorLayout>& layouts,
                                                      const std::string& source);
// `tensors`: how many mode nibbles follow.
WeightCoderSettings read_weight_settings(std::span<const std::uint8_t> stream, std::size_t tensors,
                                         const std::string& source);
std::size_t weight_settings_bytes(std::size_t tensors);
std::string describe(const WeightCoderSettings& settings);

struct WeightSearch {
  std::vector<std::uint8_t> stream;
  WeightCoderSettings settings;
  std::size_t tried = 0;  // (mode, previous classes) pairs measured
};
// Per tensor, the mode of least code length (measured by running every mode's model over the
// tensor; the first on ties), for previous-value classes 1 and 2; keeps the smaller stream.
WeightSearch search_weights(const std::vector<std::span<const std::uint8_t>>& values,
                            const std::vector<WeightTensorLayout>& layouts);

}  // namespace tac::codec::hnerv95_tacp
