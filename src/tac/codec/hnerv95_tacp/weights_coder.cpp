#include "tac/codec/hnerv95_tacp/weights_coder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/logistic_mixer.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

using entropy::BitModel;
using Mixer = entropy::LogisticMixer<kMaxWeightEstimators>;

constexpr int kMaxPreviousClasses = 8;
constexpr int kMaxMixerRate = 64;

void check(const WeightCoderSettings& s, const std::string& source, ErrorKind kind) {
  if (s.previous_classes < 1 || s.previous_classes > kMaxPreviousClasses)
    fail(kind, "{}: weight coder previous-value classes {} are not in 1..{}", source, s.previous_classes, kMaxPreviousClasses);
  if (s.inputs < 1 || s.inputs > kMaxWeightEstimators)
    fail(kind, "{}: weight coder has {} estimators per node (1..{})", source, s.inputs, kMaxWeightEstimators);
  for (int i = 0; i < s.inputs; ++i) {
    const auto [fast, slow] = s.rates[std::size_t(i)];
    if (fast < 1 || fast > 15 || slow < 1 || slow > 15)
      fail(kind, "{}: weight coder rates {} and {} are not in 1..15", source, fast, slow);
  }
  if (s.inputs > 1 && (s.mixer_rate < 1 || s.mixer_rate > kMaxMixerRate))
    fail(kind, "{}: weight coder mixer rate {} is not in 1..{}", source, s.mixer_rate, kMaxMixerRate);
}

int previous_class(std::uint8_t previous_zigzag, int classes) {
  // |v| = (u + 1) >> 1 for zigzag u; class = its bit length.
  int bits = 0;
  for (unsigned m = (previous_zigzag + 1u) >> 1; m; m >>= 1) ++bits;
  return std::min(bits, classes - 1);
}

// The model of one tensor: per (previous class, tree node) `inputs` estimators and a mixer.
class TreeModel {
 public:
  TreeModel(const WeightCoderSettings& s) : s_(s), nodes_(std::size_t(s.previous_classes) * 256) {
    for (int i = 0; i < s.inputs; ++i)
      estimators_[std::size_t(i)].assign(nodes_, BitModel({s.rates[std::size_t(i)].first, s.rates[std::size_t(i)].second, s.warmup}));
    if (s.inputs > 1) mixers_.assign(nodes_, Mixer(s.inputs, s.mixer_rate));
  }
  std::uint32_t p1(std::size_t node) {
    if (s_.inputs == 1) return estimators_[0][node].p1();
    std::uint32_t p[kMaxWeightEstimators];
    for (int i = 0; i < s_.inputs; ++i) p[i] = estimators_[std::size_t(i)][node].p1();
    return mixers_[node].mix(p);
  }
  void update(std::size_t node, int bit) {
    for (int i = 0; i < s_.inputs; ++i) estimators_[std::size_t(i)][node].update(bit);
    if (s_.inputs > 1) mixers_[node].update(bit);
  }

 private:
  const WeightCoderSettings& s_;
  std::size_t nodes_;
  std::array<std::vector<BitModel>, kMaxWeightEstimators> estimators_;
  std::vector<Mixer> mixers_;
};

// Visits every value: `code(tensor, index, model, base node)` codes it and returns the zigzag byte.
template <typename Code>
void walk(const std::vector<WeightTensorLayout>& layouts, const WeightCoderSettings& s, Code code) {
  for (std::size_t t = 0; t < layouts.size(); ++t) {
    TreeModel model(s);
    const std::uint64_t length = std::max<std::uint64_t>(1, layouts[t].channel_length);
    std::uint8_t previous = 0;
    for (std::uint64_t i = 0; i < layouts[t].size; ++i) {
      if (i % length == 0) previous = 0;
      previous = code(t, i, model, std::size_t(previous_class(previous, s.previous_classes)) * 256);
    }
  }
}

}  // namespace

std::size_t weight_settings_bytes(const WeightCoderSettings& s) { return 4 + 2 * std::size_t(s.inputs); }

std::string describe(const WeightCoderSettings& s) {
  std::string rates;
  for (int i = 0; i < s.inputs; ++i)
    rates += fmt::format("{}{}/{}", i ? ", " : "", s.rates[std::size_t(i)].first, s.rates[std::size_t(i)].second);
  return fmt::format("bit-tree per tensor, {} estimator{} per node (rates {}{}){}, previous-value classes {}", s.inputs,
                     s.inputs > 1 ? "s" : "", rates, s.warmup ? ", warm-up" : "",
                     s.inputs > 1 ? fmt::format(", logistic mixer rate {}", s.mixer_rate) : std::string(),
                     s.previous_classes);
}

WeightCoderSettings read_weight_settings(std::span<const std::uint8_t> stream, const std::string& source) {
  ByteReader r(stream, source);
  WeightCoderSettings s;
  const std::uint8_t flags = r.u8("weight coder flags");
  if (flags > 1) fail(ErrorKind::corrupt_input, "{}: unknown weight coder flags {:#x}", source, flags);
  s.warmup = flags & 1;
  s.previous_classes = r.u8("weight coder previous-value classes");
  s.inputs = r.u8("weight coder estimators");
  if (s.inputs < 1 || s.inputs > kMaxWeightEstimators)
    fail(ErrorKind::corrupt_input, "{}: weight coder has {} estimators per node (1..{})", source, s.inputs, kMaxWeightEstimators);
  for (int i = 0; i < s.inputs; ++i) {
    s.rates[std::size_t(i)].first = r.u8("weight coder fast rate");
    s.rates[std::size_t(i)].second = r.u8("weight coder slow rate");
  }
  s.mixer_rate = r.u8("weight coder mixer rate");
  check(s, source, ErrorKind::corrupt_input);
  return s;
}

std::vector<std::uint8_t> encode_weights(const std::vector<std::span<const std::uint8_t>>& values,
                                         const std::vector<WeightTensorLayout>& layouts,
                                         const WeightCoderSettings& settings) {
  check(settings, "weight coder settings", ErrorKind::usage);
  if (values.size() != layouts.size()) fail(ErrorKind::internal, "encode_weights: {} tensors but {} layouts", values.size(), layouts.size());
  for (std::size_t t = 0; t < values.size(); ++t)
    if (values[t].size() != layouts[t].size) fail(ErrorKind::internal, "encode_weights: tensor {} size mismatch", t);
  entropy::RangeEncoder e;
  walk(layouts, settings, [&](std::size_t t, std::uint64_t i, TreeModel& model, std::size_t base) {
    const std::uint8_t u = values[t][i];
    unsigned node = 1;
    for (int b = 7; b >= 0; --b) {
      const int bit = (u >> b) & 1;
      e.encode_bit_probability(model.p1(base + node), bit);
      model.update(base + node, bit);
      node = (node << 1) | unsigned(bit);
    }
    return u;
  });
  std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(settings.warmup ? 1 : 0),
                                   static_cast<std::uint8_t>(settings.previous_classes),
                                   static_cast<std::uint8_t>(settings.inputs)};
  for (int i = 0; i < settings.inputs; ++i) {
    out.push_back(settings.rates[std::size_t(i)].first);
    out.push_back(settings.rates[std::size_t(i)].second);
  }
  out.push_back(static_cast<std::uint8_t>(settings.mixer_rate));
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
  entropy::RangeDecoder d(stream.subspan(weight_settings_bytes(settings)), source);
  walk(layouts, settings, [&](std::size_t t, std::uint64_t i, TreeModel& model, std::size_t base) {
    unsigned node = 1;
    for (int b = 0; b < 8; ++b) {
      const int bit = d.decode_bit_probability(model.p1(base + node));
      model.update(base + node, bit);
      node = (node << 1) | unsigned(bit);
    }
    const auto u = static_cast<std::uint8_t>(node);
    out[t][i] = u;
    return u;
  });
  if (d.unread() != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the weight stream", source, d.unread());
  return out;
}

WeightSearch search_weights(const std::vector<std::span<const std::uint8_t>>& values,
                            const std::vector<WeightTensorLayout>& layouts) {
  std::vector<WeightCoderSettings> grid;
  for (const auto& rates : {std::pair<std::uint8_t, std::uint8_t>{6, 10}, {7, 10}, {5, 10}, {6, 11}})
    for (const int previous : {1, 2}) {
      WeightCoderSettings s;
      s.previous_classes = previous;
      s.rates[0] = rates;
      grid.push_back(s);
    }
  for (const int mixer_rate : {4, 6}) {
    WeightCoderSettings two;  // the two-rate estimator and a slow one
    two.inputs = 2;
    two.rates = {{{6, 10}, {11, 12}, {0, 0}}};
    two.mixer_rate = mixer_rate;
    grid.push_back(two);
    WeightCoderSettings three;  // three single-rate estimators
    three.inputs = 3;
    three.rates = {{{6, 6}, {10, 10}, {12, 12}}};
    three.mixer_rate = mixer_rate + 2;
    grid.push_back(three);
  }
  WeightSearch best;
  for (const auto& s : grid) {
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
