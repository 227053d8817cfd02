#pragma once
// Whole byte buffers through the adaptive coders of this library, order-0 or order-1 (context =
// previous byte). The decoded size is not stored: the caller (container, profile) stores it and
// passes it back, already checked against its own limits.
//   multi-symbol: one FrequencyModel per context (256-symbol alphabet).
//   binary:       each byte as 8 decisions down a binary tree (MSB first, node = 1..255), one
//                 BitModel per (context, node): 255 contexts order-0, 256 x 255 order-1.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/bit_model.hpp"
#include "tac/entropy/frequency_model.hpp"

namespace tac::entropy {

std::vector<std::uint8_t> encode_bytes_multi_symbol(std::span<const std::uint8_t> bytes, int order,
                                                    const FrequencyModelConfig& config);
std::vector<std::uint8_t> decode_bytes_multi_symbol(std::span<const std::uint8_t> stream, std::size_t size, int order,
                                                    const FrequencyModelConfig& config, const std::string& source);

std::vector<std::uint8_t> encode_bytes_binary(std::span<const std::uint8_t> bytes, int order, BitRates rates);
std::vector<std::uint8_t> decode_bytes_binary(std::span<const std::uint8_t> stream, std::size_t size, int order,
                                              BitRates rates, const std::string& source);

}  // namespace tac::entropy
