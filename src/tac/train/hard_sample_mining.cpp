#include "tac/train/hard_sample_mining.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tac/core/error.hpp"

namespace tac::train {

void validate(const HardSampleMining& m, std::string_view where) {
  if (!(m.alpha >= 0.0 && m.alpha <= 16.0)) fail(ErrorKind::usage, "{}: hard_mining.alpha must be in [0, 16], got {}", where, m.alpha);
  if (m.k < 1) fail(ErrorKind::usage, "{}: hard_mining.k must be at least 1, got {}", where, m.k);
  if (!(m.memory >= 0.0 && m.memory < 1.0)) fail(ErrorKind::usage, "{}: hard_mining.memory must be in [0, 1), got {}", where, m.memory);
}

std::string_view mining_kind_name(MiningKind kind) {
  switch (kind) {
    case MiningKind::off: return "off";
    case MiningKind::power: return "power";
    case MiningKind::top_k: return "top_k";
  }
  return "?";
}

std::string describe(const HardSampleMining& m) {
  return fmt::format("{} alpha={:.17g} k={} memory={:.17g}", mining_kind_name(m.kind), m.alpha, m.k, m.memory);
}

HardSampleMiner::HardSampleMiner(HardSampleMining options, std::int64_t pairs)
    : options_(options), running_(static_cast<std::size_t>(pairs), -1.0f) {}

std::vector<double> HardSampleMiner::all_weights() const {
  const std::size_t n = running_.size();
  std::vector<double> w(n, 1.0);
  double seen_sum = 0;
  std::size_t seen = 0;
  for (const float r : running_)
    if (r >= 0) seen_sum += r, ++seen;
  if (options_.kind == MiningKind::off || seen == 0) return w;
  std::vector<double> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = running_[i] >= 0 ? running_[i] : seen_sum / static_cast<double>(seen);
  if (options_.kind == MiningKind::power) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += (w[i] = std::pow(r[i], options_.alpha));
    if (!(sum > 0)) return std::vector<double>(n, 1.0);  // every running loss 0: nothing is harder
    for (auto& x : w) x *= static_cast<double>(n) / sum;
    return w;
  }
  // top_k: a stable order by running loss, highest first.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r[a] > r[b]; });
  const std::size_t k = std::min<std::size_t>(n, static_cast<std::size_t>(options_.k));
  std::fill(w.begin(), w.end(), 0.0);
  for (std::size_t i = 0; i < k; ++i) w[order[i]] = static_cast<double>(n) / static_cast<double>(k);
  return w;
}

std::vector<double> HardSampleMiner::weights(const std::vector<std::int64_t>& picks) const {
  const auto all = all_weights();
  std::vector<double> out;
  out.reserve(picks.size());
  for (const auto k : picks) out.push_back(all.at(static_cast<std::size_t>(k)));
  return out;
}

void HardSampleMiner::record(const std::vector<std::int64_t>& picks, const std::vector<double>& losses) {
  if (picks.size() != losses.size()) fail(ErrorKind::internal, "hard-sample mining: {} picks, {} losses", picks.size(), losses.size());
  for (std::size_t i = 0; i < picks.size(); ++i) {
    float& r = running_.at(static_cast<std::size_t>(picks[i]));
    const double l = std::max(0.0, losses[i]);
    r = static_cast<float>(r < 0 ? l : options_.memory * r + (1.0 - options_.memory) * l);
  }
}

}  // namespace tac::train
