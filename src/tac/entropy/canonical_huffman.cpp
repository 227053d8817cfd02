#include "tac/entropy/canonical_huffman.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "tac/core/byte_reader.hpp"
#include "tac/entropy/limits.hpp"

namespace tac::entropy {
namespace {

constexpr int kMax = kHuffmanMaxLength;
constexpr std::uint32_t kKraftTotal = 1u << kMax;
constexpr std::uint8_t kAbsentNibble = 0;
constexpr std::uint8_t kRunNibble = 14;
constexpr std::uint8_t kEndNibble = 15;

static_assert(kMax <= 12, "the decoder's 4-symbol step assumes 4 codes fit the 57 bits of one load");

std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// ---- table ---------------------------------------------------------------------------------

void write_table(const HuffmanLengths& lengths, std::vector<std::uint8_t>& out) {
  std::vector<std::uint8_t> nibbles;
  for (int s = 0; s < 256;) {
    if (lengths[s] != 0) {
      nibbles.push_back(lengths[s]);
      ++s;
      continue;
    }
    int end = s;
    while (end < 256 && lengths[end] == 0) ++end;
    if (end == 256) {
      nibbles.push_back(kEndNibble);
      break;
    }
    const int run = end - s;  // 1..255
    if (run <= 3) {
      nibbles.insert(nibbles.end(), std::size_t(run), kAbsentNibble);
    } else {
      nibbles.push_back(kRunNibble);
      nibbles.push_back(static_cast<std::uint8_t>((run - 1) >> 4));
      nibbles.push_back(static_cast<std::uint8_t>((run - 1) & 15));
    }
    s = end;
  }
  if (nibbles.size() % 2) nibbles.push_back(0);
  for (std::size_t i = 0; i < nibbles.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>((nibbles[i] << 4) | nibbles[i + 1]));
}

class NibbleReader {
 public:
  explicit NibbleReader(ByteReader& r) : r_(r) {}
  std::uint8_t next() {
    if (low_) {
      low_ = false;
      return byte_ & 15;
    }
    byte_ = r_.u8("huffman code length table");
    low_ = true;
    return byte_ >> 4;
  }
  // The low nibble left in the last byte, if the table ended on a high nibble.
  bool pad_is_zero() const { return !low_ || (byte_ & 15) == 0; }

 private:
  ByteReader& r_;
  std::uint8_t byte_ = 0;
  bool low_ = false;
};

HuffmanLengths read_table(ByteReader& r) {
  HuffmanLengths lengths{};
  NibbleReader nibbles(r);
  for (int s = 0; s < 256;) {
    const std::uint8_t v = nibbles.next();
    if (v == kEndNibble) break;
    if (v == kAbsentNibble) {
      ++s;
      continue;
    }
    if (v == kRunNibble) {
      const int high = nibbles.next();
      const int run = 16 * high + nibbles.next() + 1;
      if (s + run > 256)
        fail(ErrorKind::corrupt_input, "{}: huffman table: a run of {} absent symbols from symbol {} passes 255",
             r.source(), run, s);
      s += run;
      continue;
    }
    if (v > kMax)
      fail(ErrorKind::corrupt_input, "{}: huffman table: symbol {} has code length {}, above the limit {}",
           r.source(), s, v, kMax);
    lengths[s++] = v;
  }
  if (!nibbles.pad_is_zero())
    fail(ErrorKind::corrupt_input, "{}: huffman table: the pad nibble after the table is not 0", r.source());
  int present = 0;
  std::uint64_t kraft = 0;
  for (const auto l : lengths)
    if (l != 0) {
      ++present;
      kraft += kKraftTotal >> l;
    }
  if (present == 0) fail(ErrorKind::corrupt_input, "{}: huffman table: no symbol present", r.source());
  if (present == 1) {
    if (kraft != kKraftTotal / 2)
      fail(ErrorKind::corrupt_input, "{}: huffman table: a lone symbol must have code length 1", r.source());
  } else if (kraft != kKraftTotal) {
    fail(ErrorKind::corrupt_input, "{}: huffman table: code lengths are {} (Kraft sum {}/{}, must be exactly 1)",
         r.source(), kraft > kKraftTotal ? "over-subscribed" : "incomplete", kraft, kKraftTotal);
  }
  return lengths;
}

// ---- decoder -------------------------------------------------------------------------------

// entry = length | symbol << 8, for every 12-bit window starting with the symbol's code. The
// length is in the low bits so that a shift by the entry (x86 masks the count to 6 bits) needs no
// extraction on the decoder's critical path.
using DecodeTable = std::array<std::uint16_t, kKraftTotal>;

void build_decode_table(const HuffmanLengths& lengths, DecodeTable& table) {
  const HuffmanCodes codes = canonical_codes(lengths);
  for (int s = 0; s < 256; ++s) {
    const int l = lengths[s];
    if (l == 0) continue;
    const std::uint32_t first = std::uint32_t(codes[s]) << (kMax - l);
    const std::uint16_t entry = static_cast<std::uint16_t>(l | (s << 8));
    std::fill(table.begin() + first, table.begin() + first + (1u << (kMax - l)), entry);
  }
}

// Decodes out[i..n) from `bytes` (a zero-padded copy of the stream's last bytes, of which `real`
// are real), starting at bit `bit`; returns the bit position after the last code.
std::uint64_t decode_tail(const DecodeTable& table, const std::uint8_t* bytes, std::size_t real, std::uint64_t bit,
                          std::uint8_t* out, std::size_t i, std::size_t n, const std::string& source) {
  for (; i < n; ++i) {
    const std::uint64_t window = load_be64(bytes + (bit >> 3)) << (bit & 7);
    const std::uint16_t e = table[window >> (64 - kMax)];
    out[i] = static_cast<std::uint8_t>(e >> 8);
    bit += e & 63;
    if (bit > real * 8)
      fail(ErrorKind::corrupt_input, "{}: huffman payload is truncated ({} of {} symbols decoded)", source, i, n);
  }
  return bit;
}

}  // namespace

HuffmanLengths huffman_lengths_for(std::span<const std::uint8_t> bytes) {
  std::array<std::uint64_t, 256> counts{};
  for (const auto b : bytes) ++counts[b];
  return huffman_code_lengths(counts, kMax);
}

std::vector<std::uint8_t> encode_bytes_huffman(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> out;
  if (bytes.empty()) return out;
  std::array<std::uint64_t, 256> counts{};
  for (const auto b : bytes) ++counts[b];
  const HuffmanLengths lengths = huffman_code_lengths(counts, kMax);
  write_table(lengths, out);
  if (std::count_if(counts.begin(), counts.end(), [](std::uint64_t c) { return c != 0; }) == 1) return out;
  const HuffmanCodes codes = canonical_codes(lengths);
  std::array<std::uint32_t, 256> code_and_length{};  // code << 8 | length
  std::uint64_t bits = 0;
  for (int s = 0; s < 256; ++s) {
    code_and_length[s] = (std::uint32_t(codes[s]) << 8) | lengths[s];
    bits += counts[s] * lengths[s];
  }
  const std::size_t table_bytes = out.size();
  out.resize(table_bytes + static_cast<std::size_t>((bits + 7) / 8));
  std::uint8_t* p = out.data() + table_bytes;
  // `pending` bits (< 32 between steps) wait in the low end of `acc`.
  std::uint64_t acc = 0;
  int pending = 0;
  for (const auto b : bytes) {
    const std::uint32_t c = code_and_length[b];
    acc = (acc << (c & 0xFF)) | (c >> 8);
    pending += int(c & 0xFF);
    if (pending >= 32) {
      pending -= 32;
      const std::uint32_t word = static_cast<std::uint32_t>(acc >> pending);
      p[0] = std::uint8_t(word >> 24);
      p[1] = std::uint8_t(word >> 16);
      p[2] = std::uint8_t(word >> 8);
      p[3] = std::uint8_t(word);
      p += 4;
    }
  }
  for (; pending >= 8; pending -= 8) *p++ = static_cast<std::uint8_t>(acc >> (pending - 8));
  if (pending > 0) *p++ = static_cast<std::uint8_t>(acc << (8 - pending));
  if (p != out.data() + out.size()) fail(ErrorKind::internal, "huffman encoder: payload size mismatch");
  return out;
}

std::vector<std::uint8_t> decode_bytes_huffman(std::span<const std::uint8_t> stream, std::size_t size,
                                               const std::string& source) {
  if (size > kMaxDecodedBytes)
    fail(ErrorKind::limit_exceeded, "{}: declared size {} exceeds the limit of {} bytes", source, size,
         kMaxDecodedBytes);
  if (size == 0) {
    if (!stream.empty())
      fail(ErrorKind::corrupt_input, "{}: huffman stream of {} bytes for an empty output", source, stream.size());
    return {};
  }
  ByteReader r(stream, source);
  const HuffmanLengths lengths = read_table(r);
  const auto payload = r.take(r.remaining(), "huffman payload");
  int present = 0, shortest = kMax;
  for (int s = 0; s < 256; ++s)
    if (lengths[s] != 0) {
      ++present;
      shortest = std::min(shortest, int(lengths[s]));
    }
  if (present == 1) {
    if (!payload.empty())
      fail(ErrorKind::corrupt_input, "{}: huffman stream of one symbol has {} payload bytes (must be 0)", source,
           payload.size());
    const auto lone = std::find_if(lengths.begin(), lengths.end(), [](std::uint8_t l) { return l != 0; });
    return std::vector<std::uint8_t>(size, static_cast<std::uint8_t>(lone - lengths.begin()));
  }
  const std::uint64_t available_bits = std::uint64_t(payload.size()) * 8;
  if (std::uint64_t(size) * std::uint64_t(shortest) > available_bits)
    fail(ErrorKind::corrupt_input, "{}: huffman payload of {} bytes cannot hold {} symbols of at least {} bits",
         source, payload.size(), size, shortest);
  DecodeTable table;
  build_decode_table(lengths, table);
  std::vector<std::uint8_t> out(size);
  std::uint8_t* o = out.data();
  const std::uint8_t* in = payload.data();
  std::size_t i = 0;
  // The bit buffer (F. Giesen's "reading bits" variant 4, MSB-first): `buffer` holds the next
  // bits left-aligned, `count` of them valid; the next 8 bytes are loaded at `next`, the first
  // byte not wholly in the buffer. A refill leaves count >= 56, enough for 4 codes of <= 12 bits,
  // and its load does not depend on the codes just decoded. Bits consumed so far:
  // (next - in) * 8 - count. Checked once per step: the 8 bytes at `next` are in the payload.
  std::uint64_t buffer = 0;
  unsigned count = 0;
  const std::uint8_t* next = in;
  const std::uint8_t* const end = in + payload.size();
  const auto step = [&]() {
    const std::uint16_t e = table[buffer >> (64 - kMax)];
    buffer <<= (e & 63);
    count -= e & 63u;
    return static_cast<std::uint8_t>(e >> 8);
  };
  while (i + 4 <= size && end - next >= 8) {
    buffer |= load_be64(next) >> count;
    next += (63 - count) >> 3;
    count |= 56;
    o[i] = step();
    o[i + 1] = step();
    o[i + 2] = step();
    o[i + 3] = step();
    i += 4;
  }
  std::uint64_t bit = std::uint64_t(next - in) * 8 - count;
  // The rest from a zero-padded copy: either fewer than 16 bytes remain (fewer than 8 after
  // `next`, plus at most 8 in the buffer) or fewer than 4 symbols (at most 6 bytes) are left, so
  // 16 real bytes always suffice.
  const std::size_t at = static_cast<std::size_t>(bit >> 3);
  std::array<std::uint8_t, 16 + 8> tail{};
  const std::size_t real = std::min<std::size_t>(payload.size() - at, 16);
  std::memcpy(tail.data(), in + at, real);
  bit = at * 8 + decode_tail(table, tail.data(), real, bit & 7, o, i, size, source);
  const std::uint64_t used_bytes = (bit + 7) / 8;
  if (used_bytes != payload.size())
    fail(ErrorKind::corrupt_input, "{}: {} bytes after the huffman payload's last code", source,
         payload.size() - used_bytes);
  if ((bit & 7) != 0 && (payload.back() & (0xFFu >> (bit & 7))) != 0)
    fail(ErrorKind::corrupt_input, "{}: huffman payload's pad bits are not 0", source);
  return out;
}

}  // namespace tac::entropy
