// libFuzzer target for the canonical Huffman coder, three properties on one input:
//   1. decoding: the first 3 bytes (little-endian, so up to 16 M) are the declared size, the rest
//      the stream; it decodes to exactly that many bytes or fails as corrupt input, nothing else;
//   2. whatever it decoded re-encodes to a stream that decodes to the same bytes;
//   3. the whole input, taken as data, round-trips through encode and decode.
// Seeds (fuzz/corpus/canonical_huffman/): valid streams with their size prefix.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/canonical_huffman.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

void check_round_trip(std::span<const std::uint8_t> data) {
  const Bytes stream = tac::entropy::encode_bytes_huffman(data);
  const Bytes back = tac::entropy::decode_bytes_huffman(stream, data.size(), "fuzz round trip");
  TAC_FUZZ_CHECK(back.size() == data.size() && std::equal(back.begin(), back.end(), data.begin()),
                 "%zu bytes do not round-trip", data.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size >= 3) {
    const std::size_t declared = std::size_t(data[0]) | std::size_t(data[1]) << 8 | std::size_t(data[2]) << 16;
    try {
      const Bytes out = tac::entropy::decode_bytes_huffman({data + 3, size - 3}, declared, "fuzz.huf");
      TAC_FUZZ_CHECK(out.size() == declared, "decoded %zu bytes, declared %zu", out.size(), declared);
      check_round_trip(out);
    } catch (const tac::Error& e) {
      TAC_FUZZ_CHECK(e.kind() == tac::ErrorKind::corrupt_input, "unexpected error kind: %s", e.what());
    }
  }
  check_round_trip({data, size});
  return 0;
}
