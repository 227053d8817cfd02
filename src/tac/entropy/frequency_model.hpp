#pragma once
// Adaptive multi-symbol model for the range coder: an integer frequency per symbol, starting
// from a prior, raised by `increment` after each coded symbol, and halved (f = (f + 1) / 2, so
// no frequency reaches 0) whenever the total exceeds `limit` (<= 2^16, the range coder's
// precision). Symbol lookup is linear: alphabets are small (bytes, quantized weights).
#include <cstdint>
#include <span>
#include <vector>

#include "tac/entropy/range_coder.hpp"

namespace tac::entropy {

struct FrequencyModelConfig {
  std::uint32_t alphabet_size = 256;  // 1 .. 4096
  std::uint32_t prior = 1;            // initial frequency of every symbol (>= 1) ...
  std::vector<std::uint32_t> priors;  // ... unless given per symbol (size alphabet_size, each >= 1)
  std::uint32_t increment = 24;       // 1 .. limit / 2
  std::uint32_t limit = 1u << 16;     // rescale when the total exceeds this (<= 2^16)
};

// Throws ErrorKind::usage naming the bad field.
void validate(const FrequencyModelConfig& config);

class FrequencyModel {
 public:
  explicit FrequencyModel(const FrequencyModelConfig& config);

  std::uint32_t alphabet_size() const { return static_cast<std::uint32_t>(freq_.size()); }
  void encode(RangeEncoder& encoder, std::uint32_t symbol);
  std::uint32_t decode(RangeDecoder& decoder);

 private:
  void update(std::uint32_t symbol);

  std::vector<std::uint32_t> freq_;
  std::uint32_t total_ = 0;
  std::uint32_t increment_;
  std::uint32_t limit_;
};

}  // namespace tac::entropy
