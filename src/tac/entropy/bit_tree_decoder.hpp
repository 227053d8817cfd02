#pragma once
// The fast decoder behind decode_bytes_binary (byte_coders.hpp): each byte as 8 binary decisions
// down a bit tree, decoded from the stream RangeEncoder + BitModel write. Same bitstream and the
// same arithmetic as RangeDecoder::decode_bit with one BitModel per (context, node) — the tests
// compare the two on every input — but laid out for speed (measured in bench/entropy_bench.cpp,
// written up in docs/entropy.md):
//   - Branch-free decision. `code - bound` sets the borrow flag, which selects the new range,
//     the new code and the next node's probability (cmov on x86-64) and gives the bit as a mask.
//     A branch on the bit would be mispredicted on every near-uniform decision.
//   - The probability of both children is read before the bit is known, so the load is off the
//     critical path. A node is its two estimators only (4 bytes; the warm-up counts live apart),
//     so the 256 trees of order 1 fit a 512 KiB L2 cache.
//   - The two-rate update without a branch, in SSE2 lanes (the integer units are the bottleneck
//     of the decision chain): for bit 1 d = 2^16 - p, for bit 0 d = p; d >> rate is the high
//     half of d * 2^(16 - rate) (pmulhuw); p += or -= that. Without SSE2: p += (t - p) >> rate, an arithmetic shift, with t = 2^16 for bit 1
//     and t = 2^rate - 1 for bit 0, which equals p - (p >> rate) for every p in [1, 2^16-1]
//     (floor((2^r - 1 - p) / 2^r) = -floor(p / 2^r)).
//   - No bounds check per byte read: a byte costs at most 16 stream bytes (a decision leaves
//     range >= 2^8, so at most two renormalization bytes), so the loop runs unchecked while 16
//     bytes remain and then moves the last < 16 bytes into a zero-padded buffer. A stream that
//     needs bytes past its end (they read as zero) fails as truncated, as RangeDecoder does.
//   - Warm-up (BitRates::warmup) keeps a per-node update count and takes a slower branch only
//     for nodes still warming up.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/entropy/bit_model.hpp"

namespace tac::entropy {

// `size` bytes from `stream`, order 0 (one tree) or 1 (a tree per previous byte). Throws corrupt
// input naming `source` on a truncated or out-of-range stream; `rates` must be valid.
std::vector<std::uint8_t> decode_bit_tree_bytes(std::span<const std::uint8_t> stream, std::size_t size, int order,
                                                BitRates rates, const std::string& source);

}  // namespace tac::entropy
