#include "tac/entropy/hts_codecs.hpp"

#include <htscodecs/arith_dynamic.h>
#include <htscodecs/rANS_static4x16.h>

#include "tac/core/error.hpp"
#include "tac/entropy/limits.hpp"

namespace tac::entropy {
namespace {

// htscodecs takes sizes as unsigned int and non-const input pointers (it does not write them).
constexpr std::uint64_t kMaxHtsBytes = std::uint64_t(1) << 31;
unsigned char* mutable_input(std::span<const std::uint8_t> in) { return const_cast<unsigned char*>(in.data()); }

void check_sizes(std::size_t in_size, std::size_t out_size, const std::string& source) {
  if (in_size >= kMaxHtsBytes || out_size >= kMaxHtsBytes || out_size > kMaxDecodedBytes)
    fail(ErrorKind::limit_exceeded, "{}: {} / {} bytes exceed htscodecs' 2 GiB limit", source, in_size, out_size);
}

void check_order(int order, int allowed, const char* name) {
  if ((order & ~allowed) != 0 || (order & 3) > 1)
    fail(ErrorKind::usage, "{}: order flags {:#x} unsupported", name, order);
}

std::vector<std::uint8_t> decode(unsigned char* (*uncompress_to)(unsigned char*, unsigned int, unsigned char*, unsigned int*),
                                 std::span<const std::uint8_t> in, std::size_t size, const std::string& source,
                                 const char* name) {
  check_sizes(in.size(), size, source);
  if (in.empty()) fail(ErrorKind::corrupt_input, "{}: empty {} stream", source, name);
  // One spare byte: a stream that decodes to more than `size` is corrupt, not silently cut.
  std::vector<std::uint8_t> out(size + 1);
  unsigned int out_size = static_cast<unsigned int>(out.size());
  if (!uncompress_to(mutable_input(in), static_cast<unsigned int>(in.size()), out.data(), &out_size))
    fail(ErrorKind::corrupt_input, "{}: {} stream does not decode", source, name);
  if (out_size != size)
    fail(ErrorKind::corrupt_input, "{}: {} stream decodes to {} bytes, not {}", source, name, out_size, size);
  out.resize(size);
  return out;
}


std::vector<std::uint8_t> rans_compress_unverified(std::span<const std::uint8_t> in, int order) {
  check_sizes(in.size(), 0, "rans input");
  std::vector<std::uint8_t> out(rans_compress_bound_4x16(static_cast<unsigned int>(in.size()), order));
  unsigned int out_size = static_cast<unsigned int>(out.size());
  if (!rans_compress_to_4x16(mutable_input(in), static_cast<unsigned int>(in.size()), out.data(), &out_size, order))
    fail(ErrorKind::internal, "rans: compression of {} bytes failed", in.size());
  out.resize(out_size);
  return out;
}

}  // namespace

std::vector<std::uint8_t> rans_decompress(std::span<const std::uint8_t> in, std::size_t size, const std::string& source) {
  return decode(rans_uncompress_to_4x16, in, size, source, "rans");
}

// htscodecs 1.3.0 (Debian 12) writes undecodable order-1 streams for some inputs (a 0..255 ramp
// is one; tests/entropy keeps it). Every stream is therefore decoded once before it is returned,
// and an order-1 stream that does not come back falls back to order 0 (the order is in-stream).
std::vector<std::uint8_t> rans_compress(std::span<const std::uint8_t> in, int order) {
  check_order(order, 0x01 | RANS_ORDER_X32 | RANS_ORDER_RLE | RANS_ORDER_PACK, "rans");
  auto out = rans_compress_unverified(in, order);
  try {
    if (rans_decompress(out, in.size(), "rans self-check") == std::vector<std::uint8_t>(in.begin(), in.end())) return out;
  } catch (const Error&) {
  }
  if ((order & 1) == 0) fail(ErrorKind::internal, "rans: order-0 stream of {} bytes does not round-trip", in.size());
  return rans_compress(in, order & ~1);
}

namespace {

std::vector<std::uint8_t> arith_compress_unverified(std::span<const std::uint8_t> in, int order) {
  check_sizes(in.size(), 0, "arith input");
  std::vector<std::uint8_t> out(arith_compress_bound(static_cast<unsigned int>(in.size()), order));
  unsigned int out_size = static_cast<unsigned int>(out.size());
  if (!arith_compress_to(mutable_input(in), static_cast<unsigned int>(in.size()), out.data(), &out_size, order))
    fail(ErrorKind::internal, "arith: compression of {} bytes failed", in.size());
  out.resize(out_size);
  return out;
}

}  // namespace

std::vector<std::uint8_t> arith_decompress(std::span<const std::uint8_t> in, std::size_t size, const std::string& source) {
  return decode(arith_uncompress_to, in, size, source, "arith");
}

// Same self-check as rans_compress.
std::vector<std::uint8_t> arith_compress(std::span<const std::uint8_t> in, int order) {
  check_order(order, 0x01 | RANS_ORDER_RLE | RANS_ORDER_PACK, "arith");
  auto out = arith_compress_unverified(in, order);
  try {
    if (arith_decompress(out, in.size(), "arith self-check") == std::vector<std::uint8_t>(in.begin(), in.end())) return out;
  } catch (const Error&) {
  }
  if ((order & 1) == 0) fail(ErrorKind::internal, "arith: order-0 stream of {} bytes does not round-trip", in.size());
  return arith_compress(in, order & ~1);
}

}  // namespace tac::entropy
