#include "tac/entropy/byte_coders.hpp"

#include "tac/entropy/bit_tree_decoder.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::entropy {
namespace {

std::size_t context_count(int order) {
  if (order != 0 && order != 1) fail(ErrorKind::usage, "byte coder: order {} is not 0 or 1", order);
  return order == 0 ? 1 : 256;
}

std::vector<FrequencyModel> frequency_models(int order, const FrequencyModelConfig& config) {
  if (config.alphabet_size != 256)
    fail(ErrorKind::usage, "byte coder: alphabet_size must be 256, not {}", config.alphabet_size);
  return std::vector<FrequencyModel>(context_count(order), FrequencyModel(config));
}

}  // namespace

std::vector<std::uint8_t> encode_bytes_multi_symbol(std::span<const std::uint8_t> bytes, int order,
                                                    const FrequencyModelConfig& config) {
  auto models = frequency_models(order, config);
  RangeEncoder e;
  std::uint8_t previous = 0;
  for (const auto b : bytes) {
    models[order ? previous : 0].encode(e, b);
    previous = b;
  }
  return e.finish();
}

std::vector<std::uint8_t> decode_bytes_multi_symbol(std::span<const std::uint8_t> stream, std::size_t size, int order,
                                                    const FrequencyModelConfig& config, const std::string& source) {
  auto models = frequency_models(order, config);
  RangeDecoder d(stream, source);
  std::vector<std::uint8_t> out(size);
  std::uint8_t previous = 0;
  for (auto& b : out) {
    b = static_cast<std::uint8_t>(models[order ? previous : 0].decode(d));
    previous = b;
  }
  return out;
}

std::vector<std::uint8_t> encode_bytes_binary(std::span<const std::uint8_t> bytes, int order, BitRates rates) {
  validate(rates);
  std::vector<BitModel> models(context_count(order) * 256, BitModel(rates));
  RangeEncoder e;
  std::uint8_t previous = 0;
  for (const auto b : bytes) {
    BitModel* tree = &models[order ? std::size_t(previous) * 256 : 0];
    std::uint32_t node = 1;
    for (int i = 7; i >= 0; --i) {
      const int bit = (b >> i) & 1;
      e.encode_bit(tree[node], bit);
      node = (node << 1) | std::uint32_t(bit);
    }
    previous = b;
  }
  return e.finish();
}

std::vector<std::uint8_t> decode_bytes_binary(std::span<const std::uint8_t> stream, std::size_t size, int order,
                                              BitRates rates, const std::string& source) {
  return decode_bit_tree_bytes(stream, size, order, rates, source);
}

}  // namespace tac::entropy
