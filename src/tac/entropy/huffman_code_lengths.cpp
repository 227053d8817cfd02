#include "tac/entropy/huffman_code_lengths.hpp"

#include <algorithm>
#include <vector>

#include "tac/core/error.hpp"

namespace tac::entropy {
namespace {

struct Leaf {
  std::uint64_t weight;
  std::uint8_t symbol;
};

// An item of a package-merge list: a leaf (index into the sorted leaves) or a package (-1).
struct Item {
  std::uint64_t weight;
  int leaf;
};

}  // namespace

HuffmanLengths huffman_code_lengths(std::span<const std::uint64_t, 256> counts, int max_length) {
  if (max_length < 8 || max_length > 15)
    fail(ErrorKind::usage, "huffman: maximum code length {} is not in [8, 15]", max_length);
  // A package weighs at most max_length times the total: keep every sum inside 64 bits.
  std::uint64_t total = 0;
  for (const auto c : counts) {
    if (c > kMaxHuffmanCountTotal - total) fail(ErrorKind::usage, "huffman: counts total more than 2^59");
    total += c;
  }
  HuffmanLengths lengths{};
  std::vector<Leaf> leaves;
  for (int s = 0; s < 256; ++s)
    if (counts[s] != 0) leaves.push_back({counts[s], static_cast<std::uint8_t>(s)});
  if (leaves.empty()) return lengths;
  if (leaves.size() == 1) {
    lengths[leaves[0].symbol] = 1;
    return lengths;
  }
  // Ascending symbol order already: a stable sort by weight orders ties by symbol value.
  std::stable_sort(leaves.begin(), leaves.end(), [](const Leaf& a, const Leaf& b) { return a.weight < b.weight; });
  // Every list holds fewer than 2n items (n leaves plus half a list of fewer than 2n).
  std::vector<std::vector<Item>> lists(std::size_t(max_length) + 1);  // lists[depth], depth 1..max_length
  for (std::size_t i = 0; i < leaves.size(); ++i) lists[max_length].push_back({leaves[i].weight, int(i)});
  for (int depth = max_length - 1; depth >= 1; --depth) {
    const auto& deeper = lists[depth + 1];
    auto& list = lists[depth];
    std::size_t leaf = 0, pair = 0;
    while (leaf < leaves.size() || pair + 1 < deeper.size()) {
      const bool have_package = pair + 1 < deeper.size();
      const std::uint64_t package = have_package ? deeper[pair].weight + deeper[pair + 1].weight : 0;
      if (leaf < leaves.size() && (!have_package || leaves[leaf].weight <= package)) {
        list.push_back({leaves[leaf].weight, int(leaf)});
        ++leaf;
      } else {
        list.push_back({package, -1});
        pair += 2;
      }
    }
  }
  std::size_t select = 2 * leaves.size() - 2;
  for (int depth = 1; depth <= max_length && select > 0; ++depth) {
    const auto& list = lists[depth];
    if (list.size() < select) fail(ErrorKind::internal, "huffman: package-merge list at depth {} too short", depth);
    std::size_t packages = 0;
    for (std::size_t i = 0; i < select; ++i) {
      if (list[i].leaf >= 0)
        ++lengths[leaves[std::size_t(list[i].leaf)].symbol];
      else
        ++packages;
    }
    select = 2 * packages;
  }
  return lengths;
}

HuffmanCodes canonical_codes(const HuffmanLengths& lengths) {
  std::array<std::uint32_t, 16> per_length{};
  for (const auto l : lengths) ++per_length[l & 15];
  per_length[0] = 0;
  std::array<std::uint32_t, 16> next{};
  std::uint32_t code = 0;
  for (int l = 1; l < 16; ++l) {
    code = (code + per_length[l - 1]) << 1;
    next[l] = code;
  }
  HuffmanCodes codes{};
  for (int s = 0; s < 256; ++s)
    if (lengths[s] != 0) codes[s] = static_cast<std::uint16_t>(next[lengths[s] & 15]++);
  return codes;
}

}  // namespace tac::entropy
