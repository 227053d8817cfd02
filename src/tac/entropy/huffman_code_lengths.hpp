#pragma once
// Length-limited Huffman code lengths for a byte alphabet, and their canonical codes.
//
// Lengths: package-merge (Larmore & Hirschberg 1990), which gives the optimal prefix code whose
// lengths are all <= max_length, so no separate length-limiting fix-up is needed: when the limit
// does not bind, the cost sum(count * length) equals plain Huffman's.
//   Leaves: the symbols with a nonzero count, sorted by (count, symbol value) ascending.
//   List at depth max_length: the leaves. List at depth d < max_length: the leaves merged with the
//   packages of the list at depth d + 1 (items 0+1, 2+3, ...; an odd last item is dropped), a
//   package weighing the sum of its two items; ties put the leaf first.
//   Selection: the first 2n - 2 items of the depth-1 list (n = symbols present). A selected leaf
//   adds 1 to its symbol's length; the p selected packages at depth d select the first 2p items
//   of the depth d + 1 list.
// The result meets Kraft with equality: sum over present symbols of 2^-length = 1 (n >= 2).
// One present symbol gets length 1 (a 0-bit code carries no information; see canonical_huffman.hpp
// for how the format treats it). Absent symbols get 0. Deterministic for given counts.
//
// Canonical codes (as DEFLATE, RFC 1951 3.2.2): codes of one length are consecutive integers in
// increasing symbol order; all codes of length l come before (are numerically below, as l-bit
// prefixes) those of length l + 1:
//   code(first symbol of length l) = (code(first of length l-1) + count(l-1)) << 1, code(length 0) = 0.
#include <array>
#include <cstdint>
#include <span>

namespace tac::entropy {

using HuffmanLengths = std::array<std::uint8_t, 256>;
using HuffmanCodes = std::array<std::uint16_t, 256>;

inline constexpr std::uint64_t kMaxHuffmanCountTotal = std::uint64_t(1) << 59;

// max_length in [8, 15] (8 is the least that fits 256 symbols), counts totalling at most
// kMaxHuffmanCountTotal. Throws usage otherwise.
HuffmanLengths huffman_code_lengths(std::span<const std::uint64_t, 256> counts, int max_length);

// Canonical codes for lengths that are a valid prefix code (the caller checked Kraft): code[s]
// holds length[s] bits, right-aligned; absent symbols get 0.
HuffmanCodes canonical_codes(const HuffmanLengths& lengths);

}  // namespace tac::entropy
