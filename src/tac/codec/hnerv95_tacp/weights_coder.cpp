#include "tac/codec/hnerv95_tacp/weights_coder.hpp"

#include <algorithm>

#include "tac/core/error.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

using entropy::BitModel;

constexpr int kMaxPreviousClasses = 8;

void check(const WeightCoderSettings& s, const std::string& source) {
  if (s.rates.fast < 1 || s.rates.fast > 15 || s.rates.slow < 1 || s.rates.slow > 15)
    fail(ErrorKind::corrupt_input, "{}: weight coder rates {} and {} are not in 1..15", source, s.rates.fast,
         s.rates.slow);
  if (s.previous_classes < 1 || s.previous_classes > kMaxPreviousClasses)
    fail(ErrorKind::corrupt_input, "{}: weight coder previous-value classes {} are not in 1..{}", source,
         s.previous_classes, kMaxPreviousClasses);
}

int previous_class(std::uint8_t previous_zigzag, int classes) {
  // |v| = (u + 1) >> 1 for zigzag u; class = its bit length.
  int bits = 0;
  for (unsigned m = (previous_zigzag + 1u) >> 1; m; m >>= 1) ++bits;
  return std::min(bits, classes - 1);
}

// Visits every value with the tree it is coded in; `code(tree, u)` returns the value coded.
template <typename Code>
void walk(const std::vector<WeightTensorLayout>& layouts, const WeightCoderSettings& s, Code code) {
  std::vector<BitModel> trees;
  for (std::size_t t = 0; t < layouts.size(); ++t) {
    trees.assign(std::size_t(s.previous_classes) * 256, BitModel(s.rates));
    const std::uint64_t length = std::max<std::uint64_t>(1, layouts[t].channel_length);
    std::uint8_t previous = 0;
    for (std::uint64_t i = 0; i < layouts[t].size; ++i) {
      if (i % length == 0) previous = 0;
      BitModel* tree = trees.data() + std::size_t(previous_class(previous, s.previous_classes)) * 256;
      previous = code(t, i, tree);
    }
  }
}

}  // namespace

WeightCoderSettings read_weight_settings(std::span<const std::uint8_t> stream, const std::string& source) {
  if (stream.size() < kWeightSettingsBytes)
    fail(ErrorKind::corrupt_input, "{}: weight stream of {} bytes has no settings header", source, stream.size());
  WeightCoderSettings s;
  s.rates.fast = stream[0];
  s.rates.slow = stream[1];
  if (stream[2] > 1) fail(ErrorKind::corrupt_input, "{}: unknown weight coder flags {:#x}", source, stream[2]);
  s.rates.warmup = stream[2] & 1;
  s.previous_classes = stream[3];
  check(s, source);
  return s;
}

std::vector<std::uint8_t> encode_weights(const std::vector<std::span<const std::uint8_t>>& values,
                                         const std::vector<WeightTensorLayout>& layouts,
                                         const WeightCoderSettings& settings) {
  check(settings, "weight coder settings");
  if (values.size() != layouts.size()) fail(ErrorKind::internal, "encode_weights: {} tensors but {} layouts", values.size(), layouts.size());
  for (std::size_t t = 0; t < values.size(); ++t)
    if (values[t].size() != layouts[t].size) fail(ErrorKind::internal, "encode_weights: tensor {} size mismatch", t);
  entropy::RangeEncoder e;
  walk(layouts, settings, [&](std::size_t t, std::uint64_t i, BitModel* tree) {
    const std::uint8_t u = values[t][i];
    unsigned node = 1;
    for (int b = 7; b >= 0; --b) {
      const int bit = (u >> b) & 1;
      e.encode_bit(tree[node], bit);
      node = (node << 1) | unsigned(bit);
    }
    return u;
  });
  std::vector<std::uint8_t> out = {settings.rates.fast, settings.rates.slow,
                                   static_cast<std::uint8_t>(settings.rates.warmup ? 1 : 0),
                                   static_cast<std::uint8_t>(settings.previous_classes)};
  const auto stream = e.finish();
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

std::vector<std::vector<std::uint8_t>> decode_weights(std::span<const std::uint8_t> stream,
                                                      const std::vector<WeightTensorLayout>& layouts,
                                                      const std::string& source) {
  const WeightCoderSettings settings = read_weight_settings(stream, source);
  std::vector<std::vector<std::uint8_t>> out(layouts.size());
  for (std::size_t t = 0; t < layouts.size(); ++t) out[t].resize(layouts[t].size);
  entropy::RangeDecoder d(stream.subspan(kWeightSettingsBytes), source);
  walk(layouts, settings, [&](std::size_t t, std::uint64_t i, BitModel* tree) {
    unsigned node = 1;
    for (int b = 0; b < 8; ++b) node = (node << 1) | unsigned(d.decode_bit(tree[node]));
    const auto u = static_cast<std::uint8_t>(node);
    out[t][i] = u;
    return u;
  });
  if (d.unread() != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the weight stream", source, d.unread());
  return out;
}

WeightSearch search_weights(const std::vector<std::span<const std::uint8_t>>& values,
                            const std::vector<WeightTensorLayout>& layouts) {
  WeightSearch best;
  for (const entropy::BitRates rates : {entropy::BitRates{6, 10, true}, entropy::BitRates{5, 10, true},
                                        entropy::BitRates{7, 11, true}, entropy::BitRates{6, 11, true},
                                        entropy::BitRates{5, 9, true}})
    for (const int previous : {1, 2, 3}) {
      const WeightCoderSettings s{rates, previous};
      auto stream = encode_weights(values, layouts, s);
      best.tried.push_back({s, stream.size()});
      if (best.stream.empty() || stream.size() < best.stream.size()) {
        best.stream = std::move(stream);
        best.settings = s;
      }
    }
  return best;
}

}  // namespace tac::codec::hnerv95_tacp
