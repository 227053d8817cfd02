#include "tac/entropy/frequency_model.hpp"

namespace tac::entropy {

void validate(const FrequencyModelConfig& c) {
  if (c.alphabet_size < 1 || c.alphabet_size > 4096)
    fail(ErrorKind::usage, "frequency model: alphabet_size {} is not in 1..4096", c.alphabet_size);
  if (c.limit > kMaxFrequencyTotal || c.limit < 2)
    fail(ErrorKind::usage, "frequency model: limit {} is not in 2..{}", c.limit, kMaxFrequencyTotal);
  if (c.increment < 1 || c.increment > c.limit / 2)
    fail(ErrorKind::usage, "frequency model: increment {} is not in 1..{}", c.increment, c.limit / 2);
  std::uint64_t total = 0;
  if (c.priors.empty()) {
    if (c.prior < 1) fail(ErrorKind::usage, "frequency model: prior must be >= 1");
    total = std::uint64_t(c.prior) * c.alphabet_size;
  } else {
    if (c.priors.size() != c.alphabet_size)
      fail(ErrorKind::usage, "frequency model: {} priors for an alphabet of {}", c.priors.size(), c.alphabet_size);
    for (const auto p : c.priors) {
      if (p < 1) fail(ErrorKind::usage, "frequency model: every prior must be >= 1");
      total += p;
    }
  }
  // Halving must be able to bring the total under the limit: (total + n) / 2 < limit needs n < limit.
  if (total > c.limit || c.alphabet_size * 2 > c.limit)
    fail(ErrorKind::usage, "frequency model: priors total {} for {} symbols does not fit limit {}", total,
         c.alphabet_size, c.limit);
}

FrequencyModel::FrequencyModel(const FrequencyModelConfig& c) : increment_(c.increment), limit_(c.limit) {
  validate(c);
  if (c.priors.empty())
    freq_.assign(c.alphabet_size, c.prior);
  else
    freq_ = c.priors;
  for (const auto f : freq_) total_ += f;
}

void FrequencyModel::update(std::uint32_t symbol) {
  freq_[symbol] += increment_;
  total_ += increment_;
  while (total_ > limit_) {
    total_ = 0;
    for (auto& f : freq_) {
      f = (f + 1) >> 1;
      total_ += f;
    }
  }
}

void FrequencyModel::encode(RangeEncoder& encoder, std::uint32_t symbol) {
  if (symbol >= freq_.size())
    fail(ErrorKind::usage, "frequency model: symbol {} outside the alphabet of {}", symbol, freq_.size());
  std::uint32_t cum = 0;
  for (std::uint32_t s = 0; s < symbol; ++s) cum += freq_[s];
  encoder.encode_frequency(cum, freq_[symbol], total_);
  update(symbol);
}

std::uint32_t FrequencyModel::decode(RangeDecoder& decoder) {
  const std::uint32_t value = decoder.decode_frequency_value(total_);
  std::uint32_t cum = 0;
  std::uint32_t symbol = 0;
  // value < total_, so the scan stops inside the table.
  while (cum + freq_[symbol] <= value) cum += freq_[symbol++];
  decoder.consume_frequency(cum, freq_[symbol]);
  update(symbol);
  return symbol;
}

}  // namespace tac::entropy
