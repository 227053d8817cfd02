#include "tac/codec/maskgen/mask_context_table.hpp"

#include <bit>

#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

// Prior counts of the reference (tuned by its author): "equals up" starts at 1:5, "equals left" at
// 1:10, "equals previous frame" at 1:6, the six others at 1:3; a flag that cannot be true (the
// neighbour is outside, or equals an earlier neighbour, whose flag was already false) starts at
// 60000:1; the fallback class symbol counts 2 for labels no neighbour has, 1 for the others.
constexpr std::array<std::uint16_t, kCascade> kTrueInit = {5, 10, 6, 3, 3, 3, 3, 3, 3};
constexpr std::uint16_t kImpossibleFalse = 60000;
constexpr std::uint16_t kUnseenLabel = 2;
constexpr int kInitialBits = 12;

}  // namespace

ContextModels initial_models(const std::array<std::uint8_t, kCascade>& n) {
  ContextModels m;
  for (int k = 0; k < kCascade; ++k) {
    bool impossible = n[k] == kOutside;
    for (int j = 0; j < k; ++j) impossible = impossible || n[j] == n[k];
    m.flag[k] = impossible ? std::array<std::uint16_t, 2>{kImpossibleFalse, 1}
                           : std::array<std::uint16_t, 2>{1, kTrueInit[k]};
  }
  for (int c = 0; c < 5; ++c) {
    bool seen = false;
    for (int k = 0; k < kCascade; ++k) seen = seen || n[k] == c;
    m.label[c] = seen ? 1 : kUnseenLabel;
  }
  return m;
}

ContextTable::ContextTable()
    : keys_(std::size_t{1} << kInitialBits, kEmpty),
      models_(std::size_t{1} << kInitialBits),
      mask_((1u << kInitialBits) - 1),
      shift_(32 - kInitialBits) {}

ContextModels& ContextTable::insert(std::uint32_t slot, std::uint32_t key, const std::array<std::uint8_t, kCascade>& n) {
  if (used_ >= kMaxContexts)
    fail(ErrorKind::limit_exceeded, "mask tile uses more than {} neighbour contexts (damaged coded bits?)", kMaxContexts);
  if (2 * (used_ + 1) > keys_.size()) {  // keep the load at most 1/2
    grow();
    slot = slot_of(key);
    while (keys_[slot] != kEmpty) slot = (slot + 1) & mask_;
  }
  keys_[slot] = key;
  models_[slot] = initial_models(n);
  ++used_;
  return models_[slot];
}

void ContextTable::grow() {
  std::vector<std::uint32_t> old_keys(keys_.size() * 2, kEmpty);
  std::vector<ContextModels> old_models(models_.size() * 2);
  old_keys.swap(keys_);
  old_models.swap(models_);
  mask_ = static_cast<std::uint32_t>(keys_.size() - 1);
  shift_ = 32 - std::countr_zero(keys_.size());
  for (std::size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == kEmpty) continue;
    std::uint32_t slot = slot_of(old_keys[i]);
    while (keys_[slot] != kEmpty) slot = (slot + 1) & mask_;
    keys_[slot] = old_keys[i];
    models_[slot] = old_models[i];
  }
}

}  // namespace tac::codec::maskgen
