#pragma once
// Hard-sample mining weights of `tac tune` recipes (docs/train.md "Recipes"): each pair of the run
// keeps a running loss r_k (its per-sample objective 100 * surrogate + sqrt(10 * pose), an
// exponential moving average over the steps that visited it: r <- memory * r + (1 - memory) * l,
// the first visit sets r = l), and the batch's objective weighs its pairs by
//   power:  w_k = n * r_k^alpha / sum_j r_j^alpha       (over the run's n pairs: mean 1)
//   top_k:  w_k = n / k for the k pairs of highest r (ties: the lower pair first), else 0
// Pairs not yet visited count with the mean r of the visited ones; before any visit every weight
// is 1. Deterministic: plain double arithmetic in a fixed order; the state is float32 (what a
// checkpoint stores), so a resumed run weighs exactly as one that never stopped.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tac::train {

enum class MiningKind { off, power, top_k };

struct HardSampleMining {
  MiningKind kind = MiningKind::off;
  double alpha = 1.0;      // power: exponent (>= 0; 0 gives weights 1)
  std::int64_t k = 1;      // top_k: how many pairs carry the weight (>= 1)
  double memory = 0.5;     // running-loss decay in [0, 1): 0 keeps only the last visit
};

void validate(const HardSampleMining& mining, std::string_view where);
std::string_view mining_kind_name(MiningKind kind);
std::string describe(const HardSampleMining& mining);

class HardSampleMiner {
 public:
  HardSampleMiner(HardSampleMining options, std::int64_t pairs);
  // Weights of the pairs `picks` (offsets 0..pairs-1) from the running losses so far.
  std::vector<double> weights(const std::vector<std::int64_t>& picks) const;
  // After a step: the per-sample losses of `picks`, in order.
  void record(const std::vector<std::int64_t>& picks, const std::vector<double>& losses);
  // Running losses, one per pair, negative for a pair not yet visited (checkpointed as is).
  std::vector<float>& state() { return running_; }
  const std::vector<float>& state() const { return running_; }

 private:
  std::vector<double> all_weights() const;
  HardSampleMining options_;
  std::vector<float> running_;
};

}  // namespace tac::train
