#include "tac/entropy/bit_tree_decoder.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::entropy {
namespace {

using u16 = std::uint16_t;
using u32 = std::uint32_t;

// 8 decisions per byte, each renormalizing by at most two bytes (range >= 2^8 after a decision).
constexpr std::size_t kMaxStreamBytesPerByte = 16;

// One decision with P(bit = 1) = prob / 2^16 (RangeDecoder::decode_bit_probability): updates code
// and range, sets prob to prob1 for bit 1 or prob0 for bit 0, returns the bit as a mask (~0u or 0).
inline u32 decide(u32& code, u32& range, u32& prob, u32 prob0, u32 prob1) {
  const u32 bound = (range >> 16) * prob;
#if defined(__GNUC__) && defined(__x86_64__)
  // Compilers turn the selects below back into a branch on the bit; this keeps them cmovs.
  u32 new_range = range - bound, rest = code, mask;
  asm("subl %[bound], %[rest]\n\t"     // borrow = (code < bound) = the bit
      "cmovbl %[bound], %[new_range]\n\t"
      "cmovael %[rest], %[code]\n\t"
      "cmovbl %[prob1], %[prob0]\n\t"
      "sbbl %[mask], %[mask]"           // -borrow
      : [mask] "=r"(mask), [new_range] "+r"(new_range), [rest] "+r"(rest), [code] "+r"(code), [prob0] "+r"(prob0)
      : [bound] "r"(bound), [prob1] "r"(prob1)
      : "cc");
  range = new_range;
  prob = prob0;
  return mask;
#else
  const u32 mask = 0u - u32(code < bound);
  range = mask ? bound : range - bound;
  code -= bound & ~mask;
  prob = mask ? prob1 : prob0;
  return mask;
#endif
}

// One tree node: its two estimators, 4 bytes, so an order-1 model (256 trees of 256 nodes) takes
// 256 KiB and stays in a 512 KiB L2 cache (with the coding probability and the warm-up count beside
// them, 8 bytes a node, it did not, and order 1 on uniform bytes ran ~15 % slower). The coding
// probability (fast + slow + 1) >> 1 is computed when a node's children are read ahead: scalar,
// as one 8-byte load of both siblings and pavgw was slower (pextrw sits on the decision chain).
struct alignas(4) NodeState {
  u16 fast, slow;
};
constexpr NodeState kFreshNode{1u << 15, 1u << 15};

inline u32 coding_probability(const NodeState& s) { return (u32(s.fast) + s.slow + 1) >> 1; }

// BitModel::update while warming up (rates shortened to 1 + floor(log2 n) for the n-th update);
// `seen` counts the updates, 255 = warm (as BitModel).
inline void warmup_update(NodeState& s, std::uint8_t& seen, u32 mask, const BitRates& rates) {
  const int shift = std::bit_width(static_cast<unsigned>(++seen));  // 1 + floor(log2 n)
  if (shift >= rates.slow) seen = 255;
  const int fr = std::min<int>(rates.fast, shift), sr = std::min<int>(rates.slow, shift);
  u32 f = s.fast, sl = s.slow;
  if (mask) {
    f += (65536u - f) >> fr;
    sl += (65536u - sl) >> sr;
  } else {
    f -= f >> fr;
    sl -= sl >> sr;
  }
  s.fast = static_cast<u16>(f);
  s.slow = static_cast<u16>(sl);
}

// The two-rate update of a warm node (BitModel::update at full rates). With SSE2 the node's two
// uint16 are lanes of one register, which takes the work off the integer units the decision
// needs: for bit 1, d = 2^16 - p (as uint16: (p ^ ~0) - ~0), for bit 0, d = p; d >> rate = high
// half of d * 2^(16 - rate) (pmulhuw, exact for rate 1..15); p += d >> rate or p -= d >> rate.
class WarmUpdate {
 public:
#if defined(__SSE2__)
  explicit WarmUpdate(const BitRates& rates)
      : multiplier_(_mm_setr_epi16(short(1u << (16 - rates.fast)), short(1u << (16 - rates.slow)), 0, 0, 0, 0, 0, 0)) {}
#else
  explicit WarmUpdate(const BitRates& rates)
      : fast_(rates.fast), slow_(rates.slow), zero_fast_((1u << fast_) - 1), one_fast_(65536u - zero_fast_),
        zero_slow_((1u << slow_) - 1), one_slow_(65536u - zero_slow_) {}
#endif

  void operator()(NodeState& s, u32 mask) const {
#if defined(__SSE2__)
    // Lanes: 0 fast, 1 slow. `one` is ~0 in both if the bit is 1 (mask), 0 otherwise.
    std::int32_t word;
    std::memcpy(&word, &s, sizeof word);
    const __m128i v = _mm_cvtsi32_si128(word);
    const __m128i one = _mm_cvtsi32_si128(static_cast<std::int32_t>(mask));
    const __m128i zero = _mm_xor_si128(one, _mm_cvtsi32_si128(-1));
    const __m128i d = _mm_sub_epi16(_mm_xor_si128(v, one), one);  // bit 1: -p = 2^16 - p; bit 0: p
    const __m128i step = _mm_mulhi_epu16(d, multiplier_);
    const __m128i next = _mm_add_epi16(v, _mm_sub_epi16(_mm_xor_si128(step, zero), zero));  // +step or -step
    word = _mm_cvtsi128_si32(next);
    std::memcpy(&s, &word, sizeof word);
#else
    // p += (t - p) >> rate with an arithmetic shift (see the header for t).
    const int f = s.fast, sl = s.slow;
    s.fast = static_cast<u16>(f + ((int(zero_fast_ + (one_fast_ & mask)) - f) >> fast_));
    s.slow = static_cast<u16>(sl + ((int(zero_slow_ + (one_slow_ & mask)) - sl) >> slow_));
#endif
  }

 private:
#if defined(__SSE2__)
  __m128i multiplier_;  // lanes 0, 1: 2^(16 - rate)
#else
  int fast_, slow_;
  u32 zero_fast_, one_fast_, zero_slow_, one_slow_;
#endif
};

// The last bytes of the stream followed by zeros, so the unchecked loop may read past them; any
// byte actually read past the real end makes the stream truncated.
struct Tail {
  std::array<std::uint8_t, 2 * kMaxStreamBytesPerByte> bytes{};
  std::size_t real = 0;
};

template <bool Order1, bool Warmup>
void decode_trees(std::span<const std::uint8_t> stream, std::span<std::uint8_t> out, BitRates rates,
                  const std::string& source) {
  if (stream.size() < 4) fail(ErrorKind::corrupt_input, "{}: range coder stream is truncated", source);
  u32 code = 0;
  for (int i = 0; i < 4; ++i) code = (code << 8) | stream[std::size_t(i)];
  if (code == 0xFFFFFFFFu) fail(ErrorKind::corrupt_input, "{}: range coder stream starts out of range", source);
  u32 range = 0xFFFFFFFFu;

  // +256: the children of the last tree's leaves-to-be are read (and ignored) ahead.
  const std::size_t node_count = (Order1 ? 256 : 1) * 256 + 256;
  std::vector<NodeState> nodes(node_count, kFreshNode);
  std::vector<std::uint8_t> seen(Warmup ? node_count : 0, 0);  // warm-up counts (Warmup only)
  const WarmUpdate update(rates);

  // Unchecked reads while at least kMaxStreamBytesPerByte bytes remain before `limit`; then the tail.
  UncheckedBlock in(stream.subspan(4));
  Tail tail;
  bool in_tail = false;
  std::size_t limit = 0;
  const auto enter_tail = [&] {
    tail.real = in.size() - in.pos();
    std::memcpy(tail.bytes.data(), stream.data() + 4 + in.pos(), tail.real);
    in = UncheckedBlock(tail.bytes);
    limit = tail.real;
    in_tail = true;
  };
  if (in.size() < kMaxStreamBytesPerByte)
    enter_tail();
  else
    limit = in.size() - kMaxStreamBytesPerByte;

  std::size_t context = 0;
  for (auto& byte : out) {
    if (in.pos() > limit) [[unlikely]] {
      if (in_tail) fail(ErrorKind::corrupt_input, "{}: range coder stream is truncated", source);
      enter_tail();
    }
    NodeState* const tree = nodes.data() + context;
    u32 node = 1;
    u32 p = coding_probability(tree[1]);
#pragma GCC unroll 8
    for (int level = 0; level < 8; ++level) {
      const u32 mask = decide(code, range, p, coding_probability(tree[2 * node]), coding_probability(tree[2 * node + 1]));
      NodeState& s = tree[node];
      if (Warmup && seen[context + node] != 255) [[unlikely]] {
        warmup_update(s, seen[context + node], mask, rates);
      } else {
        update(s, mask);
      }
      node = 2 * node - mask;
      if (range < kRangeTop) {
        range <<= 8;
        code = (code << 8) | in.u8();
        if (range < kRangeTop) {
          range <<= 8;
          code = (code << 8) | in.u8();
        }
      }
    }
    byte = static_cast<std::uint8_t>(node);
    if constexpr (Order1) context = std::size_t(byte) * 256;
  }
  if (in_tail && in.pos() > limit) fail(ErrorKind::corrupt_input, "{}: range coder stream is truncated", source);
}

}  // namespace

std::vector<std::uint8_t> decode_bit_tree_bytes(std::span<const std::uint8_t> stream, std::size_t size, int order,
                                                BitRates rates, const std::string& source) {
  validate(rates);
  if (order != 0 && order != 1) fail(ErrorKind::usage, "byte coder: order {} is not 0 or 1", order);
  std::vector<std::uint8_t> out(size);
  const auto run = order == 0 ? (rates.warmup ? decode_trees<false, true> : decode_trees<false, false>)
                              : (rates.warmup ? decode_trees<true, true> : decode_trees<true, false>);
  run(stream, out, rates, source);
  return out;
}

}  // namespace tac::entropy
