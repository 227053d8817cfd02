// libFuzzer target: bytes claiming to come from another rank of a sharded evaluation are either
// rejected as corrupt input or decode to a message that re-encodes to a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "tac/core/error.hpp"
#include "tac/eval/rank_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tac::eval::RankMessage message;
  try {
    message = tac::eval::decode_rank_message(std::span<const std::uint8_t>(data, size), 1);
  } catch (const tac::Error& e) {
    if (e.kind() != tac::ErrorKind::corrupt_input) std::abort();
    return 0;
  }
  const auto once = tac::eval::encode_rank_message(message);
  const auto twice = tac::eval::encode_rank_message(tac::eval::decode_rank_message(once, 1));
  if (once != twice) std::abort();
  return 0;
}
