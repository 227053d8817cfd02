#include "tac/codec/hnerv95_tacp/weights_coder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/logistic_mixer.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

using entropy::BitModel;
using Mixer = entropy::LogisticMixer<kMaxWeightEstimators>;

constexpr int kMaxPreviousClasses = 8;

void check(const WeightCoderSettings& s, std::size_t tensors, const std::string& source, ErrorKind kind) {
  if (s.previous_classes < 1 || s.previous_classes > kMaxPreviousClasses)
    fail(kind, "{}: weight coder previous-value classes {} are not in 1..{}", source, s.previous_classes, kMaxPreviousClasses);
  if (s.modes.size() != tensors) fail(kind, "{}: {} weight modes for {} tensors", source, s.modes.size(), tensors);
  for (const auto m : s.modes)
    if (m >= kWeightModes.size()) fail(kind, "{}: unknown weight coder mode {}", source, m);
}

int previous_class(std::uint8_t previous_zigzag, int classes) {
  // |v| = (u + 1) >> 1 for zigzag u; class = its bit length.
  int bits = 0;
  for (unsigned m = (previous_zigzag + 1u) >> 1; m; m >>= 1) ++bits;
  return std::min(bits, classes - 1);
}

// The model of one tensor: per (previous class, tree node) the mode's estimators and mixer.
class TreeModel {
 public:
  TreeModel(const WeightMode& mode, bool warmup, int previous_classes)
      : mode_(mode), nodes_(std::size_t(previous_classes) * 256) {
    for (int i = 0; i < mode.inputs; ++i)
      estimators_[std::size_t(i)].assign(
          nodes_, BitModel({mode.rates[std::size_t(i)][0], mode.rates[std::size_t(i)][1], warmup}));
    if (mode.inputs > 1) mixers_.assign(nodes_, Mixer(mode.inputs, mode.mixer_rate));
  }
  bool raw() const { return mode_.inputs == 0; }
  std::uint32_t p1(std::size_t node) {
    if (mode_.inputs == 1) return estimators_[0][node].p1();
    std::uint32_t p[kMaxWeightEstimators];
    for (int i = 0; i < mode_.inputs; ++i) p[i] = estimators_[std::size_t(i)][node].p1();
    return mixers_[node].mix(p);
  }
  void update(std::size_t node, int bit) {
    for (int i = 0; i < mode_.inputs; ++i) estimators_[std::size_t(i)][node].update(bit);
    if (mode_.inputs > 1) mixers_[node].update(bit);
  }

 private:
  const WeightMode& mode_;
  std::size_t nodes_;
  std::array<std::vector<BitModel>, kMaxWeightEstimators> estimators_;
  std::vector<Mixer> mixers_;
};

// Visits tensor t's values: `code(index, model, base node)` codes one and returns its zigzag byte.
template <typename Code>
void walk_tensor(const WeightTensorLayout& layout, const WeightMode& mode, const WeightCoderSettings& s, Code code) {
  TreeModel model(mode, s.warmup, s.previous_classes);
  const std::uint64_t length = std::max<std::uint64_t>(1, layout.channel_length);
  std::uint8_t previous = 0;
  for (std::uint64_t i = 0; i < layout.size; ++i) {
    if (i % length == 0) previous = 0;
    previous = code(i, model, std::size_t(previous_class(previous, s.previous_classes)) * 256);
  }
}

// Code length in bits of one tensor under one mode (the encoder's search; never stored).
double tensor_bits(std::span<const std::uint8_t> values, const WeightTensorLayout& layout, const WeightMode& mode,
                   const WeightCoderSettings& s) {
  if (mode.inputs == 0) return 8.0 * double(values.size());
  double bits = 0;
  walk_tensor(layout, mode, s, [&](std::uint64_t i, TreeModel& model, std::size_t base) {
    const std::uint8_t u = values[i];
    unsigned node = 1;
    for (int b = 7; b >= 0; --b) {
      const int bit = (u >> b) & 1;
      const double p1 = model.p1(base + node) / 65536.0;
      bits -= std::log2(bit ? p1 : 1 - p1);
      model.update(base + node, bit);
      node = (node << 1) | unsigned(bit);
    }
    return u;
  });
  return bits;
}

}  // namespace

std::size_t weight_settings_bytes(std::size_t tensors) { return 2 + (tensors + 1) / 2; }

std::string describe(const WeightCoderSettings& s) {
  std::array<int, kWeightModes.size()> used{};
  for (const auto m : s.modes) ++used[m];
  std::string modes;
  for (std::size_t m = 0; m < kWeightModes.size(); ++m) {
    if (!used[m]) continue;
    const WeightMode& w = kWeightModes[m];
    std::string what = "raw";
    if (w.inputs > 0) {
      what.clear();
      for (int i = 0; i < w.inputs; ++i)
        what += fmt::format("{}{}/{}", i ? "+" : "", w.rates[std::size_t(i)][0], w.rates[std::size_t(i)][1]);
      if (w.inputs > 1) what += fmt::format(" mixed@{}", w.mixer_rate);
    }
    modes += fmt::format("{}{} x{}", modes.empty() ? "" : ", ", what, used[m]);
  }
  return fmt::format("bit-tree per tensor, per-tensor estimator rates ({}){}, previous-value classes {}", modes,
                     s.warmup ? ", warm-up" : "", s.previous_classes);
}

WeightCoderSettings read_weight_settings(std::span<const std::uint8_t> stream, std::size_t tensors,
                                         const std::string& source) {
  ByteReader r(stream, source);
  WeightCoderSettings s;
  const std::uint8_t flags = r.u8("weight coder flags");
  if (flags > 1) fail(ErrorKind::corrupt_input, "{}: unknown weight coder flags {:#x}", source, flags);
  s.warmup = flags & 1;
  s.previous_classes = r.u8("weight coder previous-value classes");
  const auto nibbles = r.take((tensors + 1) / 2, "weight coder modes");
  for (std::size_t t = 0; t < tensors; ++t) s.modes.push_back((nibbles[t / 2] >> (4 * (t % 2))) & 15);
  check(s, tensors, source, ErrorKind::corrupt_input);
  return s;
}

std::vector<std::uint8_t> encode_weights(const std::vector<std::span<const std::uint8_t>>& values,
                                         const std::vector<WeightTensorLayout>& layouts,
                                         const WeightCoderSettings& settings) {
  check(settings, layouts.size(), "weight coder settings", ErrorKind::usage);
  if (values.size() != layouts.size()) fail(ErrorKind::internal, "encode_weights: {} tensors but {} layouts", values.size(), layouts.size());
  std::vector<std::uint8_t> out(weight_settings_bytes(layouts.size()), 0);
  out[0] = static_cast<std::uint8_t>(settings.warmup ? 1 : 0);
  out[1] = static_cast<std::uint8_t>(settings.previous_classes);
  for (std::size_t t = 0; t < layouts.size(); ++t) out[2 + t / 2] |= static_cast<std::uint8_t>(settings.modes[t] << (4 * (t % 2)));
  entropy::RangeEncoder e;
  for (std::size_t t = 0; t < layouts.size(); ++t) {
    if (values[t].size() != layouts[t].size) fail(ErrorKind::internal, "encode_weights: tensor {} size mismatch", t);
    walk_tensor(layouts[t], kWeightModes[settings.modes[t]], settings,
                [&](std::uint64_t i, TreeModel& model, std::size_t base) {
                  const std::uint8_t u = values[t][i];
                  if (model.raw()) {
                    e.encode_bypass(u, 8);
                    return u;
                  }
                  unsigned node = 1;
                  for (int b = 7; b >= 0; --b) {
                    const int bit = (u >> b) & 1;
                    e.encode_bit_probability(model.p1(base + node), bit);
                    model.update(base + node, bit);
                    node = (node << 1) | unsigned(bit);
                  }
                  return u;
                });
  }
  const auto stream = e.finish();
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

std::vector<std::vector<std::uint8_t>> decode_weights(std::span<const std::uint8_t> stream,
                                                      const std::vector<WeightTensorLayout>& layouts,
                                                      const std::string& source) {
  const WeightCoderSettings settings = read_weight_settings(stream, layouts.size(), source);
  std::vector<std::vector<std::uint8_t>> out(layouts.size());
  entropy::RangeDecoder d(stream.subspan(weight_settings_bytes(layouts.size())), source);
  for (std::size_t t = 0; t < layouts.size(); ++t) {
    out[t].resize(layouts[t].size);
    walk_tensor(layouts[t], kWeightModes[settings.modes[t]], settings,
                [&](std::uint64_t i, TreeModel& model, std::size_t base) {
                  if (model.raw()) return out[t][i] = static_cast<std::uint8_t>(d.decode_bypass(8));
                  unsigned node = 1;
                  for (int b = 0; b < 8; ++b) {
                    const int bit = d.decode_bit_probability(model.p1(base + node));
                    model.update(base + node, bit);
                    node = (node << 1) | unsigned(bit);
                  }
                  return out[t][i] = static_cast<std::uint8_t>(node);
                });
  }
  if (d.unread() != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the weight stream", source, d.unread());
  return out;
}

WeightSearch search_weights(const std::vector<std::span<const std::uint8_t>>& values,
                            const std::vector<WeightTensorLayout>& layouts) {
  WeightSearch best;
  for (const int previous : {1, 2}) {
    WeightCoderSettings s;
    s.previous_classes = previous;
    for (std::size_t t = 0; t < layouts.size(); ++t) {
      double least = -1;
      std::uint8_t chosen = 0;
      for (std::size_t m = 0; m < kWeightModes.size(); ++m) {
        const double bits = tensor_bits(values[t], layouts[t], kWeightModes[m], s);
        ++best.tried;
        if (least < 0 || bits < least) {
          least = bits;
          chosen = static_cast<std::uint8_t>(m);
        }
      }
      s.modes.push_back(chosen);
    }
    auto stream = encode_weights(values, layouts, s);
    if (best.stream.empty() || stream.size() < best.stream.size()) {
      best.stream = std::move(stream);
      best.settings = s;
    }
  }
  return best;
}

}  // namespace tac::codec::hnerv95_tacp
