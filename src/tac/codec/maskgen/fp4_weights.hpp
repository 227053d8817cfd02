#pragma once
// The model record of the maskgen family (after brotli): the tensors of generator_schema() in
// order. An FP4 tensor of n values is ceil(n/32) blocks of 32 nibbles (two per byte, high nibble
// first; nibble = sign << 3 | index into the levels 0, 0.5, 1, 1.5, 2, 3, 4, 6), then the blocks'
// f16 scales; value = +-level x scale in float32. An fp16 tensor is n raw f16 values.
// After loading, the reference passes every FP4 tensor once more through its FP4 round trip (per
// block of 32: scale = max|w| / 6, nearest level, the first on ties, times the scale), which can
// move values by an ulp; decode_generator_weights does the same.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tac/codec/maskgen/generator_schema.hpp"

namespace tac::codec::maskgen {

inline constexpr int kFp4Block = 32;

// Values of n FP4 weights from their packed nibbles (ceil(n/32) * 16 bytes) and f16 block scales.
std::vector<float> fp4_dequantize(std::span<const std::uint8_t> nibbles, std::span<const std::uint16_t> scales,
                                  std::size_t n);
// The reference's FP4 round trip, in place (float32 arithmetic, as torch does it).
void fp4_round_trip(std::span<float> values);

struct GeneratorWeights {
  std::vector<std::vector<float>> tensors;  // in generator_schema() order, float32
  const std::vector<float>& at(std::string_view name) const;  // fails (internal) on an unknown name
};

GeneratorWeights parse_generator_weights(std::span<const std::uint8_t> raw, const std::string& source);
// The record as stored (brotli) to the raw bytes parse_generator_weights reads (capped).
std::vector<std::uint8_t> inflate_model_record(std::span<const std::uint8_t> record, const std::string& source);
// The record as stored (brotli).
GeneratorWeights decode_model_record(std::span<const std::uint8_t> record, const std::string& source);

}  // namespace tac::codec::maskgen
