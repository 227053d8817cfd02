// libFuzzer target: the tac packet reader on arbitrary bytes, once with CRC checks and once
// without, so the section decoders (every codec, every transform) see the mutated payloads too.
#include <cstddef>
#include <cstdint>

#include "tac/container/packet.hpp"
#include "tac/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::uint64_t kLimit = 4u << 20;
  for (const bool check_crc : {true, false}) {
    try {
      (void)tac::container::read_packet({data, size}, "fuzz.tacp", kLimit, check_crc);
    } catch (const tac::Error&) {
    }
  }
  return 0;
}
