// Package-merge code lengths and canonical codes: Kraft with equality, the length limit on
// Fibonacci counts, plain Huffman's cost when the limit does not bind, the optimum under the
// limit (exhaustive search on small alphabets), canonical order and the prefix property.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <random>

#include "tac/core/error.hpp"
#include "tac/entropy/huffman_code_lengths.hpp"

namespace {

using namespace tac::entropy;
using Counts = std::array<std::uint64_t, 256>;

std::uint64_t kraft_units(const HuffmanLengths& lengths, int max_length) {
  std::uint64_t sum = 0;
  for (const auto l : lengths)
    if (l != 0) sum += std::uint64_t(1) << (max_length - l);
  return sum;
}

std::uint64_t cost(const Counts& counts, const HuffmanLengths& lengths) {
  std::uint64_t bits = 0;
  for (int s = 0; s < 256; ++s) bits += counts[s] * lengths[s];
  return bits;
}

// Plain (unlimited) Huffman, independently: its cost is the sum of the merged weights, its depth
// the deepest leaf.
struct Reference {
  std::uint64_t cost = 0;
  int depth = 0;
};
Reference reference_huffman(const Counts& counts) {
  using Node = std::pair<std::uint64_t, int>;  // weight, depth of its subtree
  std::priority_queue<Node, std::vector<Node>, std::greater<>> heap;
  for (const auto c : counts)
    if (c != 0) heap.push({c, 0});
  Reference r;
  while (heap.size() > 1) {
    const Node a = heap.top();
    heap.pop();
    const Node b = heap.top();
    heap.pop();
    r.cost += a.first + b.first;
    heap.push({a.first + b.first, std::max(a.second, b.second) + 1});
  }
  if (!heap.empty()) r.depth = heap.top().second;
  return r;
}

// The cheapest complete code with lengths <= max_length, by trying every non-decreasing length
// sequence for the symbols in descending count order (an optimal code has that shape).
std::uint64_t exhaustive_optimum(const Counts& counts, int max_length) {
  std::vector<std::uint64_t> w;
  for (const auto c : counts)
    if (c != 0) w.push_back(c);
  std::sort(w.rbegin(), w.rend());
  std::vector<int> len(w.size(), 1);
  std::uint64_t best = ~std::uint64_t(0);
  const std::function<void(std::size_t, int, std::uint64_t, std::uint64_t)> go = [&](std::size_t i, int from,
                                                                                       std::uint64_t kraft,
                                                                                       std::uint64_t bits) {
    if (kraft > (std::uint64_t(1) << max_length)) return;
    if (i == w.size()) {
      if (kraft == (std::uint64_t(1) << max_length)) best = std::min(best, bits);
      return;
    }
    for (int l = from; l <= max_length; ++l)
      go(i + 1, l, kraft + (std::uint64_t(1) << (max_length - l)), bits + w[i] * l);
  };
  go(0, 1, 0, 0);
  return best;
}

Counts fibonacci_counts(int symbols) {
  Counts c{};
  std::uint64_t a = 1, b = 1;
  for (int s = 0; s < symbols; ++s) {
    c[s] = a;
    const std::uint64_t next = a + b;
    a = b;
    b = next;
  }
  return c;
}

TEST(HuffmanCodeLengths, KraftEqualityAndLimitOnRandomCounts) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 300; ++trial) {
    Counts counts{};
    const int present = 2 + int(rng() % 255);
    for (int k = 0; k < present; ++k) counts[rng() % 256] = 1 + (rng() >> (16 + rng() % 48));  // 1 .. 2^48
    for (const int max_length : {8, 12, 15}) {
      const auto lengths = huffman_code_lengths(counts, max_length);
      for (int s = 0; s < 256; ++s) {
        EXPECT_EQ(lengths[s] == 0, counts[s] == 0) << s;
        EXPECT_LE(lengths[s], max_length);
      }
      EXPECT_EQ(kraft_units(lengths, max_length), std::uint64_t(1) << max_length) << "trial " << trial;
      EXPECT_GE(cost(counts, lengths), reference_huffman(counts).cost) << "no code beats Huffman";
    }
  }
}

TEST(HuffmanCodeLengths, EqualsPlainHuffmanWhenTheLimitDoesNotBind) {
  std::mt19937 rng(8);
  int compared = 0;
  for (int trial = 0; trial < 200; ++trial) {
    Counts counts{};
    const int present = 2 + int(rng() % 255);
    for (int k = 0; k < present; ++k) counts[rng() % 256] = 1 + rng() % 5000;
    const auto ref = reference_huffman(counts);
    if (ref.depth > 15) continue;
    ++compared;
    EXPECT_EQ(cost(counts, huffman_code_lengths(counts, 15)), ref.cost) << "trial " << trial;
  }
  EXPECT_GT(compared, 150);
}

TEST(HuffmanCodeLengths, FibonacciCountsMeetTheLimitOptimally) {
  // Fibonacci counts make plain Huffman a chain: depth = symbols - 1.
  for (const int symbols : {20, 40, 60}) {
    const Counts counts = fibonacci_counts(symbols);
    ASSERT_EQ(reference_huffman(counts).depth, symbols - 1);
    for (const int max_length : {8, 12, 15}) {
      const auto lengths = huffman_code_lengths(counts, max_length);
      EXPECT_EQ(*std::max_element(lengths.begin(), lengths.end()), max_length);
      EXPECT_EQ(kraft_units(lengths, max_length), std::uint64_t(1) << max_length);
    }
  }
  // Under the limit, no complete code is cheaper (exhaustive search, 9..13 symbols, limit 8).
  std::mt19937 rng(4);
  for (int symbols = 9; symbols <= 13; ++symbols) {
    SCOPED_TRACE(symbols);
    const Counts fib = fibonacci_counts(symbols);
    EXPECT_EQ(cost(fib, huffman_code_lengths(fib, 8)), exhaustive_optimum(fib, 8));
    Counts random{};
    for (int s = 0; s < symbols; ++s) random[s * 7] = 1 + (rng() >> (rng() % 28));
    EXPECT_EQ(cost(random, huffman_code_lengths(random, 8)), exhaustive_optimum(random, 8));
  }
}

TEST(HuffmanCodeLengths, DegenerateAlphabets) {
  Counts counts{};
  EXPECT_EQ(huffman_code_lengths(counts, 12), HuffmanLengths{});
  counts[77] = 1000;
  auto lengths = huffman_code_lengths(counts, 12);
  EXPECT_EQ(lengths[77], 1);
  EXPECT_EQ(std::accumulate(lengths.begin(), lengths.end(), 0), 1);
  counts[3] = 1;
  lengths = huffman_code_lengths(counts, 12);
  EXPECT_EQ(lengths[77], 1);
  EXPECT_EQ(lengths[3], 1);
  // All 256 symbols, equal counts: 8 bits each, also under the tightest limit.
  counts.fill(5);
  for (const int max_length : {8, 12}) {
    lengths = huffman_code_lengths(counts, max_length);
    EXPECT_TRUE(std::all_of(lengths.begin(), lengths.end(), [](std::uint8_t l) { return l == 8; }));
  }
  try {
    huffman_code_lengths(counts, 7);
    ADD_FAILURE() << "limit 7 accepted";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
  }
  EXPECT_THROW(huffman_code_lengths(counts, 16), tac::Error);
}

TEST(HuffmanCodeLengths, DeterministicTieBreakBySymbol) {
  Counts counts{};
  for (int s = 10; s < 15; ++s) counts[s] = 4;  // 5 equal symbols: lengths 2,2,2,3,3
  const auto lengths = huffman_code_lengths(counts, 12);
  EXPECT_EQ(kraft_units(lengths, 12), 4096u);
  EXPECT_EQ(lengths, huffman_code_lengths(counts, 12));
  // The lower symbol values are merged first, so they get the longer codes.
  EXPECT_GE(lengths[10], lengths[14]);
}

TEST(CanonicalCodes, ConsecutiveShortestFirstAndPrefixFree) {
  std::mt19937 rng(21);
  for (int trial = 0; trial < 100; ++trial) {
    Counts counts{};
    for (int k = 0; k < 2 + int(rng() % 255); ++k) counts[rng() % 256] = 1 + (rng() >> (rng() % 32));
    const auto lengths = huffman_code_lengths(counts, 12);
    const auto codes = canonical_codes(lengths);
    // Sorted by (length, symbol), the codes, left-aligned to 12 bits, tile [0, 4096) in order.
    std::vector<int> order;
    for (int s = 0; s < 256; ++s)
      if (lengths[s] != 0) order.push_back(s);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return lengths[a] < lengths[b]; });
    std::uint32_t next = 0;
    for (const int s : order) {
      ASSERT_LT(codes[s], 1u << lengths[s]);
      EXPECT_EQ(std::uint32_t(codes[s]) << (12 - lengths[s]), next) << "symbol " << s;
      next += 1u << (12 - lengths[s]);
    }
    EXPECT_EQ(next, 4096u);
  }
}

}  // namespace
