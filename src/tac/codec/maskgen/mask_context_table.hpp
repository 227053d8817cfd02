#pragma once
// The adaptive models of the QMA9 mask coder, one set per context (the nine neighbours' labels).
// The reference allocates all 6^9 = 10,077,696 contexts up front (463 MB per tile); a tile touches
// only a small fraction of them, so this table creates a context's models on first use, from the
// same initial counts, in an open-addressing hash table that grows as needed.
#include <array>
#include <cstdint>
#include <vector>

namespace tac::codec::maskgen {

inline constexpr int kCascade = 9;        // neighbours tried in turn: up, left, prev, ul, ur, pd, pr, up2, left2
inline constexpr std::uint8_t kOutside = 5;  // the label of a neighbour outside the tile

struct ContextModels {
  std::array<std::array<std::uint16_t, 2>, kCascade> flag;  // counts of "not this neighbour" / "this neighbour"
  std::array<std::uint16_t, 5> label;                       // counts of the fallback class symbol
};

// Initial counts of a context, from its neighbours in cascade order (the reference's priors).
ContextModels initial_models(const std::array<std::uint8_t, kCascade>& n);

// Context key: the nine labels (each 0..5) packed 3 bits apiece, cascade order from bit 0.
inline std::uint32_t context_key(const std::array<std::uint8_t, kCascade>& n) {
  std::uint32_t key = 0;
  for (int i = kCascade - 1; i >= 0; --i) key = (key << 3) | n[i];
  return key;
}

// A real tile uses a few thousand contexts; damaged or hostile bits could reach millions (56 bytes
// each), so the table stops at this many (about 117 MB) with limit_exceeded.
inline constexpr std::size_t kMaxContexts = std::size_t{1} << 20;

class ContextTable {
 public:
  ContextTable();
  // The models of context `key` (whose neighbours are `n`), created on first use. The reference
  // stays valid until the next call.
  ContextModels& at(std::uint32_t key, const std::array<std::uint8_t, kCascade>& n) {
    std::uint32_t i = slot_of(key);
    for (;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return models_[i];
      if (keys_[i] == kEmpty) return insert(i, key, n);
    }
  }
  std::size_t size() const { return used_; }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  std::uint32_t slot_of(std::uint32_t key) const { return (key * 0x9E3779B1u) >> shift_; }
  ContextModels& insert(std::uint32_t slot, std::uint32_t key, const std::array<std::uint8_t, kCascade>& n);
  void grow();

  std::vector<std::uint32_t> keys_;
  std::vector<ContextModels> models_;
  std::uint32_t mask_ = 0;
  int shift_ = 0;
  std::size_t used_ = 0;
};

}  // namespace tac::codec::maskgen
